"""The index's schema, the rows read from it, and the stored forms of what it keeps: documents as
compact JSON, instants as UTC text to the second ("2026-03-01T09:00:00Z")."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

import orjson

from monitor.models import Document, instant, iso

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, kind TEXT NOT NULL, baseline_at TEXT);
CREATE TABLE IF NOT EXISTS pages (
    id INTEGER PRIMARY KEY, url TEXT NOT NULL, source_id TEXT NOT NULL,
    role TEXT NOT NULL, first_seen TEXT NOT NULL, last_checked TEXT, title TEXT,
    etag TEXT, last_modified TEXT, failures INTEGER NOT NULL DEFAULT 0,
    failing_alerted_at TEXT, last_error TEXT, UNIQUE (source_id, url));
CREATE INDEX IF NOT EXISTS pages_url ON pages(url);
CREATE INDEX IF NOT EXISTS pages_source ON pages(source_id);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY, page_id INTEGER NOT NULL REFERENCES pages(id), seq INTEGER NOT NULL,
    fetched_at TEXT NOT NULL, raw_sha TEXT NOT NULL, doc_sha TEXT NOT NULL,
    text_sha TEXT NOT NULL, rules TEXT NOT NULL, size INTEGER NOT NULL, status INTEGER,
    content_type TEXT, final_url TEXT, headers TEXT, UNIQUE (page_id, seq));
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, report TEXT, pid INTEGER);
CREATE TABLE IF NOT EXISTS checks (
    id INTEGER PRIMARY KEY, page_id INTEGER NOT NULL, run_id INTEGER, at TEXT NOT NULL,
    outcome TEXT NOT NULL, error TEXT);
CREATE INDEX IF NOT EXISTS checks_page ON checks(page_id);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, run_id INTEGER, type TEXT NOT NULL, created_at TEXT NOT NULL,
    source TEXT, url TEXT, payload TEXT NOT NULL, version_id INTEGER, old_version_id INTEGER,
    reported_run INTEGER);
CREATE INDEX IF NOT EXISTS events_unreported ON events(reported_run);
CREATE TABLE IF NOT EXISTS outbox (
    event_id INTEGER PRIMARY KEY REFERENCES events(id), queued_at TEXT NOT NULL,
    digest TEXT, sent_at TEXT);
CREATE INDEX IF NOT EXISTS outbox_digest ON outbox(digest);
-- a digest as composed, stored with its events (outbox.digest) before it is sent, so that after
-- a crash exactly that message goes again; its message is dropped once the server accepted it
CREATE TABLE IF NOT EXISTS digests (
    id TEXT PRIMARY KEY, composed_at TEXT NOT NULL, events INTEGER NOT NULL, message BLOB,
    sent_at TEXT);
CREATE TABLE IF NOT EXISTS meetings (
    id TEXT PRIMARY KEY, date TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
    location TEXT, participants TEXT NOT NULL, duration TEXT, first_seen TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS meetings_date ON meetings(date);
CREATE TABLE IF NOT EXISTS meeting_sources (
    meeting_id TEXT NOT NULL REFERENCES meetings(id), url TEXT NOT NULL, source TEXT,
    added_at TEXT NOT NULL, PRIMARY KEY (meeting_id, url));
"""
# the channels digests go to, and each digest's delivery to each of them. Created in one
# transaction with what an archive of before them had coming: an archive that mailed (a digest,
# or an event in a digest or marked sent) had email on, so email stays a channel and a digest it
# had not yet been sent goes to it; an archive that never mailed has no channel, and its queued
# events are not mailed once email is configured (`notify.sync_channels`).
CHANNELS = """
BEGIN IMMEDIATE;
-- a channel since it was configured: `email`, or `notify:` and a hash of its URL (a URL may hold
-- a token, never stored); `name` says which one without its secrets
CREATE TABLE IF NOT EXISTS channels (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, added_at TEXT NOT NULL);
-- a digest for a channel: composed for each channel there was, sent to each on its own
CREATE TABLE IF NOT EXISTS deliveries (
    digest TEXT NOT NULL, channel TEXT NOT NULL, sent_at TEXT, tried_at TEXT, error TEXT,
    PRIMARY KEY (digest, channel));
INSERT OR IGNORE INTO channels (id, name, added_at)
    SELECT 'email', 'email', strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
    WHERE EXISTS (SELECT 1 FROM digests)
       OR EXISTS (SELECT 1 FROM outbox WHERE digest IS NOT NULL OR sent_at IS NOT NULL);
INSERT OR IGNORE INTO deliveries (digest, channel)
    SELECT id, 'email' FROM digests d WHERE sent_at IS NULL
    AND EXISTS (SELECT 1 FROM channels WHERE id = 'email')
    AND NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.digest = d.id);
COMMIT;
"""
# columns added since the first schema: (table, column, declaration); added to older archives
# when they are opened
ADDED_COLUMNS = (
    ("meetings", "format", "TEXT NOT NULL DEFAULT 'bilateral'"),
    ("meetings", "level", "TEXT NOT NULL DEFAULT 'ministers'"),
    ("meetings", "mode", "TEXT NOT NULL DEFAULT 'in-person'"),
    ("meetings", "countries", 'TEXT NOT NULL DEFAULT \'["JP", "US"]\''),
    ("meetings", "date_basis", "TEXT NOT NULL DEFAULT 'stated'"),
    # what each source said of the meeting (date, place, people ...): which source said what
    ("meeting_sources", "claim", "TEXT"),
    # a feed item's own identity (RSS guid, Atom id): its link may change, the item stays
    ("pages", "guid", "TEXT"),
    # a page removed (404/410 told as page_removed) or forgotten by hand: no longer checked
    ("pages", "retired_at", "TEXT"),
    # what the run's report said in one line, as the index lists it
    ("runs", "summary", "TEXT"),
)


