"""Meetings in the archive: one meeting, many sources."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import date, timedelta

from monitor.archive import Archive
from monitor.meetings import same_meeting, title_score
from monitor.models import Event, Meeting


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
    )


def list_meetings(archive: Archive, since: str | None = None) -> list[Meeting]:
    rows = archive.db.execute(
        "SELECT * FROM meetings WHERE date >= ? ORDER BY date, id", (since or "0000-00-00",)
    )
    return [_row(archive, r) for r in rows]


def _nearby(archive: Archive, when: str) -> list[Meeting]:
    day = date.fromisoformat(when)
    lo, hi = (day - timedelta(days=1)).isoformat(), (day + timedelta(days=1)).isoformat()
    rows = archive.db.execute(
        "SELECT * FROM meetings WHERE date BETWEEN ? AND ? ORDER BY id", (lo, hi)
    )
    return [_row(archive, r) for r in rows]


def _merge(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*a, *b)))


def record_meeting(archive: Archive, found: Meeting, source_id: str, now: str) -> Event | None:
    """Store a meeting report (inside the caller's transaction). Returns the event it causes:
    meeting_new, meeting_source_added, or None when this source was already known."""
    url = found.sources[0]
    for known in _nearby(archive, found.date):
        if not same_meeting(known, found):
            continue
        if url in known.sources:
            return None
        participants = _merge(known.participants, found.participants)
        location = known.location or found.location
        title = found.title if title_score(found.title) > title_score(known.title) else known.title
        archive.db.execute(
            "UPDATE meetings SET participants=?, location=?, title=?, "
            "duration=COALESCE(duration, ?) WHERE id=?",
            (json.dumps(list(participants)), location, title, found.duration, known.id),
        )
        archive.db.execute(
            "INSERT OR IGNORE INTO meeting_sources VALUES (?, ?, ?, ?)",
            (known.id, url, source_id, now),
        )
        merged = replace(
            known,
            participants=participants,
            location=location,
            title=title,
            sources=(*known.sources, url),
        )
        return Event(
            "meeting_source_added", {"meeting": merged.to_json(), "source": source_id, "url": url}
        )
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
        "first_seen) VALUES (?,?,?,?,?,?,?,?)",
        (
            meeting.id,
            meeting.date,
            meeting.kind,
            meeting.title,
            meeting.location,
            json.dumps(list(meeting.participants)),
            meeting.duration,
            now,
        ),
    )
    archive.db.execute(
        "INSERT INTO meeting_sources VALUES (?, ?, ?, ?)", (meeting.id, url, source_id, now)
    )
    return Event("meeting_new", {"meeting": meeting.to_json(), "source": source_id, "url": url})
