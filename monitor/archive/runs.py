"""Runs, the events they record, and the delivery outbox: which events went out in which digest."""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

from monitor.archive.db import Index
from monitor.archive.schema import stamp
from monitor.events import TypedEvent
from monitor.models import Event, instant


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

    def finish_run(self, run_id: int, at: datetime, report: str | None) -> None:
        self.index.execute(
            "UPDATE runs SET finished_at=?, report=? WHERE id=?", (stamp(at), report, run_id)
        )

    def finished_runs(self) -> set[int]:
        rows = self.index.execute("SELECT id FROM runs WHERE finished_at IS NOT NULL")
        return {r[0] for r in rows}

    def recent_runs(self, limit: int) -> list[tuple[int, datetime, str | None, int]]:
        """The newest runs: (id, started at, report path, events reported but baselines)."""
        rows = self.index.execute(
            "SELECT r.id, r.started_at, r.report, "
            "(SELECT COUNT(*) FROM events e WHERE e.reported_run = r.id AND "
            "e.type != 'baseline') n FROM runs r ORDER BY r.id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [(r[0], instant(r[1]), r[2], r[3]) for r in rows]

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
        if isinstance(event, TypedEvent):
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

    def event_versions(self, event_id: int) -> tuple[int | None, int | None]:
        row = self.index.execute(
            "SELECT old_version_id, version_id FROM events WHERE id=?", (event_id,)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

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


class Outbox:
    """The events queued for mail, and the digests composed of them."""

    def __init__(self, index: Index) -> None:
        self.index = index

    def outbox_pending(self) -> list[Event]:
        return events(
            self.index,
            "SELECT e.* FROM outbox o JOIN events e ON e.id=o.event_id "
            "WHERE o.sent_at IS NULL ORDER BY e.id",
        )

    def outbox_unassigned(self) -> list[Event]:
        """Events queued for mail and in no digest yet."""
        return events(
            self.index,
            "SELECT e.* FROM outbox o JOIN events e ON e.id=o.event_id "
            "WHERE o.sent_at IS NULL AND o.digest IS NULL ORDER BY e.id",
        )

    def mark_sent(self, event_ids: list[int], digest: str, at: datetime) -> None:
        when = stamp(at)
        with self.index.transaction():
            self.index.db.executemany(
                "UPDATE outbox SET sent_at=?, digest=? WHERE event_id=?",
                [(when, digest, i) for i in event_ids],
            )

    def compose_digest(
        self, digest: str, event_ids: list[int], message: bytes, at: datetime
    ) -> None:
        """Store a digest's message and tie its events to it, before it is sent."""
        with self.index.transaction():
            self.index.execute(
                "INSERT INTO digests (id, composed_at, events, message) VALUES (?,?,?,?)",
                (digest, stamp(at), len(event_ids), message),
            )
            self.index.executemany(
                "UPDATE outbox SET digest=? WHERE event_id=? AND digest IS NULL",
                [(digest, i) for i in event_ids],
            )

    def unsent_digests(self) -> list[tuple[str, bytes]]:
        """Digests composed and not known to have been accepted, oldest first: (id, message)."""
        rows = self.index.execute(
            "SELECT id, message FROM digests WHERE sent_at IS NULL ORDER BY composed_at, rowid"
        )
        return [(r[0], bytes(r[1])) for r in rows]

    def digest_sent(self, digest: str, at: datetime) -> None:
        when = stamp(at)
        with self.index.transaction():
            self.index.execute(
                "UPDATE digests SET sent_at=?, message=NULL WHERE id=?", (when, digest)
            )
            self.index.execute("UPDATE outbox SET sent_at=? WHERE digest=?", (when, digest))
