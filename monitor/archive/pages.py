"""Sources and the pages they track: their validators, titles and failure state."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from monitor.archive.db import Index
from monitor.archive.schema import PageRow, page_row, stamp, stamp_or_none
from monitor.models import instant

# what `update_page` may set, and whether the value is an instant (stored as text)
PAGE_FIELDS = {
    "title": False,
    "etag": False,
    "last_modified": False,
    "failures": False,
    "failing_alerted_at": True,
    "last_error": False,
    "last_checked": True,
    "retired_at": True,  # removed or forgotten: no longer checked (None: checked again)
}


class Pages:
    def __init__(self, index: Index) -> None:
        self.index = index

    def ensure_source(self, source_id: str, url: str, kind: str) -> bool:
        """Register a source; True when it has had its baseline."""
        self.index.execute(
            "INSERT INTO sources (id, url, kind) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET url=excluded.url, kind=excluded.kind",
            (source_id, url, kind),
        )
        row = self.index.execute(
            "SELECT baseline_at FROM sources WHERE id=?", (source_id,)
        ).fetchone()
        return row["baseline_at"] is not None

    def set_baseline(self, source_id: str, at: datetime) -> None:
        self.index.execute("UPDATE sources SET baseline_at=? WHERE id=?", (stamp(at), source_id))

    def last_checks(self) -> dict[str, datetime]:
        """source id -> when its own URL (its page, listing or feed) was last checked."""
        rows = self.index.execute(
            "SELECT p.source_id, MAX(c.at) FROM checks c JOIN pages p ON p.id = c.page_id "
            "WHERE p.url = (SELECT url FROM sources s WHERE s.id = p.source_id) "
            "GROUP BY p.source_id"
        )
        return {sid: instant(at) for sid, at in rows if at}

    def page(self, url: str, source_id: str | None = None) -> PageRow | None:
        """The page at `url` (as tracked by `source_id`, if given)."""
        if source_id is None:
            row = self.index.execute(
                "SELECT * FROM pages WHERE url=? ORDER BY id", (url,)
            ).fetchone()
        else:
            row = self.index.execute(
                "SELECT * FROM pages WHERE url=? AND source_id=?", (url, source_id)
            ).fetchone()
        return page_row(row) if row else None

    def page_by_id(self, page_id: int) -> PageRow | None:
        row = self.index.execute("SELECT * FROM pages WHERE id=?", (page_id,)).fetchone()
        return page_row(row) if row else None

    def ensure_page(
        self, url: str, source_id: str, role: str, now: datetime, guid: str | None = None
    ) -> PageRow:
        known = self.page(url, source_id)  # the common case: one read, no write transaction
        if known is not None:
            return known
        self.index.execute(
            "INSERT OR IGNORE INTO pages (url, source_id, role, first_seen, guid) "
            "VALUES (?, ?, ?, ?, ?)",
            (url, source_id, role, stamp(now), guid),
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
        return [page_row(r) for r in self.index.execute(sql + " ORDER BY id", tuple(args))]

    def any_retired(self, source_id: str) -> bool:
        """Whether a page of the source is retired (removed or forgotten)."""
        row = self.index.execute(
            "SELECT 1 FROM pages WHERE source_id=? AND retired_at IS NOT NULL LIMIT 1", (source_id,)
        ).fetchone()
        return row is not None

    def pages_by_guid(self, source_id: str) -> dict[str, PageRow]:
        """A feed's item pages by their guid (items archived before guids were kept have none)."""
        rows = self.index.execute(
            "SELECT * FROM pages WHERE source_id=? AND guid IS NOT NULL ORDER BY id", (source_id,)
        )
        return {r["guid"]: page_row(r) for r in rows}

    def set_guid(self, page_id: int, guid: str) -> None:
        self.index.execute("UPDATE pages SET guid=? WHERE id=? AND guid IS NULL", (guid, page_id))

    def move_page(self, page: PageRow, url: str) -> PageRow:
        """A feed item whose link changed under the same guid: the page, and the meeting sources
        it gave, answer to `url` now; its versions keep the URL they were archived under."""
        with self.index.transaction():
            self.index.execute("UPDATE pages SET url=? WHERE id=?", (url, page.id))
            self.index.execute(
                "UPDATE OR IGNORE meeting_sources SET url=? WHERE url=? AND source=?",
                (url, page.url, page.source_id),
            )
        return replace(page, url=url)

    def move_site(self, old: str, new: str) -> None:
        """Every URL under the site `old` (`http://host:port`) made to name `new` instead: the
        demo's site served again on another port is the same site."""
        like = old.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"
        with self.index.transaction():
            for table, column in (
                ("sources", "url"),
                ("pages", "url"),
                ("pages", "guid"),
                ("meeting_sources", "url"),
            ):
                self.index.execute(
                    f"UPDATE {table} SET {column} = ? || substr({column}, ?) "
                    f"WHERE {column} LIKE ? ESCAPE '\\'",
                    (new, len(old) + 1, like),
                )

    def update_page(self, page_id: int, **fields: Any) -> None:
        """Set some of PAGE_FIELDS; `failing_alerted_at` and `last_checked` are datetimes."""
        assert set(fields) <= set(PAGE_FIELDS), fields
        values = [stamp_or_none(v) if PAGE_FIELDS[k] else v for k, v in fields.items()]
        cols = ", ".join(f"{k}=?" for k in fields)
        self.index.execute(f"UPDATE pages SET {cols} WHERE id=?", (*values, page_id))
