"""The meeting's fields as its claim and principals give them: format, level, mode, kind, date,
place and duration, each as GUIDE.md (corpus/meetings) defines it. Pure."""

from __future__ import annotations

import re
from datetime import date

from monitor.meetings import forms, when
from monitor.meetings.claim import Claim
from monitor.meetings.people import Person
from monitor.meetings.places import Place, city_in, dateline_city
from monitor.meetings.roster import LEVELS, rank
from monitor.models import MeetingKind

_LEVEL_WORDS = (
    (re.compile(r"Summit|Leaders|首脳", re.I), "leaders"),
    (
        re.compile(r"Foreign Ministers|Defense Ministers|Ministerial|外相|防衛相|2\+2|閣僚", re.I),
        "ministers",
    ),
    (re.compile(r"Vice[- ]Minist|Deputy Secretar|次官", re.I), "vice-ministers"),
)


def format_of(
    naming: str, claim: Claim, countries: set[str], found: list[Person], day: date
) -> str:
    """2+2, quad, trilateral or bilateral."""
    if forms.TWO_PLUS_TWO.search(naming) and not forms.ECONOMIC.search(naming):
        return "2+2"
    roles = {(p.country, p.role) for p in found}
    if {
        ("US", "secretary-of-state"),
        ("US", "secretary-of-defense"),
        ("JP", "foreign-minister"),
        ("JP", "defense-minister"),
    } <= roles and len(countries) == 2:
        return "2+2"
    if forms.QUAD.search(naming) and countries <= {"JP", "US", "AU", "IN"}:
        return "quad"
    if countries == {"JP", "US", "AU", "IN"}:
        return "quad"
    # GUIDE.md keeps `quad` for the Quad; another small group (Japan, U.S., Australia and the
    # Philippines) is, like a trilateral, a small-group meeting
    if len(countries) >= 3 or forms.TRILATERAL.search(naming):
        return "trilateral"
    return "bilateral"


def mode_of(claim: Claim) -> str:
    """In person, by video or by telephone, as the words naming the meeting say."""
    text = claim.naming
    if forms.MODE_VIDEO.search(text):
        return "video"
    if forms.MODE_PHONE.search(text):
        return "telephone"
    return "in-person"


def level_of(found: list[Person], countries: set[str], naming: str) -> str:
    """The lowest of the countries' highest ranks present; else the level the name gives."""
    tops = []
    for country in countries:
        ranks = [rank(p.level) for p in found if p.country == country and p.level]
        if ranks:
            tops.append(max(ranks))
    if tops:
        return LEVELS[min(tops)]
    for pattern, level in _LEVEL_WORDS:
        if pattern.search(naming):
            return level
    return "officials"


def derive_kind(fmt: str, mode: str, level: str, found: list[Person], day: date) -> MeetingKind:
    """GUIDE.md's order: 2+2, trilateral, telephone-talk, summit, foreign-, defense-ministers,
    other."""
    if fmt == "2+2":
        return "2+2"
    if fmt in ("trilateral", "quad"):
        return "trilateral"
    if mode in ("telephone", "video"):
        return "telephone-talk"
    if level == "leaders":
        return "summit"
    top = {(p.country, p.role) for p in found if p.level and rank(p.level) >= rank("ministers")}
    if top == {("US", "secretary-of-state"), ("JP", "foreign-minister")}:
        return "foreign-ministers"
    if top == {("US", "secretary-of-defense"), ("JP", "defense-minister")}:
        return "defense-ministers"
    return "other"


def date_of(
    claim: Claim, opening: forms.Lead, pub: when.Published, title: str
) -> tuple[date | None, str]:
    """The local day of the meeting and what gave it (stated, relative, dateline, published)."""
    base = pub.day
    for text in (claim.sentence, title):
        found = when.stated(text, base) if text else None
        if found:
            return found, "stated"
    for text in (claim.sentence, claim.opening):
        if not text:
            continue
        found = when.stated(text, base) or when.weekday(text, base)
        if found:
            return found, "stated"
        found = when.relative(text, base)
        if found:
            return found, "relative"
    if opening.transcript:
        for line in opening.datelines:
            place = dateline_city(line)
            if place and place.zone:
                return pub.day_in(place.zone), "dateline"
    return base, "published"


def place_of(claim: Claim, opening: forms.Lead, title: str) -> Place | None:
    """Where an in-person meeting took place: the claim's sentence, the title, the dateline."""
    for text in (claim.sentence, title):
        found = city_in(text) if text else None
        if found:
            return found
    for line in opening.datelines:
        found = dateline_city(line)
        if found:
            return found
    if opening.paragraphs:
        return dateline_city(opening.paragraphs[0][:60])
    return None


DURATION = re.compile(
    r"(?:for|lasting)\s+(?:approximately|about|around|some|roughly)?\s*(\d+|an?|one|two)\s*"
    r"(minutes?|hours?)(?:\s+and\s+(\d+)\s+minutes)?|約?\s*(\d+)\s*分間?|約?\s*(\d+)\s*時間",
    re.IGNORECASE,
)


def duration(sentence: str) -> str | None:
    """ "for approximately 55 minutes" / 「約55分間」 in the sentence reporting the meeting."""
    match = DURATION.search(sentence)
    if not match:
        return None
    if match.group(4):
        return f"{match.group(4)} minutes"
    if match.group(5):
        return f"{match.group(5)} hours"
    amount = {"a": "1", "an": "1", "one": "1", "two": "2"}.get(
        match.group(1).lower(), match.group(1)
    )
    unit = match.group(2).lower().rstrip("s") + ("s" if amount != "1" else "")
    extra = f" {match.group(3)} minutes" if match.group(3) else ""
    return f"{amount} {unit}{extra}"
