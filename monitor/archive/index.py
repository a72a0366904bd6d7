"""Archive stage: an SQLite (WAL) index over content-addressed blobs, with a process lock."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import astuple, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import orjson

from monitor.archive.blobs import BlobStore
from monitor.errors import ArchiveDamaged, ArchiveError, ArchiveUnreadable
from monitor.events import TypedEvent
from monitor.models import Document, Event, text_digest
from monitor.testing import crash

if TYPE_CHECKING:  # page workers import this module and need no pydantic
    from monitor.config import Config

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
)


QUIET_BATCH = 500
# a check held back by Archive.record_quiet_check: page id, run id, time, outcome and the page's
# new (etag, last_modified, title) if they are to be written
QuietCheck = tuple[int, int | None, str, str, tuple[str | None, str | None, str] | None]


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
    failing_alerted_at: str | None
    first_seen: str

    @property
    def failing(self) -> bool:
        """Failed since its last success, or an alert about it went out."""
        return self.failures > 0 or self.failing_alerted_at is not None


@dataclass(frozen=True)
class VersionRow:
    id: int
    page_id: int
    seq: int
    fetched_at: str
    raw_sha: str
    doc_sha: str
    text_sha: str
    rules: str
    size: int
    status: int | None
    content_type: str | None
    final_url: str | None
    headers: dict[str, str]


class Lock:
    """An exclusive lock on an archive directory, naming its holder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "another process"
        except OSError:
            return "another process"

    def acquire(self, timeout: float = 0.0, poll: float = 0.2) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise ArchiveError(
                        f"archive {self.path.parent} is locked by {self.holder()}"
                    ) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} ({' '.join(sys.argv[:2])})\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _page(row: sqlite3.Row) -> PageRow:
    return PageRow(
        row["id"],
        row["url"],
        row["source_id"],
        row["role"],
        row["title"],
        row["etag"],
        row["last_modified"],
        row["failures"],
        row["failing_alerted_at"],
        row["first_seen"],
    )


