"""The roster of officials: names, aliases, countries and terms, from monitor/data/roster.yaml.

A name in a document is resolved with the date of the meeting: "Secretary Blinken" in 2022 is
the Secretary of State, "Kishida" in 2016 the Foreign Minister; a bare family name that several
officials share ("Kim") is left to the caller to tell apart by title and country."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import yaml

from monitor.text import clean, has_cjk

# ranks, lowest first: a meeting's level is the lower of the two sides' top ranks
LEVELS = ("officials", "vice-ministers", "ministers", "leaders")
ROLE_LEVEL: dict[str, str] = {
    "president": "leaders",
    "prime-minister": "leaders",
    "vice-president": "ministers",
    "secretary-of-state": "ministers",
    "secretary-of-defense": "ministers",
    "foreign-minister": "ministers",
    "defense-minister": "ministers",
    "chief-cabinet-secretary": "ministers",
    "cabinet-minister": "ministers",
    "deputy-secretary": "vice-ministers",
    "under-secretary": "vice-ministers",
    "vice-minister": "vice-ministers",
    "state-minister": "vice-ministers",
    "national-security-advisor": "vice-ministers",
    "assistant-secretary": "officials",
    "special-representative": "officials",
    "ambassador": "officials",
    "director-general": "officials",
    "official": "officials",
}


def rank(level: str) -> int:
    return LEVELS.index(level)


@dataclass(frozen=True)
class Term:
    role: str
    start: date | None
    end: date | None

    def covers(self, when: date) -> bool:
        return (self.start is None or self.start <= when) and (self.end is None or when <= self.end)


@dataclass(frozen=True)
class Official:
    name: str
    family: str
    country: str
    aliases: tuple[str, ...]
    terms: tuple[Term, ...]

    def role_on(self, when: date | None) -> str | None:
        """The role held on `when` (the highest-ranked if several), or the latest if `when` is
        None; None when out of office that day."""
        held = [t for t in self.terms if when is None or t.covers(when)]
        if not held:
            return None
        if when is None:
            return held[-1].role
        return max(held, key=lambda t: rank(ROLE_LEVEL.get(t.role, "officials"))).role

    def in_office(self, when: date | None) -> bool:
        return when is None or not self.terms or any(t.covers(when) for t in self.terms)


@dataclass(frozen=True)
class Hit:
    """A name found in a text: where, as written, and the officials it may be."""

    start: int
    end: int
    text: str
    officials: tuple[Official, ...]  # several when they share the name (a family name)


@dataclass(frozen=True)
class Roster:
    officials: tuple[Official, ...]
    by_alias: dict[str, tuple[Official, ...]]

    @cached_property
    def _aliases(self) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
        latin = tuple((a, _first_word(a)) for a in self.by_alias if not has_cjk(a))
        return latin, tuple(a for a in self.by_alias if has_cjk(a))

    def hits(self, text: str) -> list[Hit]:
        """Every roster name in `text`, longest first where they overlap, in order."""
        words = words_of(text)
        latin, cjk = self._aliases
        present = frozenset(
            [a for a, first in latin if first in words and a in text]
            + ([a for a in cjk if a in text] if has_cjk(text) else [])
        )
        if not present:
            return []
        return [
            Hit(m.start(), m.end(), m.group(0), self.by_alias[m.group(0)])
            for m in _pattern(present).finditer(text)
        ]

    def find(self, text: str, when: date | None = None) -> list[Official]:
        """Officials named in `text`, in order of first mention; in office on `when` if given. A
        family name several officials share counts only when one of them is in office."""
        found: list[Official] = []
        for hit in self.hits(text):
            candidates = [o for o in hit.officials if o.in_office(when)]
            if len(candidates) != 1 or candidates[0] in found:
                continue
            found.append(candidates[0])
        return found

    def holders(self, role: str, country: str, when: date) -> list[Official]:
        """Who held `role` for `country` on `when`."""
        return [
            o
            for o in self.officials
            if o.country == country and any(t.role == role and t.covers(when) for t in o.terms)
        ]


def _date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _family(entry: dict[str, Any]) -> str:
    if entry.get("family"):
        return str(entry["family"])
    name = str(entry["name"]).split()
    return name[0] if entry.get("country") in ("JP", "KR", "CN") else name[-1]


def build(entries: list[dict[str, Any]]) -> Roster:
    officials = []
    by_alias: dict[str, list[Official]] = {}
    for entry in entries:
        terms = tuple(
            Term(str(t["role"]), _date(t.get("from")), _date(t.get("to")))
            for t in entry.get("terms", []) or []
        )
        family = clean(_family(entry))
        names = [str(entry["name"]), *[str(a) for a in entry.get("aliases", []) or []]]
        aliases = tuple(dict.fromkeys(clean(n) for n in names))
        official = Official(
            clean(str(entry["name"])), family, str(entry["country"]), aliases, terms
        )
        officials.append(official)
        for alias in aliases:
            by_alias.setdefault(alias, []).append(official)
        for alias in {family, family.upper()}:
            if official not in by_alias.setdefault(alias, []):
                by_alias[alias].append(official)
    return Roster(tuple(officials), {a: tuple(o) for a, o in by_alias.items()})


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


# every ASCII character that is not a letter, as a space: what _WORD splits on
_NOT_LETTERS = str.maketrans({i: " " for i in range(128) if not chr(i).isalpha()})


def words_of(text: str) -> set[str]:
    """The words _WORD finds in `text`; for ASCII text by translate and split, four times as fast
    (this runs on the opening of every page)."""
    if text.isascii():
        return set(text.translate(_NOT_LETTERS).split())
    return set(_WORD.findall(text))


@lru_cache(maxsize=4096)
def _first_word(alias: str) -> str:
    """The first word of a Latin alias: a set lookup rules most aliases out at once."""
    match = _WORD.search(alias)
    return match.group(0) if match else alias


@lru_cache(maxsize=1024)
def _pattern(aliases: frozenset[str]) -> re.Pattern[str]:
    """Whole-word matches of `aliases`, longest first ("Secretary Rubio" before "Rubio")."""
    parts = []
    for alias in sorted(aliases, key=lambda a: (-len(a), a)):
        escaped = re.escape(alias)
        parts.append(escaped if has_cjk(alias) else rf"(?<![\w.]){escaped}(?![\w-])")
    return re.compile("|".join(parts))


@lru_cache(maxsize=1)
def default_roster() -> Roster:
    text = resources.files("monitor").joinpath("data/roster.yaml").read_text(encoding="utf-8")
    return build(yaml.safe_load(text))