def create(db: sqlite3.Connection, *, fsync: bool) -> None:
    """Set a writable index up: WAL, the schema, the columns an older archive lacks."""
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={'FULL' if fsync else 'NORMAL'}")
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(SCHEMA)
    for table, column, declaration in missing_columns(db):
        try:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        except sqlite3.OperationalError as exc:
            if "duplicate column" not in str(exc):  # another process added it first
                raise
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'channels'").fetchone():
        db.executescript(CHANNELS)
    db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))


def missing_columns(db: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """The ADDED_COLUMNS this index lacks."""
    return [
        (table, column, declaration)
        for table, column, declaration in ADDED_COLUMNS
        if column not in {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
    ]


def stamp(when: datetime) -> str:
    """An aware datetime in the stored form; a naive one is refused (whose clock was it?)."""
    if when.tzinfo is None:
        raise ValueError(f"the archive takes aware datetimes, not {when!r}")
    return iso(when)


def stamp_or_none(when: datetime | None) -> str | None:
    return None if when is None else stamp(when)


def instant_or_none(text: str | None) -> datetime | None:
    """A stored instant as an aware UTC datetime (None stays None)."""
    return None if text is None else instant(text)


@dataclass(frozen=True)
class PageRow:
    id: int
    url: str
    source_id: str
    role: str
    title: str | None
    etag: str | None
    last_modified: str | None
    failures: int
    failing_alerted_at: datetime | None
    first_seen: datetime
    retired_at: datetime | None = None  # removed or forgotten: no longer checked

    @property
    def failing(self) -> bool:
        """Failed since its last success, or an alert about it went out."""
        return self.failures > 0 or self.failing_alerted_at is not None


@dataclass(frozen=True)
class VersionRow:
    id: int
    page_id: int
    seq: int
    fetched_at: datetime
    raw_sha: str
    doc_sha: str
    text_sha: str
    rules: str
    size: int
    status: int | None
    content_type: str | None
    final_url: str | None
    headers: dict[str, str]


def page_row(row: sqlite3.Row) -> PageRow:
    return PageRow(
        row["id"],
        row["url"],
        row["source_id"],
        row["role"],
        row["title"],
        row["etag"],
        row["last_modified"],
        row["failures"],
        instant_or_none(row["failing_alerted_at"]),
        instant(row["first_seen"]),
        instant_or_none(_column(row, "retired_at")),
    )


def _column(row: sqlite3.Row, name: str) -> str | None:
    """A column an older archive opened read-only may lack (None then)."""
    try:
        value: str | None = row[name]
    except IndexError:
        return None
    return value


def version_row(row: sqlite3.Row) -> VersionRow:
    return VersionRow(
        row["id"],
        row["page_id"],
        row["seq"],
        instant(row["fetched_at"]),
        row["raw_sha"],
        row["doc_sha"],
        row["text_sha"],
        row["rules"],
        row["size"],
        row["status"],
        row["content_type"],
        row["final_url"],
        json.loads(row["headers"] or "{}"),
    )


def canonical(doc: Document) -> bytes:
    """The stored form of a document: compact UTF-8 JSON (orjson: ~8x faster than json here,
    where every new version of a 100 KB page is serialised)."""
    return orjson.dumps(doc.to_json())
