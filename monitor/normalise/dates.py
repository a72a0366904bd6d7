"""Dates as the sites write them: 'July 8, 2026', '8 July 2026', '2026-07-08', '令和8年7月8日'."""

from __future__ import annotations

import re
from datetime import date, datetime

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}  # era year 1 = base + 1

# a month's name as the sites write it (one group), shared with the meeting stage's readings
MONTH = (
    r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_MDY = re.compile(MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.IGNORECASE)
_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + MONTH + r",?\s+(\d{4})", re.IGNORECASE)
_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")  # also 2026-07-08T10:00
_ERA = re.compile(r"(令和|平成|昭和)\s*(\d{1,2}|元)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_JA = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def month_number(name: str) -> int:
    """ "Sept." / "September" / "sep" -> 9."""
    return MONTHS[name.lower()[:3]]


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[int, date]]:
    """Every full date in `text`, as (position, date), in order of position."""
    found: list[tuple[int, date]] = []
    for m in _MDY.finditer(text):
        d = _make(int(m.group(3)), month_number(m.group(1)), int(m.group(2)))
        if d:
            found.append((m.start(), d))
    for m in _DMY.finditer(text):
        d = _make(int(m.group(3)), month_number(m.group(2)), int(m.group(1)))
        if d:
            found.append((m.start(), d))
    for m in _ISO.finditer(text):
        d = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            found.append((m.start(), d))
    for m in _ERA.finditer(text):
        year = 1 if m.group(2) == "元" else int(m.group(2))
        d = _make(ERAS[m.group(1)] + year, int(m.group(3)), int(m.group(4)))
        if d:
            found.append((m.start(), d))
    for m in _JA.finditer(text):
        d = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            found.append((m.start(), d))
    return sorted(found, key=lambda pair: pair[0])


def parse_date(text: str) -> date | None:
    """The first full date in `text`, or None."""
    found = find_dates(text)
    return found[0][1] if found else None


_ISO_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
)


def iso_time(text: str) -> str | None:
    """An ISO 8601 date or time found at the start of `text` ('2026-07-08T21:40:00-04:00',
    '2026-07-08 21:40', '2026-07-08'), as an ISO string keeping what it says: a zone when it
    has one, a bare day when it has no time. None when `text` does not start with one."""
    match = _ISO_TIME.match(text.strip())
    if not match or _make(*(int(g) for g in match.groups()[:3])) is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    if hour is None:
        return f"{year}-{month}-{day}"
    stamp = f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}"
    if zone:
        stamp += "+00:00" if zone == "Z" else (zone if ":" in zone else f"{zone[:3]}:{zone[3:]}")
    try:
        datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return stamp
