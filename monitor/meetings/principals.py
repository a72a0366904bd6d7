"""Who took part: the principals a claim names, the holders of the offices a meeting's name
implies, and the countries whose representatives met. Pure."""

from __future__ import annotations

import re
from datetime import date

from monitor.meetings import forms
from monitor.meetings.claim import Claim
from monitor.meetings.people import Person, offices, people
from monitor.meetings.roster import Roster

_REPRESENTATIVES = re.compile(
    r"\b(?:representatives|officials|delegations|delegates|officers)\s+(?:from|of)\s+"
    r"(?:the\s+)?(United States|Japan)(?:,?\s+and\s+(?:the\s+)?(United States|Japan))",
    re.IGNORECASE,
)
_FORMER = re.compile(r"(?:former|late|then)\s+(?:[A-Z][\w.]*\s+){0,4}$", re.IGNORECASE)


def principals(claim: Claim, day: date, roster: Roster, site_country: str | None) -> list[Person]:
    """The principals the claim names (no former officials, no one without a country), each
    once."""
    found: list[Person] = list(claim.extra)
    for text in claim.people_text:
        if not text:
            continue
        for person in [*people(text, day, roster, site_country), *offices(text, day, roster)]:
            if _FORMER.search(text[max(0, person.start - 60) : person.start]):
                continue
            if person.country is None or (person.role is None and person.official is None):
                continue
            found.append(person)
    unique: list[Person] = []
    for person in found:
        if all(not _same_person(person, u) for u in unique):
            unique.append(person)
    return unique


# a meeting named by its level: "Gist of Japan-U.S. Summit", "the 2+2 was held", 日米外相会談
_OFFICE_NAMES = (
    (re.compile(r"Summit|首脳", re.I), ("prime-minister", "president")),
    (re.compile(r"Foreign Ministers?'?|外相", re.I), ("foreign-minister", "secretary-of-state")),
    (re.compile(r"Defen[cs]e Minist|防衛相", re.I), ("defense-minister", "secretary-of-defense")),
)


def office_holders(naming: str, found: list[Person], day: date, roster: Roster) -> list[Person]:
    """When the document names the meeting by its offices but not the people in them, the
    holders of those offices that day (a 2+2: both countries' foreign and defense ministers)."""
    japan_us = {"JP", "US"} <= forms.compound_countries(naming)
    scc = bool(re.search(r"Security Consultative Committee|安全保障協議委員会", naming))
    if not (japan_us or scc):
        return []  # only a meeting named as Japan-U.S. ("Japan-U.S. Summit", 日米外相会談)
    offices_named = [pair for pattern, pair in _OFFICE_NAMES if pattern.search(naming)]
    if (scc or forms.TWO_PLUS_TWO.search(naming)) and not forms.ECONOMIC.search(naming):
        offices_named = [_OFFICE_NAMES[1][1], _OFFICE_NAMES[2][1]]
    out: list[Person] = []
    for jp_role, us_role in offices_named:
        for role, country in ((jp_role, "JP"), (us_role, "US")):
            if any(p.country == country and p.role == role for p in found):
                continue
            if any(p.country == country for p in found) and len(offices_named) == 1:
                continue  # the document names who came for that side
            holders = roster.holders(role, country, day)
            if len(holders) == 1:
                o = holders[0]
                out.append(Person(o.name, country, role, o, -1, -1))
    return out


def _same_person(a: Person, b: Person) -> bool:
    if a.official and b.official:
        return a.official is b.official
    if a.country != b.country:
        return False
    words_a, words_b = set(a.name.lower().split()), set(b.name.lower().split())
    return bool(words_a & words_b) and (a.official is None or b.official is None)


def representatives(sentence: str) -> set[str]:
    """ "representatives of the United States and Japan": the countries of unnamed participants."""
    match = _REPRESENTATIVES.search(sentence)
    if not match:
        return set()
    return {"US" if g.lower() == "united states" else "JP" for g in match.groups() if g}