def _version(row: sqlite3.Row) -> VersionRow:
    return VersionRow(
        row["id"],
        row["page_id"],
        row["seq"],
        row["fetched_at"],
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


class Archive:
    """The snapshots directory. Open with `Archive.open(path, lock=True)`, or
    `Archive.open(path, lock=False, readonly=True)` to read it without writing a byte."""

    def __init__(
        self,
        root: Path,
        *,
        fsync: bool = False,
        busy_timeout: float = 30.0,
        readonly: bool = False,
    ) -> None:
        self.root = root
        self.readonly = readonly
        self.outdated: list[str] = []  # columns a read-only open found missing: `table.column`
        self._immutable: tuple[int, int] | None = None  # read as immutable: (mtime, size) then
        self._depth = 0
        self._quiet: list[QuietCheck] = []
        self.lock = Lock(root / "monitor.lock")
        if readonly:
            self.blobs = BlobStore(root / "blobs", readonly=True)
            self.db = self._open_readonly(busy_timeout)
            return
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"cannot create archive directory {root}: {exc.strerror}") from None
        self.blobs = BlobStore(root / "blobs", fsync=fsync)
        try:
            self.db = sqlite3.connect(
                root / "index.sqlite", isolation_level=None, timeout=busy_timeout
            )
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(f"PRAGMA synchronous={'FULL' if fsync else 'NORMAL'}")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(SCHEMA)
            self._add_columns()
            self.db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
            )
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def _open_readonly(self, busy_timeout: float) -> sqlite3.Connection:
        """The index opened for reading only: no schema, no pragma that writes, no lock file, no
        `-wal`/`-shm` created, so that it works on a read-only archive or as another user. With
        no `-wal` beside it no writer has it open (a WAL writer keeps one), and it is read as
        immutable, from the file alone (`changed` tells whether a writer came meanwhile); with
        one, through the WAL, whose `-shm` is there too."""
        path = self.root / "index.sqlite"
        if not path.is_file():
            raise ArchiveError(f"{self.root}: no archive here")
        wal = path.with_name(path.name + "-wal").exists()
        if not wal:
            st = path.stat()
            self._immutable = (st.st_mtime_ns, st.st_size)
        uri = f"file:{quote(str(path.absolute()))}?mode=ro{'' if wal else '&immutable=1'}"
        try:
            db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=busy_timeout)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA query_only=ON")
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # opens it: fails here
            for table, column, _ in ADDED_COLUMNS:
                if column not in {r[1] for r in db.execute(f"PRAGMA table_info({table})")}:
                    self.outdated.append(f"{table}.{column}")
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        return db

    def changed(self) -> bool:
        """Read as immutable, and a writer has opened or changed the index since: what was read
        may mix two states (never so when read through the WAL)."""
        if self._immutable is None:
            return False
        path = self.root / "index.sqlite"
        try:
            st = path.stat()
        except OSError:
            return True
        wal = path.with_name(path.name + "-wal").exists()
        return wal or (st.st_mtime_ns, st.st_size) != self._immutable

    def _add_columns(self) -> None:
        for table, column, declaration in ADDED_COLUMNS:
            have = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
            if column in have:
                continue
            try:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
            except sqlite3.OperationalError as exc:
                if "duplicate column" not in str(exc):  # another process added it first
                    raise

    @classmethod
    def open(
        cls,
        root: Path,
        *,
        lock: bool = True,
        lock_timeout: float = 0.0,
        fsync: bool = False,
        busy_timeout: float = 30.0,
        readonly: bool = False,
    ) -> Archive:
        if readonly and lock:
            raise ValueError("a read-only archive takes no lock")
        archive = cls(root, fsync=fsync, busy_timeout=busy_timeout, readonly=readonly)
        if lock:
            try:
                archive.lock.acquire(lock_timeout)
            except ArchiveError:
                archive.db.close()
                raise
            archive.blobs.clear_staging()  # the lock holder's run is the only writer
        return archive

    @classmethod
    def for_config(cls, config: Config, *, lock: bool = True, readonly: bool = False) -> Archive:
        a = config.archive
        return cls.open(
            config.archive_dir,
            lock=lock,
            lock_timeout=a.lock_timeout,
            fsync=a.fsync,
            busy_timeout=a.busy_timeout,
            readonly=readonly,
        )

    def close(self) -> None:
        try:
            self.flush_checks()
        finally:
            self.lock.release()
            self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit: versions, checks and the events they cause commit together."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self.db.execute("ROLLBACK")
            raise
        self._depth = 0
        crash.point("before-commit")
        self._execute("COMMIT")
        crash.point("after-commit")

    def _execute(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, args)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def _executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        try:
            self.db.executemany(sql, rows)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def _error(self, exc: sqlite3.DatabaseError) -> ArchiveError:
        """ArchiveUnreadable when SQLite could not read or write (a full disk, an I/O error, no
        permission, busy): that says nothing of whether the archive is sound."""
        where = self.root / "index.sqlite"
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF  # the primary result code
        if code in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR) and disk_full(self.root):
            return ArchiveUnreadable(f"{where}: the disk is full ({exc})")
        if code in UNREADABLE_CODES:
            return ArchiveUnreadable(f"{where}: {exc}")
        return ArchiveError(f"{where}: {exc}")

    # --- sources and pages ------------------------------------------------------------------

    def ensure_source(self, source_id: str, url: str, kind: str) -> bool:
        """Register a source; True when it has had its baseline."""
        self._execute(
            "INSERT INTO sources (id, url, kind) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET url=excluded.url, kind=excluded.kind",
            (source_id, url, kind),
        )
        row = self._execute("SELECT baseline_at FROM sources WHERE id=?", (source_id,)).fetchone()
        return row["baseline_at"] is not None

    def set_baseline(self, source_id: str, at: str) -> None:
        self._execute("UPDATE sources SET baseline_at=? WHERE id=?", (at, source_id))

    def page(self, url: str, source_id: str | None = None) -> PageRow | None:
        """The page at `url` (as tracked by `source_id`, if given)."""
        if source_id is None:
            row = self._execute("SELECT * FROM pages WHERE url=? ORDER BY id", (url,)).fetchone()
        else:
            row = self._execute(
                "SELECT * FROM pages WHERE url=? AND source_id=?", (url, source_id)
            ).fetchone()
        return _page(row) if row else None

    def ensure_page(
        self, url: str, source_id: str, role: str, now: str, guid: str | None = None
    ) -> PageRow:
        known = self.page(url, source_id)  # the common case: one read, no write transaction
        if known is not None:
            return known
        self._execute(
            "INSERT OR IGNORE INTO pages (url, source_id, role, first_seen, guid) "
            "VALUES (?, ?, ?, ?, ?)",
            (url, source_id, role, now, guid),
        )
        page = self.page(url, source_id)
        assert page is not None
        return page

    def pages(self, source_id: str | None = None, role: str | None = None) -> list[PageRow]:
        sql, args = "SELECT * FROM pages WHERE 1=1", list[str]()
        if source_id:
            sql, args = sql + " AND source_id=?", [*args, source_id]
        if role:
            sql, args = sql + " AND role=?", [*args, role]
        return [_page(r) for r in self._execute(sql + " ORDER BY id", tuple(args))]

    def pages_by_guid(self, source_id: str) -> dict[str, PageRow]:
        """A feed's item pages by their guid (items archived before guids were kept have none)."""
        rows = self._execute(
            "SELECT * FROM pages WHERE source_id=? AND guid IS NOT NULL ORDER BY id", (source_id,)
        )
        return {r["guid"]: _page(r) for r in rows}

    def set_guid(self, page_id: int, guid: str) -> None:
        self._execute("UPDATE pages SET guid=? WHERE id=? AND guid IS NULL", (guid, page_id))

    def move_page(self, page: PageRow, url: str) -> PageRow:
        """A feed item whose link changed under the same guid: the page, and the meeting sources
        it gave, answer to `url` now; its versions keep the URL they were archived under."""
        with self.transaction():
            self._execute("UPDATE pages SET url=? WHERE id=?", (url, page.id))
            self._execute(
                "UPDATE OR IGNORE meeting_sources SET url=? WHERE url=? AND source=?",
                (url, page.url, page.source_id),
            )
        return replace(page, url=url)

    def update_page(self, page_id: int, **fields: Any) -> None:
        allowed = {
            "title",
            "etag",
            "last_modified",
            "failures",
            "failing_alerted_at",
            "last_error",
            "last_checked",
        }
        assert set(fields) <= allowed, fields
        cols = ", ".join(f"{k}=?" for k in fields)
        self._execute(f"UPDATE pages SET {cols} WHERE id=?", (*fields.values(), page_id))

    # --- versions and checks ----------------------------------------------------------------

    def latest_version(self, page_id: int) -> VersionRow | None:
        row = self._execute(
            "SELECT * FROM versions WHERE page_id=? ORDER BY seq DESC LIMIT 1", (page_id,)
        ).fetchone()
        return _version(row) if row else None

    def versions(self, page_id: int) -> list[VersionRow]:
        rows = self._execute("SELECT * FROM versions WHERE page_id=? ORDER BY seq", (page_id,))
        return [_version(r) for r in rows]

    def version(self, page_id: int, seq: int) -> VersionRow | None:
        row = self._execute(
            "SELECT * FROM versions WHERE page_id=? AND seq=?", (page_id, seq)
        ).fetchone()
        return _version(row) if row else None

    def checks_between(self, page_id: int, since: str, until: str) -> int:
        """How many checks of the page were recorded from `since` up to (not at) `until`."""
        return int(
            self._execute(
                "SELECT COUNT(*) FROM checks WHERE page_id=? AND at >= ? AND at < ?",
                (page_id, since, until),
            ).fetchone()[0]
        )

    def add_version(
        self,
        page_id: int,
        *,
        fetched_at: str,
        raw: bytes,
        doc: Document | None,
        rules: str,
        status: int | None,
        content_type: str | None,
        final_url: str | None,
        headers: dict[str, str],
        text_sha: str | None = None,
        stored: tuple[str, str] | None = None,
    ) -> VersionRow:
        """Write both blobs, then the row: a row never points at a blob that is not there.
        `text_sha` is `text_digest(doc)` when the caller has it already; `stored` the digests of
        the raw page and the document when a page worker has stored them (then `doc` may be
        None)."""
        if stored is not None:
            raw_sha, doc_sha = stored
        elif doc is not None:
            raw_sha, doc_sha = self.blobs.put(raw), self.blobs.put(canonical(doc))
        else:
            raise ValueError("add_version needs the document or its stored blobs")
        crash.point("blob-written")
        last = self.latest_version(page_id)
        seq = (last.seq if last else 0) + 1
        keep = {
            k: v
            for k, v in headers.items()
            if k
            in (
                "content-type",
                "etag",
                "last-modified",
                "date",
                "server",
                "content-language",
                "location",
            )
        }
        version = VersionRow(
            0,  # the row's id, known once it is inserted
            page_id,
            seq,
            fetched_at,
            raw_sha,
            doc_sha,
            text_sha or (text_digest(doc) if doc is not None else ""),
            rules,
            len(raw),
            status,
            content_type,
            final_url,
            keep,
        )
        values = astuple(version)[1:-1]
        cur = self._execute(
            "INSERT INTO versions (page_id, seq, fetched_at, raw_sha, doc_sha, text_sha, rules, "
            "size, status, content_type, final_url, headers) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (*values, json.dumps(keep)),
        )
        assert cur.lastrowid is not None
        return replace(version, id=cur.lastrowid)

    def document(self, version: VersionRow) -> Document:
        """The version's document; ArchiveDamaged when its blob is missing, damaged or not a
        document."""
        data = self.blobs.get(version.doc_sha)
        try:
            return Document.from_json(orjson.loads(data))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # JSONDecodeError too
            raise ArchiveDamaged(
                f"version {version.id}: blob {version.doc_sha} is not a document ({exc!r})"
            ) from None

    def raw(self, version: VersionRow) -> bytes:
        return self.blobs.get(version.raw_sha)

    def record_check(
        self, page_id: int, run_id: int | None, at: str, outcome: str, error: str | None = None
    ) -> None:
        self._execute(
            "INSERT INTO checks (page_id, run_id, at, outcome, error) VALUES (?,?,?,?,?)",
            (page_id, run_id, at, outcome, error),
        )
        self._execute("UPDATE pages SET last_checked=? WHERE id=?", (at, page_id))

    def record_quiet_check(
        self,
        page_id: int,
        run_id: int | None,
        at: str,
        outcome: str,
        page: tuple[str | None, str | None, str] | None = None,
    ) -> None:
        """A check that found nothing new and has nothing to clear, written with the next
        QUIET_BATCH of them: one transaction for hundreds of unchanged pages instead of one
        each. `page`: the page's new (etag, last_modified, title). A crash loses only these rows
        and validators (the next run fetches those pages whole; the schedule runs early)."""
        self._quiet.append((page_id, run_id, at, outcome, page))
        if len(self._quiet) >= QUIET_BATCH:
            self.flush_checks()

    def flush_checks(self) -> None:
        if not self._quiet:
            return
        quiet = self._quiet
        with self.transaction():
            self._executemany(
                "INSERT INTO checks (page_id, run_id, at, outcome) VALUES (?,?,?,?)",
                [q[:4] for q in quiet],
            )
            self._executemany(
                "UPDATE pages SET last_checked=? WHERE id=?", [(q[2], q[0]) for q in quiet]
            )
            self._executemany(
                "UPDATE pages SET etag=?, last_modified=?, title=? WHERE id=?",
                [(*q[4], q[0]) for q in quiet if q[4] is not None],
            )
        self._quiet.clear()

    # --- runs and events --------------------------------------------------------------------

    def start_run(self, at: str) -> int:
        cur = self._execute("INSERT INTO runs (started_at, pid) VALUES (?, ?)", (at, os.getpid()))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def finish_run(self, run_id: int, at: str, report: str | None) -> None:
        self._execute("UPDATE runs SET finished_at=?, report=? WHERE id=?", (at, report, run_id))

    def add_event(
        self,
        run_id: int | None,
        event: Event | TypedEvent,
        at: str,
        *,
        version_id: int | None = None,
        old_version_id: int | None = None,
        queue: bool = True,
    ) -> int:
        """Record an event (a typed one is stored as its `Event`); queue it for mail."""
        if isinstance(event, TypedEvent):
            event = event.stored()
        cur = self._execute(
            "INSERT INTO events (run_id, type, created_at, source, url, payload, version_id, "
            "old_version_id) VALUES (?,?,?,?,?,?,?,?)",
            (
                run_id,
                event.type,
                at,
                event.data.get("source"),
                event.data.get("url"),
                json.dumps(event.data, ensure_ascii=False),
                version_id,
                old_version_id,
            ),
        )
        assert cur.lastrowid is not None
        if queue:
            self._execute(
                "INSERT INTO outbox (event_id, queued_at) VALUES (?, ?)", (cur.lastrowid, at)
            )
        return cur.lastrowid

    def _events(self, sql: str, args: tuple[Any, ...] = ()) -> list[Event]:
        return [
            Event(r["type"], json.loads(r["payload"]), r["id"], r["created_at"])
            for r in self._execute(sql, args)
        ]

    def unreported_events(self) -> list[Event]:
        return self._events("SELECT * FROM events WHERE reported_run IS NULL ORDER BY id")

    def mark_reported(self, event_ids: list[int], run_id: int) -> None:
        self.db.executemany(
            "UPDATE events SET reported_run=? WHERE id=?", [(run_id, i) for i in event_ids]
        )

    def events(self, since_id: int = 0, limit: int = 1000) -> list[Event]:
        return self._events(
            "SELECT * FROM events WHERE id > ? ORDER BY id DESC LIMIT ?", (since_id, limit)
        )

    def event_versions(self, event_id: int) -> tuple[int | None, int | None]:
        row = self._execute(
            "SELECT old_version_id, version_id FROM events WHERE id=?", (event_id,)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def version_by_id(self, version_id: int) -> VersionRow | None:
        row = self._execute("SELECT * FROM versions WHERE id=?", (version_id,)).fetchone()
        return _version(row) if row else None

    def outbox_pending(self) -> list[Event]:
        return self._events(
            "SELECT e.* FROM outbox o JOIN events e ON e.id=o.event_id "
            "WHERE o.sent_at IS NULL ORDER BY e.id"
        )

    def mark_sent(self, event_ids: list[int], digest: str, at: str) -> None:
        with self.transaction():
            self.db.executemany(
                "UPDATE outbox SET sent_at=?, digest=? WHERE event_id=?",
                [(at, digest, i) for i in event_ids],
            )

    def outbox_unassigned(self) -> list[Event]:
        """Events queued for mail and in no digest yet."""
        return self._events(
            "SELECT e.* FROM outbox o JOIN events e ON e.id=o.event_id "
            "WHERE o.sent_at IS NULL AND o.digest IS NULL ORDER BY e.id"
        )

    def compose_digest(self, digest: str, event_ids: list[int], message: bytes, at: str) -> None:
        """Store a digest's message and tie its events to it, before it is sent."""
        with self.transaction():
            self._execute(
                "INSERT INTO digests (id, composed_at, events, message) VALUES (?,?,?,?)",
                (digest, at, len(event_ids), message),
            )
            self._executemany(
                "UPDATE outbox SET digest=? WHERE event_id=? AND digest IS NULL",
                [(digest, i) for i in event_ids],
            )

    def unsent_digests(self) -> list[tuple[str, bytes]]:
        """Digests composed and not known to have been accepted, oldest first: (id, message)."""
        rows = self._execute(
            "SELECT id, message FROM digests WHERE sent_at IS NULL ORDER BY composed_at, rowid"
        )
        return [(r[0], bytes(r[1])) for r in rows]

    def digest_sent(self, digest: str, at: str) -> None:
        with self.transaction():
            self._execute("UPDATE digests SET sent_at=?, message=NULL WHERE id=?", (at, digest))
            self._execute("UPDATE outbox SET sent_at=? WHERE digest=?", (at, digest))

    def stats(self) -> dict[str, int]:
        out = {}
        for table in ("sources", "pages", "versions", "checks", "events", "meetings"):
            out[table] = self._execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        return out

    # --- what the reports, the export and the schedule read -------------------------------------

    def all_versions(self) -> list[tuple[VersionRow, str, str]]:
        """Every version with its page's URL and role, oldest first (the WARC export)."""
        rows = self._execute(
            "SELECT v.*, p.url AS page_url, p.role AS page_role FROM versions v "
            "JOIN pages p ON p.id = v.page_id ORDER BY v.id"
        ).fetchall()
        return [(_version(r), r["page_url"], r["page_role"]) for r in rows]

    def last_output_failure(self, output: str) -> str | None:
        """When an `output_failed` event about `output` was last recorded."""
        row = self._execute(
            "SELECT created_at FROM events WHERE type = 'output_failed' AND "
            "json_extract(payload, '$.output') = ? ORDER BY id DESC LIMIT 1",
            (output,),
        ).fetchone()
        return str(row[0]) if row else None

    def finished_runs(self) -> set[int]:
        return {r[0] for r in self._execute("SELECT id FROM runs WHERE finished_at IS NOT NULL")}

    def recent_runs(self, limit: int) -> list[tuple[int, str, str | None, int]]:
        """The newest runs: (id, started_at, report path, events reported but baselines)."""
        rows = self._execute(
            "SELECT r.id, r.started_at, r.report, "
            "(SELECT COUNT(*) FROM events e WHERE e.reported_run = r.id AND "
            "e.type != 'baseline') n FROM runs r ORDER BY r.id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def last_checks(self) -> dict[str, str]:
        """source id -> when its own URL (its page, listing or feed) was last checked."""
        rows = self._execute(
            "SELECT p.source_id, MAX(c.at) FROM checks c JOIN pages p ON p.id = c.page_id "
            "WHERE p.url = (SELECT url FROM sources s WHERE s.id = p.source_id) "
            "GROUP BY p.source_id"
        )
        return {sid: at for sid, at in rows if at}


# SQLite result codes that mean the database could not be read or written, not that it is damaged
UNREADABLE_CODES = frozenset(
    {
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PERM,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_NOMEM,
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_AUTH,
    }
)


def disk_full(path: Path) -> bool:
    """Less than a mebibyte free for this user on the filesystem holding `path`."""
    try:
        st = os.statvfs(path if path.exists() else path.parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 1 << 20


def verify(archive: Archive) -> list[str]:
    """Problems found in the archive: SQLite integrity, missing or corrupt blobs, dangling rows.
    An empty list means the archive is sound. ArchiveUnreadable when it could not be checked."""
    problems: list[str] = []
    try:
        _verify(archive, problems)
    except sqlite3.DatabaseError as exc:
        error = archive._error(exc)
        if isinstance(error, ArchiveUnreadable):
            raise error from None
        problems.append(f"sqlite: {exc}")  # damaged beyond what the checks below can read
    return problems


def _verify(archive: Archive, problems: list[str]) -> None:
    db = archive.db
    for (result,) in db.execute("PRAGMA integrity_check"):
        if result != "ok":
            problems.append(f"sqlite: {result}")
    for (row,) in db.execute("PRAGMA foreign_key_check"):
        problems.append(f"sqlite: foreign key violation in {row}")
    checked: set[str] = set()
    for vid, raw_sha, doc_sha in db.execute("SELECT id, raw_sha, doc_sha FROM versions"):
        for digest in (raw_sha, doc_sha):
            if digest in checked:
                continue
            checked.add(digest)
            problem = archive.blobs.check(digest)
            if problem:
                problems.append(f"version {vid}: {problem}")
    for sql, what in DANGLING:
        count = db.execute(sql).fetchone()[0]
        if count:
            problems.append(f"{count} {what}")
    gaps = db.execute(
        "SELECT page_id, COUNT(*), MAX(seq) FROM versions GROUP BY page_id "
        "HAVING COUNT(*) != MAX(seq)"
    ).fetchall()
    for page_id, count, top in gaps:
        problems.append(f"page {page_id}: {count} versions but sequence reaches {top}")


DANGLING = (
    (
        "SELECT COUNT(*) FROM versions WHERE page_id NOT IN (SELECT id FROM pages)",
        "version(s) belong to no page",
    ),
    (
        "SELECT COUNT(*) FROM events WHERE version_id IS NOT NULL AND "
        "version_id NOT IN (SELECT id FROM versions)",
        "event(s) point at missing versions",
    ),
    (
        "SELECT COUNT(*) FROM outbox WHERE event_id NOT IN (SELECT id FROM events)",
        "outbox row(s) point at missing events",
    ),
)
