"""Runs and the events they record (the delivery outbox is `outbox`)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import TYPE_CHECKING, Any

from monitor.archive.db import Index
from monitor.archive.schema import stamp
from monitor.models import Event, instant

if TYPE_CHECKING:  # the commands that only read the archive need no event types
    from monitor.events import TypedEvent


class Runs:
    """Runs and their events."""

    def __init__(self, index: Index) -> None:
        self.index = index

    def start_run(self, at: datetime) -> int:
        cur = self.index.execute(
            "INSERT INTO runs (started_at, pid) VALUES (?, ?)", (stamp(at), os.getpid())
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def finish_run(
        self, run_id: int, at: datetime, report: str | None, summary: str | None = None
    ) -> None:
        """The run is over; `summary`: its report's one line, as the index lists it."""
        self.index.execute(
            "UPDATE runs SET finished_at=?, report=?, summary=? WHERE id=?",
            (stamp(at), report, summary, run_id),
        )

    def finished_runs(self) -> set[int]:
        rows = self.index.execute("SELECT id FROM runs WHERE finished_at IS NOT NULL")
        return {r[0] for r in rows}

    def recent_runs(self, limit: int) -> list[tuple[int, datetime, str | None, str | None]]:
        """The newest runs: (id, started at, report path, the summary its report gave, None
        for a run recorded before summaries were kept)."""
        rows = self.index.execute(
            "SELECT id, started_at, report, summary FROM runs ORDER BY id DESC LIMIT ?", (limit,)
        ).fetchall()
        return [(r[0], instant(r[1]), r[2], r[3]) for r in rows]

    def reported_events(self, run_id: int) -> list[Event]:
        """The events a run's report showed."""
        return events(
            self.index, "SELECT * FROM events WHERE reported_run=? ORDER BY id", (run_id,)
        )

    def add_event(
        self,
        run_id: int | None,
        event: Event | TypedEvent,
        at: datetime,
        *,
        version_id: int | None = None,
        old_version_id: int | None = None,
        queue: bool = True,
    ) -> int:
        """Record an event (a typed one is stored as its `Event`); queue it for mail."""
        if not isinstance(event, Event):
            event = event.stored()
        when = stamp(at)
        cur = self.index.execute(
            "INSERT INTO events (run_id, type, created_at, source, url, payload, version_id, "
            "old_version_id) VALUES (?,?,?,?,?,?,?,?)",
            (
                run_id,
                event.type,
                when,
                event.data.get("source"),
                event.data.get("url"),
                json.dumps(event.data, ensure_ascii=False),
                version_id,
                old_version_id,
            ),
        )
        assert cur.lastrowid is not None
        if queue:
            self.index.execute(
                "INSERT INTO outbox (event_id, queued_at) VALUES (?, ?)", (cur.lastrowid, when)
            )
        return cur.lastrowid

    def unreported_events(self) -> list[Event]:
        return events(self.index, "SELECT * FROM events WHERE reported_run IS NULL ORDER BY id")

    def mark_reported(self, event_ids: list[int], run_id: int) -> None:
        self.index.db.executemany(
            "UPDATE events SET reported_run=? WHERE id=?", [(run_id, i) for i in event_ids]
        )

    def events(self, since_id: int = 0, limit: int = 1000) -> list[Event]:
        return events(
            self.index,
            "SELECT * FROM events WHERE id > ? ORDER BY id DESC LIMIT ?",
            (since_id, limit),
        )

    def events_of_type(self, event_type: str, limit: int) -> list[Event]:
        """The newest `limit` events of one type, newest first."""
        return events(
            self.index,
            "SELECT * FROM events WHERE type=? ORDER BY id DESC LIMIT ?",
            (event_type, limit),
        )

    def event_versions(self, event_id: int) -> tuple[int | None, int | None]:
        row = self.index.execute(
            "SELECT old_version_id, version_id FROM events WHERE id=?", (event_id,)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def event_runs(self, event_ids: list[int]) -> list[int]:
        """The runs that recorded these events, in order."""
        found: set[int] = set()
        for start in range(0, len(event_ids), 500):
            chunk = event_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.index.execute(
                f"SELECT DISTINCT run_id FROM events WHERE id IN ({marks}) AND run_id IS NOT NULL",
                tuple(chunk),
            )
            found.update(r[0] for r in rows)
        return sorted(found)

    def last_output_failure(self, output: str) -> datetime | None:
        """When an `output_failed` event about `output` was last recorded."""
        row = self.index.execute(
            "SELECT created_at FROM events WHERE type = 'output_failed' AND "
            "json_extract(payload, '$.output') = ? ORDER BY id DESC LIMIT 1",
            (output,),
        ).fetchone()
        return instant(str(row[0])) if row else None


def events(index: Index, sql: str, args: tuple[Any, ...] = ()) -> list[Event]:
    return [
        Event(r["type"], json.loads(r["payload"]), r["id"], instant(r["created_at"]))
        for r in index.execute(sql, args)
    ]
