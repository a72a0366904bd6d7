"""When a meeting took place: the day a document states, read in the right time zone. Pure.

A release says "today" in its publisher's zone (State and DoD: U.S. Eastern; MOFA, MOD and The
Japan News: JST), so its publication time is read there; a transcript with a dateline and no date
was given on the day of its publication where it was given."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.normalise.dates import ERAS, MONTH, month_number

SITE_ZONES = {
    "state": "America/New_York",
    "defense": "America/New_York",
    "miragenews": "America/New_York",  # republishes U.S. releases, which count in their own zone
    "mofa": "Asia/Tokyo",
    "mofa-ja": "Asia/Tokyo",
    "mod": "Asia/Tokyo",
    "japannews": "Asia/Tokyo",
}
# a republisher whose pages give only their own day: Mirage News dates its pages in Sydney,
# half a day ahead of the U.S. releases it republishes ("today" there is the Eastern day)
DAY_ZONES = {"miragenews": "Australia/Sydney"}
# a date that says when something happened, not a modifier ("the DPRK's March 4 launch"):
# "On May 27, 2021,", "on May 3", "met ... on 11 February 2022", "In separate March 4 calls"
_MDY = MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?"
_DMY = r"(\d{1,2})(?:st|nd|rd|th)?\s+" + MONTH + r"(?:,?\s+(\d{4}))?"
_GOVERNED = re.compile(
    r"(?:\b[Oo]n\s+(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?"
    r"(?:"
    + _MDY
    + "|"
    + _DMY
    + r")(?![\w-]|\s+(?:\(\w+\)\s+)?(?:ballistic|missile|launch|test|statement|trilateral|"
    r"summit|meeting|joint)))"
    r"|(?:\b[Ii]n\s+(?:separate\s+)?" + _MDY + r"\s+(?:calls?|meetings?|talks))"
    r"|(?:^" + _MDY + r",)"
    r"|(?:\b(?:held|met|convened|took place)\b[^.;]{0,60}?\bon\s+" + _MDY + r")",
)
_JA_DATE = re.compile(
    r"(?:(令和|平成)\s*(\d{1,2}|元)\s*年|(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)
_WEEKDAY = re.compile(
    r"\b(?:on\s+|last\s+|early\s+|late\s+)?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"(?!,?\s+" + MONTH + ")"
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_RELATIVE = re.compile(
    r"\b(today|this morning|this afternoon|this evening|tonight|earlier today|yesterday|"
    r"last night|last evening)\b|(本日|今日|昨日|今朝)",
    re.IGNORECASE,
)
_OFFSET = {"yesterday": -1, "last night": -1, "last evening": -1, "昨日": -1}
# MOFA: "On May 24, commencing at 6:00 a.m. (5:00 p.m. on May 23, local time)"
_LOCAL_PAREN = re.compile(r"\(([^()]*?)\b(?:on\s+)?" + MONTH + r"\s+(\d{1,2})\s*,?\s*local time\)")
_JA_LOCAL = re.compile(r"(?:現地時間|現地)\s*(?:(\d{1,2})\s*月)?\s*(\d{1,2})\s*日")


@dataclass(frozen=True)
class Published:
    day: date | None  # the publication day in the publisher's zone
    moment: datetime | None  # the publication time, when known to the minute

    def day_in(self, zone: str | None) -> date | None:
        if self.moment is None or zone is None:
            return self.day
        return self.moment.astimezone(ZoneInfo(zone)).date()


def published(stamp: str | None, site: str | None) -> Published:
    """A page's publication time read in its publisher's zone (a bare day is already local)."""
    if not stamp:
        return Published(None, None)
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return Published(None, None)
    if "T" not in stamp:
        if site in DAY_ZONES:  # a bare day in the republisher's zone, read as its noon
            noon = datetime.combine(moment.date(), datetime.min.time().replace(hour=12))
            moment = noon.replace(tzinfo=ZoneInfo(DAY_ZONES[site]))
            return Published(moment.astimezone(ZoneInfo(SITE_ZONES[site])).date(), None)
        return Published(moment.date(), None)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(SITE_ZONES.get(site or "", "UTC")))
    zone = SITE_ZONES.get(site or "")
    return Published(moment.astimezone(ZoneInfo(zone)).date() if zone else moment.date(), moment)


def _year_for(month: int, day: int, pub: date | None) -> date | None:
    """A day written without its year: the latest such day not more than a week after
    publication (a December meeting published in January is last year's)."""
    if pub is None:
        return None
    for year in (pub.year, pub.year - 1, pub.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= pub + timedelta(days=7):
            return candidate
    return None


def _mk(year: str | None, month: int, day: int, pub: date | None) -> date | None:
    if year:
        try:
            return date(int(year), month, day)
        except ValueError:
            return None
    return _year_for(month, day, pub)


def stated(text: str, pub: date | None) -> date | None:
    """The day a sentence says the meeting took place, or None."""
    local = _LOCAL_PAREN.search(text)
    if local:
        found = _year_for(month_number(local.group(2)), int(local.group(3)), pub)
        if found:
            return found
    match = _GOVERNED.search(text)
    if match:
        g = match.groups()
        # groups: on-MDY (3), on-DMY (3), in-separate MDY (3), leading MDY (3), held-on MDY (3)
        for base in (0, 6, 9, 12):
            if g[base]:
                return _mk(g[base + 2], month_number(g[base]), int(g[base + 1]), pub)
        if g[4]:
            return _mk(g[5], month_number(g[4]), int(g[3]), pub)
    ja_local = _JA_LOCAL.search(text)
    ja_first = _JA_DATE.search(text[:40])
    if ja_local and (ja_local.group(1) or ja_first):
        local_month = ja_local.group(1) or (ja_first.group(4) if ja_first else "")
        return _year_for(int(local_month), int(ja_local.group(2)), pub)
    ja = _JA_DATE.match(text.strip()) or _JA_DATE.search(text[:40])
    if ja:
        era, era_year, year, month, day = ja.groups()
        if era:
            base = ERAS[era]
            year = str(base + (1 if era_year == "元" else int(era_year)))
        return _mk(year, int(month), int(day), pub)
    return None


def weekday(text: str, pub: date | None) -> date | None:
    """ "met on Tuesday": the latest Tuesday on or before publication."""
    match = _WEEKDAY.search(text)
    if not match or pub is None:
        return None
    target = _WEEKDAYS.index(match.group(1).lower())
    return pub - timedelta(days=(pub.weekday() - target) % 7)


def relative(text: str, pub: date | None) -> date | None:
    """ "spoke today" / 「本日」 / "yesterday", counted from the publication day."""
    match = _RELATIVE.search(text)
    if not match or pub is None:
        return None
    word = (match.group(1) or match.group(2)).lower()
    return pub + timedelta(days=_OFFSET.get(word, 0))
