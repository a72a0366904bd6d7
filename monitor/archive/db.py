"""The SQLite connection of an archive: opened for writing (WAL) or for reading only, its
transactions, and SQLite's errors told apart (could not read or write vs. damaged)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from monitor.archive import schema, search
from monitor.errors import ArchiveError, ArchiveUnreadable
from monitor.testing import crash

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


class Index:
    """`root/index.sqlite`, opened for writing, or with `readonly` without writing a byte."""

    def __init__(
        self, root: Path, *, fsync: bool = False, busy_timeout: float = 30.0, readonly: bool = False
    ) -> None:
        self.root = root
        self.path = root / "index.sqlite"
        self.outdated: list[str] = []  # columns a read-only open found missing: `table.column`
        self._immutable: tuple[int, int] | None = None  # read as immutable: (mtime, size) then
        self._depth = 0
        if readonly:
            self.db = self._open_readonly(busy_timeout)
            return
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=busy_timeout)
            self.db.row_factory = sqlite3.Row
            schema.create(self.db, fsync=fsync)
            search.create(self.db)  # its full-text tables and triggers
        except sqlite3.DatabaseError as exc:
            raise self.error(exc) from None

    def _open_readonly(self, busy_timeout: float) -> sqlite3.Connection:
        """The index opened for reading only: no schema, no pragma that writes, no lock file, no
        `-wal`/`-shm` created, so that it works on a read-only archive or as another user. With
        no `-wal` beside it no writer has it open (a WAL writer keeps one), and it is read as
        immutable, from the file alone (`changed` tells whether a writer came meanwhile); with
        one, through the WAL, whose `-shm` is there too."""
        path = self.path
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
            self.outdated = [f"{t}.{c}" for t, c, _ in schema.missing_columns(db)]
        except sqlite3.DatabaseError as exc:
            raise self.error(exc) from None
        return db

    def changed(self) -> bool:
        """Read as immutable, and a writer has opened or changed the index since: what was read
        may mix two states (never so when read through the WAL)."""
        if self._immutable is None:
            return False
        try:
            st = self.path.stat()
        except OSError:
            return True
        wal = self.path.with_name(self.path.name + "-wal").exists()
        return wal or (st.st_mtime_ns, st.st_size) != self._immutable

    def stats(self) -> dict[str, int]:
        """Rows per table."""
        out = {}
        for table in ("sources", "pages", "versions", "checks", "events", "meetings"):
            out[table] = self.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        return out

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
        self.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self.db.execute("ROLLBACK")
            raise
        self._depth = 0
        crash.point("before-commit")
        self.execute("COMMIT")
        crash.point("after-commit")

    def execute(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, args)
        except sqlite3.DatabaseError as exc:
            raise self.error(exc) from None

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        try:
            self.db.executemany(sql, rows)
        except sqlite3.DatabaseError as exc:
            raise self.error(exc) from None

    def error(self, exc: sqlite3.DatabaseError) -> ArchiveError:
        """ArchiveUnreadable when SQLite could not read or write (a full disk, an I/O error, no
        permission, busy): that says nothing of whether the archive is sound."""
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF  # the primary result code
        if code in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR) and disk_full(self.root):
            return ArchiveUnreadable(f"{self.path}: the disk is full ({exc})")
        if code in UNREADABLE_CODES:
            return ArchiveUnreadable(f"{self.path}: {exc}")
        return ArchiveError(f"{self.path}: {exc}")
