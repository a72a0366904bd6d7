"""The roster of officials: names, aliases, countries and terms, from monitor/data/roster.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import yaml

from monitor.textnorm import clean, has_cjk


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
    country: str
    aliases: tuple[str, ...]
    terms: tuple[Term, ...]

    def role_on(self, when: date | None) -> str | None:
        for term in self.terms:
            if when is None or term.covers(when):
                return term.role
        return None


@dataclass(frozen=True)
class Roster:
    officials: tuple[Official, ...]
    pattern: re.Pattern[str]
    by_alias: dict[str, Official]

    @cached_property
    def _aliases(self) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
        latin = tuple((a, _first_word(a)) for a in self.by_alias if not has_cjk(a))
        return latin, tuple(a for a in self.by_alias if has_cjk(a))

    def find(self, text: str, when: date | None = None) -> list[Official]:
        """Officials named in `text`, in order of first mention; in office on `when` if given."""
        found: list[Official] = []
        words = words_of(text)
        latin, cjk = self._aliases
        present = frozenset(
            [a for a, first in latin if first in words and a in text]
            + ([a for a in cjk if a in text] if has_cjk(text) else [])
        )
        if not present:
            return found
        for match in _pattern(present).finditer(text):
            official = self.by_alias[match.group(0)]
            if official in found:
                continue
            if when is not None and official.terms and official.role_on(when) is None:
                continue
            found.append(official)
        return found


def _date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def build(entries: list[dict[str, Any]]) -> Roster:
    officials = []
    by_alias: dict[str, Official] = {}
    for entry in entries:
        terms = tuple(
            Term(str(t["role"]), _date(t.get("from")), _date(t.get("to")))
            for t in entry.get("terms", []) or []
        )
        names = [str(entry["name"]), *[str(a) for a in entry.get("aliases", []) or []]]
        official = Official(
            str(entry["name"]), str(entry["country"]), tuple(clean(n) for n in names), terms
        )
        officials.append(official)
        for alias in official.aliases:
            by_alias.setdefault(alias, official)
    return Roster(tuple(officials), _pattern(frozenset(by_alias)), by_alias)


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
        parts.append(escaped if has_cjk(alias) else rf"(?<![\w.]){escaped}(?!\w)")
    return re.compile("|".join(parts))


@lru_cache(maxsize=1)
def default_roster() -> Roster:
    text = resources.files("monitor").joinpath("data/roster.yaml").read_text(encoding="utf-8")
    return build(yaml.safe_load(text))
