"""The delivery outbox: the events queued for the digest, the digests composed of them, the
channels they go to (email, each `notify` URL) and each digest's delivery to each channel.

A digest is stored with its message, its events and a delivery row for each channel there is
before anything is sent; each channel's delivery is marked sent once that channel accepted it,
and the digest (its events too) once every channel has it. A channel that fails keeps its
deliveries for the next run; the others are not sent anything twice."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from monitor.archive.db import Index
from monitor.archive.runs import events
from monitor.archive.schema import stamp
from monitor.models import Event

SKIPPED = "skipped"  # outbox.digest of an event queued while no channel was configured


class Outbox:
    """The events queued for delivery, the digests composed of them, and their channels."""

    def __init__(self, index: Index) -> None:
        self.index = index

    def outbox_pending(self) -> list[Event]:
        return events(
            self.index,
            "SELECT e.* FROM outbox o JOIN events e ON e.id=o.event_id "
            "WHERE o.sent_at IS NULL ORDER BY e.id",
        )

    def outbox_unassigned(self) -> list[Event]:
        """Events queued for delivery and in no digest yet."""
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

    # --- channels -------------------------------------------------------------------------

    def channels(self) -> dict[str, str]:
        """The channels digests are composed for: id -> name."""
        return {r[0]: r[1] for r in self.index.execute("SELECT id, name FROM channels")}

    def add_channels(self, added: Mapping[str, str], at: datetime, *, skip_queued: bool) -> None:
        """Channels configured since the last run; they get the digests composed from now on.
        `skip_queued`: no channel was there before, so the events queued meanwhile are
        delivered to none (recorded before any channel was configured)."""
        when = stamp(at)
        with self.index.transaction():
            if skip_queued:
                self.index.execute(
                    "UPDATE outbox SET sent_at=?, digest=? "
                    "WHERE sent_at IS NULL AND digest IS NULL",
                    (when, SKIPPED),
                )
            self.index.executemany(
                "INSERT OR REPLACE INTO channels (id, name, added_at) VALUES (?,?,?)",
                [(key, name, when) for key, name in added.items()],
            )

    def drop_channels(self, dropped: Iterable[str], at: datetime) -> None:
        """Channels no longer configured: their deliveries not yet made are dropped (configured
        again, a channel starts afresh), and digests no channel waits for are done."""
        keys = [(key,) for key in dropped]
        with self.index.transaction():
            self.index.executemany("DELETE FROM channels WHERE id=?", keys)
            self.index.executemany(
                "DELETE FROM deliveries WHERE channel=? AND sent_at IS NULL", keys
            )
            self._finish_delivered(stamp(at))

    # --- digests --------------------------------------------------------------------------

    def compose_digest(
        self,
        digest: str,
        event_ids: list[int],
        message: bytes,
        at: datetime,
        channels: Iterable[str] | None = None,
    ) -> None:
        """Store a digest's message, tie its events to it and queue it for each channel (every
        channel there is, or those named), before it is sent."""
        targets = list(self.channels()) if channels is None else list(channels)
        with self.index.transaction():
            self.index.execute(
                "INSERT INTO digests (id, composed_at, events, message) VALUES (?,?,?,?)",
                (digest, stamp(at), len(event_ids), message),
            )
            self.index.executemany(
                "UPDATE outbox SET digest=? WHERE event_id=? AND digest IS NULL",
                [(digest, i) for i in event_ids],
            )
            self.index.executemany(
                "INSERT OR IGNORE INTO deliveries (digest, channel) VALUES (?, ?)",
                [(digest, key) for key in targets],
            )

    def undelivered(self, channel: str) -> list[tuple[str, bytes]]:
        """The digests composed for `channel` and not known to have reached it, oldest first:
        (id, message)."""
        rows = self.index.execute(
            "SELECT d.id, d.message FROM deliveries x JOIN digests d ON d.id = x.digest "
            "WHERE x.channel=? AND x.sent_at IS NULL AND d.message IS NOT NULL "
            "ORDER BY d.composed_at, d.rowid",
            (channel,),
        )
        return [(r[0], bytes(r[1])) for r in rows]

    def delivery_failed(self, digest: str, channel: str, error: str, at: datetime) -> None:
        self.index.execute(
            "UPDATE deliveries SET tried_at=?, error=? WHERE digest=? AND channel=?",
            (stamp(at), error, digest, channel),
        )

    def delivered(self, digest: str, channel: str, at: datetime) -> None:
        """`channel` accepted `digest`; once every channel has, the digest and its events are
        sent (its message is dropped)."""
        when = stamp(at)
        with self.index.transaction():
            self.index.execute(
                "UPDATE deliveries SET sent_at=?, tried_at=?, error=NULL "
                "WHERE digest=? AND channel=?",
                (when, when, digest, channel),
            )
            self._finish_delivered(when)

    def _finish_delivered(self, when: str) -> None:
        done = [
            (when, r[0])
            for r in self.index.execute(
                "SELECT id FROM digests d WHERE sent_at IS NULL AND NOT EXISTS "
                "(SELECT 1 FROM deliveries x WHERE x.digest = d.id AND x.sent_at IS NULL)"
            )
        ]
        self.index.executemany("UPDATE digests SET sent_at=?, message=NULL WHERE id=?", done)
        self.index.executemany("UPDATE outbox SET sent_at=? WHERE digest=?", done)
