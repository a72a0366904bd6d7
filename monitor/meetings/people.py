"""Who a sentence names: officials with their country and rank on the meeting's day. Pure.

A name is resolved with the roster (its aliases, terms and countries) and with the words written
around it (titles): "Republic of Korea Special Representative Kim" in June 2022 is Kim Gunn,
"Special Representative for the DPRK Kim" is Sung Kim, "Japanese Vice Foreign Minister Mori Takeo"
is a Japanese vice-minister whether or not the roster knows him."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from monitor.meetings.roster import ROLE_LEVEL, Official, Roster
from monitor.meetings.titles import (
    COUNTRY_WORDS,
    FILLER,
    JA_ROLE,
    JA_TITLE,
    TITLE,
    country_of,
    resolve_role,
    role_of,
    title_after,
    title_before,
)

_NAME_WORD = re.compile(
    r"(?:[A-Z][a-z]+(?:[-'][A-Za-z][a-z]+)?|[A-Z]{2,}(?:-[A-Z]+)?|[A-Z]\.)(?=['’]s\b|[\s,.;:)]|$)"
)
# capitalised words that are not part of a name
_NAME_STOP = frozenset(
    [
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "And",
        "But",
        "Today",
        "Yesterday",
        "This",
        "That",
        "They",
        "He",
        "She",
        "We",
        "It",
        "Secretary",
        "Minister",
        "President",
        "Prime",
        "Foreign",
        "Defense",
        "State",
        "Vice",
        "Deputy",
        "Japan",
        "Japanese",
        "United",
        "Korea",
        "Republic",
        "Australia",
        "India",
        "Philippines",
        "Ministry",
        "Department",
        "Director",
        "Special",
        "Ambassador",
        "Under",
        "Assistant",
        "National",
        "Chief",
        "Cabinet",
        "General",
        "Affairs",
        "Bureau",
        "Senior",
        "Official",
        "Representative",
        "Mr",
        "Ms",
        "Dr",
        "For",
        "Of",
        "Honorable",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "U.S.",
        "ROK",
        "DPRK",
        "PRC",
        "Quad",
        "Pentagon",
        "Washington",
        "Tokyo",
        "White",
        "House",
        "Alliance",
        "Counterpart",
        "Counterparts",
        "Ministers",
        "Leaders",
        "Talks",
        "Meeting",
        "Japan's",
        "Cabinet",
        "Office",
        "Government",
        "Bureau",
        "Defense",
        "Secretaries",
        "Extraordinary",
        "Plenipotentiary",
        "H.E.",
        "His",
        "Her",
        "Excellency",
        "America",
        "States",
    ]
)
_JA_NAME = re.compile(r"([\u4e00-\u9fff々]{2,5}|[\u30a0-\u30ff・＝=]{2,20})$")
_JA_COUNTRY_CHARS = frozenset("日米韓豪印比中露英仏独加伊両国各")


@dataclass(frozen=True)
class Person:
    """An official named in a text, resolved as far as the roster and the words around allow."""

    name: str  # the roster's name, or the name as written
    country: str | None
    role: str | None
    official: Official | None
    start: int
    end: int

    @property
    def level(self) -> str | None:
        return ROLE_LEVEL.get(self.role or "")

    @property
    def key(self) -> str:
        return self.official.name if self.official else self.name.lower()


def _fit(official: Official, when: date | None, role: str | None, country: str | None) -> bool:
    if country and official.country != country:
        return False
    if not official.in_office(when):
        return False
    held = official.role_on(when)
    if role and held and role not in ("secretary", "cabinet-minister") and role != held:
        return _similar(role, held)
    return True


def _similar(written: str, held: str) -> bool:
    """A title that loosely names the role held (a Secretary of State called "Secretary")."""
    return ROLE_LEVEL.get(written) == ROLE_LEVEL.get(held) and written in (
        "cabinet-minister",
        "secretary",
    )


def people(
    text: str, when: date | None, roster: Roster, site_country: str | None = None
) -> list[Person]:
    """The officials `text` names, in order, each once (by identity)."""
    found: list[Person] = []
    taken: list[tuple[int, int]] = []
    for hit in roster.hits(text):
        role, country, _ = title_before(text, hit.start)
        if role is None:
            role, country = title_after(text, hit.end)
        role_w, country_w = resolve_role(role, country, None)
        candidates = [o for o in hit.officials if _fit(o, when, role_w, country_w)]
        if len(candidates) > 1 and role_w:
            exact = [o for o in candidates if o.role_on(when) == role_w]
            candidates = exact or candidates
        if len(candidates) == 1:
            official = candidates[0]
            found.append(
                Person(
                    official.name,
                    official.country,
                    official.role_on(when) or role_w,
                    official,
                    hit.start,
                    hit.end,
                )
            )
        elif role_w or country_w:
            role_w, country_w = resolve_role(role, country, site_country)
            nations = {o.country for o in hit.officials}
            if country_w is None and len(nations) == 1:
                country_w = nations.pop()  # out of office that day, but still of that country
            found.append(Person(hit.text, country_w, role_w, None, hit.start, hit.end))
        else:
            continue
        taken.append((hit.start, hit.end))
    found.extend(_unknown_latin(text, taken, site_country))
    found.extend(_unknown_japanese(text, taken))
    found.sort(key=lambda p: p.start)
    unique: list[Person] = []
    for person in found:
        if person.official is None or all(person.key != u.key for u in unique):
            unique.append(person)
    return unique


def _unknown_latin(
    text: str, taken: list[tuple[int, int]], site_country: str | None
) -> list[Person]:
    """Titled names the roster does not know: "Japanese Vice Foreign Minister Mori Takeo"."""
    out: list[Person] = []
    for match in TITLE.finditer(text):
        pos = match.end()
        # skip filler between the title and the name
        while True:
            word = re.match(r"\s*,?\s*(\(?[\w.'()-]+\)?,?)", text[pos:])
            if not word or word.group(1).rstrip(",") not in FILLER:
                break
            pos += word.end()
        names: list[str] = []
        cursor = pos
        while len(names) < 3:
            space = re.match(r"\s+", text[cursor:])
            gap = space.end() if space else 0
            name = _NAME_WORD.match(text, cursor + gap)
            if not name or name.group(0).rstrip(".") in _NAME_STOP or (names and gap == 0):
                break
            names.append(name.group(0))
            cursor = name.end()
        if not names or any(s <= pos < e or s < cursor <= e for s, e in taken):
            continue
        written = role_of(match)
        _, country, _ = title_before(text, pos)
        role, country = resolve_role(written, country, site_country)
        out.append(Person(" ".join(names), country, role, None, pos, cursor))
        taken.append((pos, cursor))
    return out


def _unknown_japanese(text: str, taken: list[tuple[int, int]]) -> list[Person]:
    """林外務大臣 / マルコ・ルビオ米国国務長官 when the roster does not know the name."""
    out: list[Person] = []
    for match in JA_TITLE.finditer(text):
        head = text[max(0, match.start() - 24) : match.start()]
        country = None
        for pattern, code in COUNTRY_WORDS:
            tail = re.search(f"(?:{pattern})$", head)
            if tail and not tail.group(0).isascii():
                country, head = code, head[: tail.start()]
                break
        name = _JA_NAME.search(head)
        if not name or set(name.group(1)) <= _JA_COUNTRY_CHARS:
            continue
        start = match.start() - (
            len(text[max(0, match.start() - 24) : match.start()]) - name.start()
        )
        if any(s < match.start() and e > start for s, e in taken):
            continue  # the roster knows the name (マルコ・ルビオ: ルビオ)
        role, default_country = JA_ROLE[match.group(0)]
        out.append(
            Person(
                name.group(1).strip("・"),
                country or default_country,
                role,
                None,
                start,
                match.end(),
            )
        )
        taken.append((start, match.end()))
    return out


_OFFICES = re.compile(
    r"(?:the )?(foreign|defen[cs]e)(?: and (foreign|defen[cs]e))? ministers? of "
    r"((?:(?:the )?[A-Z][\w ]*?)(?:(?:, | and |, and )(?:the )?[A-Z][\w ]*?)*)"
    r"(?= and the| met| held| convened|,|$)|(?<!Deputy )(?<!Under )(?<!Assistant )(?:the )?"
    r"Secretary of (State|Defense) of the United States",
    re.IGNORECASE,
)
_US_ROLES = {"foreign-minister": "secretary-of-state", "defense-minister": "secretary-of-defense"}


def offices(text: str, when: date, roster: Roster) -> list[Person]:
    """Principals named by office only: "the Foreign Ministers of Australia, India and Japan and
    the Secretary of State of the United States met" -> who held those offices that day."""
    out: list[Person] = []
    for match in _OFFICES.finditer(text):
        if match.group(4):
            role = (
                "secretary-of-state"
                if match.group(4).lower() == "state"
                else "secretary-of-defense"
            )
            pairs = [(role, "US")]
        else:
            roles = [
                "foreign-minister" if g.lower() == "foreign" else "defense-minister"
                for g in match.group(1, 2)
                if g
            ]
            codes = [
                code
                for part in re.split(r", and |, | and ", match.group(3))
                if (code := country_of(part.strip()))
            ]
            pairs = [(_US_ROLES[r] if code == "US" else r, code) for r in roles for code in codes]
        for role, code in pairs:
            holders = roster.holders(role, code, when)
            if len(holders) == 1:
                o = holders[0]
                out.append(Person(o.name, o.country, role, o, match.start(), match.end()))
    return out
