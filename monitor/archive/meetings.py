"""Meetings in the archive: one meeting, many sources, and which source said what."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from monitor.archive import Archive, PageRow
from monitor.errors import ArchiveError
from monitor.events import MeetingNew, MeetingSourceAdded
from monitor.meetings import EXTRACTOR_VERSION, extract_meeting, same_meeting, title_score
from monitor.meetings.merge import better_date, shared_people
from monitor.models import Meeting


def _row(archive: Archive, r: sqlite3.Row) -> Meeting:
    sources = [
        s[0]
        for s in archive.db.execute(
            "SELECT url FROM meeting_sources WHERE meeting_id=? ORDER BY added_at, url", (r["id"],)
        )
    ]
    return Meeting(
        id=r["id"],
        date=r["date"],
        kind=r["kind"],
        title=r["title"],
        location=r["location"],
        participants=tuple(json.loads(r["participants"])),
        sources=tuple(sources),
        duration=r["duration"],
        format=r["format"],
        level=r["level"],
        mode=r["mode"],
        countries=tuple(json.loads(r["countries"])),
        date_basis=r["date_basis"],
    )


def list_meetings(archive: Archive, since: str | None = None) -> list[Meeting]:
    rows = archive.db.execute(
        "SELECT * FROM meetings WHERE date >= ? ORDER BY date, id", (since or "0000-00-00",)
    )
    return [_row(archive, r) for r in rows]


def claims(archive: Archive, meeting_id: str) -> list[dict[str, Any]]:
    """What each source of a meeting said of it: its url, source, and its own reading."""
    rows = archive.db.execute(
        "SELECT url, source, added_at, claim FROM meeting_sources WHERE meeting_id=? "
        "ORDER BY added_at, url",
        (meeting_id,),
    )
    return [
        {
            "url": r["url"],
            "source": r["source"],
            "added_at": r["added_at"],
            "claim": json.loads(r["claim"]) if r["claim"] else None,
        }
        for r in rows
    ]


def _nearby(archive: Archive, when: str) -> list[Meeting]:
    day = date.fromisoformat(when)
    lo, hi = (day - timedelta(days=1)).isoformat(), (day + timedelta(days=1)).isoformat()
    rows = archive.db.execute(
        "SELECT * FROM meetings WHERE date BETWEEN ? AND ? ORDER BY id", (lo, hi)
    )
    return [_row(archive, r) for r in rows]


def _people(known: tuple[str, ...], found: tuple[str, ...]) -> tuple[str, ...]:
    """The principals of both reports, each once ("Blinken" and "Antony J. Blinken" are one;
    the longer name is kept)."""
    out = list(known)
    for name in found:
        same = [i for i, k in enumerate(out) if shared_people((name,), (k,))]
        if not same:
            out.append(name)
        elif len(name) > len(out[same[0]]):
            out[same[0]] = name
    return tuple(out)


SITE_LABELS = {
    "mofa": "MOFA (en)",
    "mofa-ja": "MOFA (ja)",
    "mod": "MOD",
    "state": "State",
    "defense": "DoD",
    "japannews": "The Japan News",
    "miragenews": "Mirage News",
}


def _claim(found: Meeting, site: str | None) -> str:
    data = found.to_json()
    for key in ("id", "sources"):
        data.pop(key)
    data["date_basis"] = found.date_basis
    data["site"] = site
    return json.dumps(data, ensure_ascii=False)


def source_sites(archive: Archive, meeting_id: str) -> dict[str, str]:
    """url -> the name of the site that reported the meeting there ("MOFA (ja)", "State")."""
    out = {}
    for said in claims(archive, meeting_id):
        site = (said["claim"] or {}).get("site")
        out[said["url"]] = SITE_LABELS.get(site or "", site or said["source"] or "")
    return out


def _refined(known: Meeting, found: Meeting, url: str) -> Meeting:
    """`known` with what a new source of it adds: a date read on better evidence, a place where
    there was none, more principals, a better title."""
    merged = replace(
        known,
        participants=_people(known.participants, found.participants),
        location=known.location or found.location,
        title=found.title if title_score(found.title) > title_score(known.title) else known.title,
        duration=known.duration or found.duration,
        sources=(*known.sources, url),
    )
    if better_date(known, found):
        merged = replace(merged, date=found.date, date_basis=found.date_basis)
    return merged


def record_meeting(
    archive: Archive, found: Meeting, source_id: str, now: str, site: str | None = None
) -> MeetingNew | MeetingSourceAdded | None:
    """Store a meeting report (inside the caller's transaction); `site` is the profile it was
    read with. Returns the event it causes: meeting_new, meeting_source_added, or None when
    this source was already known."""
    url = found.sources[0]
    for known in _nearby(archive, found.date):
        if not same_meeting(known, found):
            continue
        if url in known.sources:
            return None
        merged = _refined(known, found, url)
        archive.db.execute(
            "UPDATE meetings SET participants=?, location=?, title=?, duration=?, date=?, "
            "date_basis=? WHERE id=?",
            (
                json.dumps(list(merged.participants), ensure_ascii=False),
                merged.location,
                merged.title,
                merged.duration,
                merged.date,
                merged.date_basis,
                known.id,
            ),
        )
        archive.db.execute(
            "INSERT OR IGNORE INTO meeting_sources (meeting_id, url, source, added_at, claim) "
            "VALUES (?, ?, ?, ?, ?)",
            (known.id, url, source_id, now, _claim(found, site)),
        )
        return MeetingSourceAdded(merged.to_json(), source_id, url)
    meeting_id = found.id
    taken = {
        r[0]
        for r in archive.db.execute("SELECT id FROM meetings WHERE id LIKE ?", (f"{found.id}%",))
    }
    n = 2
    while meeting_id in taken:
        meeting_id, n = f"{found.id}-{n}", n + 1
    meeting = replace(found, id=meeting_id)
    archive.db.execute(
        "INSERT INTO meetings (id, date, kind, title, location, participants, duration, "
        "first_seen, format, level, mode, countries, date_basis) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            meeting.id,
            meeting.date,
            meeting.kind,
            meeting.title,
            meeting.location,
            json.dumps(list(meeting.participants), ensure_ascii=False),
            meeting.duration,
            now,
            meeting.format,
            meeting.level,
            meeting.mode,
            json.dumps(list(meeting.countries)),
            meeting.date_basis,
        ),
    )
    archive.db.execute(
        "INSERT INTO meeting_sources (meeting_id, url, source, added_at, claim) "
        "VALUES (?, ?, ?, ?, ?)",
        (meeting.id, url, source_id, now, _claim(found, site)),
    )
    return MeetingNew(meeting.to_json(), source_id, url)


def rebuild_meetings(archive: Archive, site_of: Callable[[PageRow], str]) -> tuple[int, int] | None:
    """When the meeting rules changed since the archive's meetings were found, find them again in
    every page's latest version (oldest first, so sources keep their order), silently: the
    meetings were reported when they appeared. Returns (meetings before, after), or None when
    the archive's meetings are already this extractor's. `site_of` names a page's profile."""
    row = archive.db.execute("SELECT value FROM meta WHERE key='meetings'").fetchone()
    if row is not None and row[0] == EXTRACTOR_VERSION:
        return None
    before = archive.db.execute("SELECT COUNT(*) FROM meetings").fetchone()[0]
    latest = []
    for page in archive.pages():
        version = archive.latest_version(page.id) if page.role not in ("listing", "feed") else None
        if version is not None:
            latest.append((version.fetched_at, page, version))
    with archive.transaction():
        archive.db.execute("DELETE FROM meeting_sources")
        archive.db.execute("DELETE FROM meetings")
        for fetched_at, page, version in sorted(latest, key=lambda t: (t[0], t[1].id)):
            try:
                doc = archive.document(version)
            except ArchiveError:
                continue  # a damaged blob: `monitor verify` names it
            site = site_of(page)
            found = extract_meeting(doc, site)
            if found is not None:
                record_meeting(archive, found, page.source_id, fetched_at, site)
        archive.db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('meetings', ?)", (EXTRACTOR_VERSION,)
        )
    after = archive.db.execute("SELECT COUNT(*) FROM meetings").fetchone()[0]
    return before, after
