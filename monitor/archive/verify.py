"""`monitor verify`: the archive's integrity, as a list of the problems found."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from monitor.errors import ArchiveUnreadable

if TYPE_CHECKING:
    from monitor.archive.index import Archive


def verify(archive: Archive) -> list[str]:
    """Problems found in the archive: SQLite integrity, missing or corrupt blobs, dangling rows.
    An empty list means the archive is sound. ArchiveUnreadable when it could not be checked."""
    problems: list[str] = []
    try:
        _verify(archive, problems)
    except sqlite3.DatabaseError as exc:
        error = archive.index.error(exc)
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
