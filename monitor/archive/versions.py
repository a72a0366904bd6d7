"""A page's versions (rows over content-addressed blobs) and its checks."""

from __future__ import annotations

import json
import logging
from dataclasses import astuple, replace
from datetime import datetime

import orjson

from monitor.archive import search
from monitor.archive.blobs import BlobStore
from monitor.archive.db import Index
from monitor.archive.schema import VersionRow, canonical, stamp, version_row
from monitor.errors import ArchiveDamaged, ArchiveError
from monitor.models import Document, instant, text_digest
from monitor.testing import crash

log = logging.getLogger(__name__)

# the response headers a version keeps
KEPT_HEADERS = (
    "content-type",
    "etag",
    "last-modified",
    "date",
    "server",
    "content-language",
    "location",
)
# a check held back by Archive.record_quiet_check: page id, run id, time (stored form), outcome
# and the page's new (etag, last_modified, title) if they are to be written
QuietCheck = tuple[int, int | None, str, str, tuple[str | None, str | None, str] | None]


class Versions:
    def __init__(self, index: Index, blobs: BlobStore) -> None:
        self.index = index
        self.blobs = blobs

    def latest_version(self, page_id: int) -> VersionRow | None:
        row = self.index.execute(
            "SELECT * FROM versions WHERE page_id=? ORDER BY seq DESC LIMIT 1", (page_id,)
        ).fetchone()
        return version_row(row) if row else None

    def versions(self, page_id: int) -> list[VersionRow]:
        rows = self.index.execute("SELECT * FROM versions WHERE page_id=? ORDER BY seq", (page_id,))
        return [version_row(r) for r in rows]

    def version(self, page_id: int, seq: int) -> VersionRow | None:
        row = self.index.execute(
            "SELECT * FROM versions WHERE page_id=? AND seq=?", (page_id, seq)
        ).fetchone()
        return version_row(row) if row else None

    def version_by_id(self, version_id: int) -> VersionRow | None:
        row = self.index.execute("SELECT * FROM versions WHERE id=?", (version_id,)).fetchone()
        return version_row(row) if row else None

    def found_by(self, version: VersionRow) -> int | None:
        """The run that fetched `version`: the last one started by then (runs never overlap)."""
        row = self.index.execute(
            "SELECT id FROM runs WHERE started_at <= ? ORDER BY started_at DESC, id DESC LIMIT 1",
            (stamp(version.fetched_at),),
        ).fetchone()
        return int(row[0]) if row else None

    def all_versions(self) -> list[tuple[VersionRow, str, str]]:
        """Every version with its page's URL and role, oldest first (the WARC export)."""
        rows = self.index.execute(
            "SELECT v.*, p.url AS page_url, p.role AS page_role FROM versions v "
            "JOIN pages p ON p.id = v.page_id ORDER BY v.id"
        ).fetchall()
        return [(version_row(r), r["page_url"], r["page_role"]) for r in rows]

    def add_version(
        self,
        page_id: int,
        *,
        fetched_at: datetime,
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
        keep = {k: v for k, v in headers.items() if k in KEPT_HEADERS}
        at = stamp(fetched_at)
        version = VersionRow(
            0,  # the row's id, known once it is inserted
            page_id,
            seq,
            instant(at),  # as it reads back: to the second
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
        values = astuple(version)[1:-1]  # page_id .. final_url
        cur = self.index.execute(
            "INSERT INTO versions (page_id, seq, fetched_at, raw_sha, doc_sha, text_sha, rules, "
            "size, status, content_type, final_url, headers) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (*values[:2], at, *values[3:], json.dumps(keep)),
        )
        assert cur.lastrowid is not None
        version = replace(version, id=cur.lastrowid)
        self._searchable(version, doc)
        return version

    def _searchable(self, version: VersionRow, doc: Document | None) -> None:
        """Index the version for search in the caller's transaction; a document a page worker
        stored is read back. One that cannot be is indexed when a writer next opens the archive."""
        try:
            doc = doc if doc is not None else self.document(version)
        except ArchiveError as exc:
            log.warning("version %d not indexed for search: %s", version.id, exc)
            return
        search.add(self.index, version.id, doc)

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

    # --- checks -------------------------------------------------------------------------------

    def checks_between(self, page_id: int, since: datetime, until: datetime) -> int:
        """How many checks of the page were recorded from `since` up to (not at) `until`."""
        return int(
            self.index.execute(
                "SELECT COUNT(*) FROM checks WHERE page_id=? AND at >= ? AND at < ?",
                (page_id, stamp(since), stamp(until)),
            ).fetchone()[0]
        )

    def record_check(
        self, page_id: int, run_id: int | None, at: datetime, outcome: str, error: str | None = None
    ) -> None:
        when = stamp(at)
        self.index.execute(
            "INSERT INTO checks (page_id, run_id, at, outcome, error) VALUES (?,?,?,?,?)",
            (page_id, run_id, when, outcome, error),
        )
        self.index.execute("UPDATE pages SET last_checked=? WHERE id=?", (when, page_id))

    def write_quiet(self, quiet: list[QuietCheck]) -> None:
        """Checks held back by Archive.record_quiet_check, in one transaction."""
        with self.index.transaction():
            self.index.executemany(
                "INSERT INTO checks (page_id, run_id, at, outcome) VALUES (?,?,?,?)",
                [q[:4] for q in quiet],
            )
            self.index.executemany(
                "UPDATE pages SET last_checked=? WHERE id=?", [(q[2], q[0]) for q in quiet]
            )
            self.index.executemany(
                "UPDATE pages SET etag=?, last_modified=?, title=? WHERE id=?",
                [(*q[4], q[0]) for q in quiet if q[4] is not None],
            )
