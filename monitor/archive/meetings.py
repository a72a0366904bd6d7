"""Meetings in the archive: one meeting, many sources, and which source said what."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from monitor.archive import Archive, PageRow
from monitor.archive.schema import stamp
from monitor.errors import ArchiveError
from monitor.meetings import EXTRACTOR_VERSION, extract_meeting, same_meeting
from monitor.meetings.merge import better_date, better_place, better_title, shared_people
from monitor.models import Meeting, instant
from monitor.sites import SITE_LABELS

if TYPE_CHECKING:  # the commands that only read the archive need no event types
    from monitor.events import MeetingNew, MeetingSourceAdded


def _sources(archive: Archive, ids: list[str]) -> dict[str, list[sqlite3.Row]]:
    """The source rows of the meetings `ids` (one query), each meeting's in added order."""
    out: dict[str, list[sqlite3.Row]] = {i: [] for i in ids}
    for src in archive.db.execute(
        "SELECT meeting_id, url, source, added_at, claim FROM meeting_sources WHERE meeting_id "
        "IN (SELECT value FROM json_each(?)) ORDER BY added_at, url",
        (json.dumps(ids),),
    ):
        out[src["meeting_id"]].append(src)
    return out


def _meetings(archive: Archive, rows: list[sqlite3.Row]) -> list[tuple[Meeting, list[sqlite3.Row]]]:
    sources = _sources(archive, [r["id"] for r in rows])
    return [(_row(r, sources[r["id"]]), sources[r["id"]]) for r in rows]


def _row(r: sqlite3.Row, sources: list[sqlite3.Row]) -> Meeting:
    return Meeting(
        id=r["id"],
        date=r["date"],
        kind=r["kind"],
        title=r["title"],
        location=r["location"],
        participants=tuple(json.loads(r["participants"])),
        sources=tuple(s["url"] for s in sources),
        duration=r["duration"],
        format=r["format"],
        level=r["level"],
        mode=r["mode"],
        countries=tuple(json.loads(r["countries"])),
        date_basis=r["date_basis"],
    )


def _listed(archive: Archive, since: str | None) -> list[tuple[Meeting, list[sqlite3.Row]]]:
    rows = archive.db.execute(
        "SELECT * FROM meetings WHERE date >= ? ORDER BY date, id", (since or "0000-00-00",)
    ).fetchall()
    return _meetings(archive, rows)


def list_meetings(archive: Archive, since: str | None = None) -> list[Meeting]:
    return [meeting for meeting, _ in _listed(archive, since)]


def _said(src: sqlite3.Row) -> dict[str, Any]:
    return {
        "url": src["url"],
        "source": src["source"],
        "added_at": instant(src["added_at"]),
        "claim": json.loads(src["claim"]) if src["claim"] else None,
    }


def claims(archive: Archive, meeting_id: str) -> list[dict[str, Any]]:
    """What each source of a meeting said of it: its url, source, and its own reading."""
    return [_said(src) for src in _sources(archive, [meeting_id])[meeting_id]]


def _nearby(archive: Archive, when: str) -> list[Meeting]:
    day = date.fromisoformat(when)
    lo, hi = (day - timedelta(days=1)).isoformat(), (day + timedelta(days=1)).isoformat()
    rows = archive.db.execute(
        "SELECT * FROM meetings WHERE date BETWEEN ? AND ? ORDER BY id", (lo, hi)
    ).fetchall()
    return [meeting for meeting, _ in _meetings(archive, rows)]


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


def _claim(found: Meeting, site: str | None) -> str:
    data = found.to_json()
    for key in ("id", "sources"):
        data.pop(key)
    data["date_basis"] = found.date_basis
    data["site"] = site
    return json.dumps(data, ensure_ascii=False)


def _site(src: sqlite3.Row) -> str:
    """The name of the site that reported a meeting in this source row ("MOFA (ja)", "State")."""
    site = (json.loads(src["claim"]) if src["claim"] else {}).get("site")
    return SITE_LABELS.get(site or "", site or src["source"] or "")


def meetings_with_sites(archive: Archive) -> list[tuple[Meeting, list[tuple[str, str]]]]:
    """Every meeting with its sources as (site, url) pairs, read in two queries."""
    return [
        (meeting, [(_site(src), src["url"]) for src in sources])
        for meeting, sources in _listed(archive, None)
    ]


def _refined(known: Meeting, found: Meeting, url: str) -> Meeting:
    """`known` with what a new source of it adds: a date read on better evidence, a place where
    there was none, more principals, a better title."""
    merged = replace(
        known,
        participants=_people(known.participants, found.participants),
        location=better_place(known.location, found.location),
        title=better_title(known.title, found.title),
        duration=known.duration or found.duration,
        sources=(*known.sources, url),
    )
    if better_date(known, found):
        merged = replace(merged, date=found.date, date_basis=found.date_basis)
    return merged


def _add_source(
    archive: Archive, meeting_id: str, url: str, source_id: str, now: datetime, claim: str
) -> None:
    archive.db.execute(
        "INSERT OR IGNORE INTO meeting_sources (meeting_id, url, source, added_at, claim) "
        "VALUES (?, ?, ?, ?, ?)",
        (meeting_id, url, source_id, stamp(now), claim),
    )


def record_meeting(
    archive: Archive, found: Meeting, source_id: str, now: datetime, site: str | None = None
) -> MeetingNew | MeetingSourceAdded | None:
    """Store a meeting report (inside the caller's transaction); `site` is the profile it was
    read with. Returns the event it causes: meeting_new, meeting_source_added, or None when
    this source was already known."""
    from monitor.events import MeetingNew, MeetingSourceAdded

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
        _add_source(archive, known.id, url, source_id, now, _claim(found, site))
        return MeetingSourceAdded(merged, source_id, url)
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
            stamp(now),
            meeting.format,
            meeting.level,
            meeting.mode,
            json.dumps(list(meeting.countries)),
            meeting.date_basis,
        ),
    )
    _add_source(archive, meeting.id, url, source_id, now, _claim(found, site))
    return MeetingNew(meeting, source_id, url)


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
