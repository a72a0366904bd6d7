"""One meeting, many sources: when two reports are of the same meeting, and which field wins.
Pure."""

from __future__ import annotations

import re
from datetime import date

from monitor.models import Meeting
from monitor.text import has_cjk

# how a date was read, best first: a later source's better reading refines the meeting's
DATE_BASES = ("stated", "relative", "dateline", "published")


def _tokens(name: str) -> frozenset[str]:
    return frozenset(w for w in re.split(r"[\s.]+", name.lower()) if len(w) > 1)


def shared_people(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """How many of `a`'s people are in `b` ("Blinken" is "Antony J. Blinken")."""
    return sum(1 for x in a if any(_tokens(x) & _tokens(y) for y in b))


def same_meeting(a: Meeting, b: Meeting) -> bool:
    """Two reports of one meeting (GUIDE.md): same format, level and mode, dates within a day
    (a call has two local days) and the same principals — at least two in common, or all of
    the smaller list. Different principals on the same day (a Secretary's meeting with the
    Foreign Minister and his call on the Prime Minister) are different meetings."""
    gap = abs((date.fromisoformat(a.date) - date.fromisoformat(b.date)).days)
    if gap > 1 or (a.format, a.level, a.mode) != (b.format, b.level, b.mode):
        return False
    if not a.participants or not b.participants:
        return (
            gap == 0
            and not a.participants
            and not b.participants
            and set(a.countries) == set(b.countries)
        )
    smaller = min(len(a.participants), len(b.participants))
    return shared_people(a.participants, b.participants) >= min(2, smaller)


def better_date(known: Meeting, found: Meeting) -> bool:
    """Does `found` read the date on better evidence than `known` did?"""
    return DATE_BASES.index(found.date_basis) < DATE_BASES.index(known.date_basis)


_GOOD_TITLE = re.compile(
    r"Japan-U\.?S\.?|U\.S\.-Japan|日米|Meeting|Talk|Summit|Consultative|会談|会合|協議",
    re.IGNORECASE,
)
_WEAK_TITLE = re.compile(
    r"Remarks|Gist|Press|Transcript|Readout|Joint Statement|記者会見", re.IGNORECASE
)


def title_score(title: str) -> int:
    """How well a page title names the meeting itself (MOFA's titles do best)."""
    return len(_GOOD_TITLE.findall(title)) - 2 * len(_WEAK_TITLE.findall(title))


def _rank(text: str) -> tuple[int, bool, int, str]:
    return title_score(text), not has_cjk(text), -len(text), text


def better_title(a: str, b: str) -> str:
    """The title a meeting keeps of two of its sources': the one naming the meeting best
    (`title_score`), then the English one, the shorter, and last by its text: the same whichever
    source a run records first (pages are fetched concurrently)."""
    return max(a, b, key=_rank)


def better_place(a: str | None, b: str | None) -> str | None:
    """The place a meeting keeps: the one there is, else of two the English one, then by text
    (again whatever the order the sources came in)."""
    if not a or not b:
        return a or b
    return max(a, b, key=lambda text: (not has_cjk(text), text))
