"""Archive stage: an SQLite (WAL) index over content-addressed blobs, with a process lock.

`Archive` is the open archive: it owns the connection (`db.Index`), the blobs and the lock, and
offers the methods of its parts as its own: sources and pages (`pages.Pages`), versions and
checks (`versions.Versions`), runs and events (`runs.Runs`), the delivery outbox (`outbox.Outbox`).
Times cross it as aware UTC datetimes; it stores them as text (`schema.stamp`)."""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.archive import search
from monitor.archive.blobs import BlobStore
from monitor.archive.db import UNREADABLE_CODES, Index, disk_full
from monitor.archive.health import Health, health, retire
from monitor.archive.lock import Lock
from monitor.archive.outbox import Outbox
from monitor.archive.pages import Pages
from monitor.archive.runs import Runs
from monitor.archive.schema import (
    ADDED_COLUMNS,
    SCHEMA,
    SCHEMA_VERSION,
    PageRow,
    VersionRow,
    canonical,
    stamp,
)
from monitor.archive.verify import verify
from monitor.archive.versions import QuietCheck, Versions
from monitor.errors import ArchiveError

if TYPE_CHECKING:  # page workers import this module and need no pydantic
    from monitor.config import Config
    from monitor.config_cache import Settings

__all__ = [
    "ADDED_COLUMNS",
    "QUIET_BATCH",
    "SCHEMA",
    "SCHEMA_VERSION",
    "UNREADABLE_CODES",
    "Archive",
    "Health",
    "Lock",
    "PageRow",
    "QuietCheck",
    "VersionRow",
    "canonical",
    "disk_full",
    "verify",
]

QUIET_BATCH = 500


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
        zone: tzinfo | None = None,
    ) -> None:
        self.root = root
        self.readonly = readonly
        self._quiet: list[QuietCheck] = []
        self.lock = Lock(root / "monitor.lock", zone)
        if not readonly:
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                msg = f"cannot create archive directory {root}: {exc.strerror}"
                raise ArchiveError(msg) from None
        self.blobs = BlobStore(root / "blobs", fsync=fsync and not readonly, readonly=readonly)
        self.index = index = Index(root, fsync=fsync, busy_timeout=busy_timeout, readonly=readonly)
        self.db = index.db
        self.outdated = index.outdated  # columns a read-only open found missing: `table.column`
        self.changed = index.changed
        self.transaction = index.transaction
        self.stats = index.stats
        # sources and pages
        pages = Pages(index)
        self.ensure_source = pages.ensure_source
        self.set_baseline = pages.set_baseline
        self.last_checks = pages.last_checks
        self.page = pages.page
        self.page_by_id = pages.page_by_id
        self.ensure_page = pages.ensure_page
        self.pages = pages.pages
        self.pages_by_guid = pages.pages_by_guid
        self.any_retired = pages.any_retired
        self.set_guid = pages.set_guid
        self.move_page = pages.move_page
        self.move_site = pages.move_site
        self.update_page = pages.update_page
        self.health = functools.partial(health, index)  # failing, recovered, retired pages
        self.retire = functools.partial(retire, index)
        # versions and checks
        self._versions = versions = Versions(index, self.blobs)
        self.latest_version = versions.latest_version
        self.versions = versions.versions
        self.version = versions.version
        self.version_by_id = versions.version_by_id
        self.found_by = versions.found_by
        self.all_versions = versions.all_versions
        self.add_version = versions.add_version
        self.document = versions.document
        self.raw = versions.raw
        self.checks_between = versions.checks_between
        self.record_check = versions.record_check
        # runs and events
        runs = Runs(index)
        self.start_run = runs.start_run
        self.finish_run = runs.finish_run
        self.finished_runs = runs.finished_runs
        self.recent_runs = runs.recent_runs
        self.reported_events = runs.reported_events
        self.add_event = runs.add_event
        self.unreported_events = runs.unreported_events
        self.mark_reported = runs.mark_reported
        self.events = runs.events
        self.events_of_type = runs.events_of_type
        self.event_versions = runs.event_versions
        self.last_output_failure = runs.last_output_failure
        self.event_runs = runs.event_runs
        # the delivery outbox: digests, channels, deliveries
        outbox = Outbox(index)
        self.outbox_pending = outbox.outbox_pending
        self.outbox_unassigned = outbox.outbox_unassigned
        self.mark_sent = outbox.mark_sent
        self.channels = outbox.channels
        self.add_channels = outbox.add_channels
        self.drop_channels = outbox.drop_channels
        self.compose_digest = outbox.compose_digest
        self.undelivered = outbox.undelivered
        self.delivered = outbox.delivered
        self.delivery_failed = outbox.delivery_failed

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
        zone: tzinfo | None = None,
    ) -> Archive:
        """`zone`: the time zone the lock's messages show times in (None: the system's)."""
        if readonly and lock:
            raise ValueError("a read-only archive takes no lock")
        archive = cls(root, fsync=fsync, busy_timeout=busy_timeout, readonly=readonly, zone=zone)
        if lock:
            try:
                archive.lock.acquire(lock_timeout)
            except ArchiveError:
                archive.db.close()
                raise
            archive.blobs.clear_staging()  # the lock holder's run is the only writer
            search.bring_up_to_date(archive)  # an archive written before search existed
        return archive

    @classmethod
    def for_config(
        cls, config: Config | Settings, *, lock: bool = True, readonly: bool = False
    ) -> Archive:
        """The archive `config` names (a `Config`, or the reading commands' `Settings`)."""
        a = config.archive
        return cls.open(
            config.archive_dir,
            lock=lock,
            lock_timeout=a.lock_timeout,
            fsync=a.fsync,
            busy_timeout=a.busy_timeout,
            readonly=readonly,
            zone=config.zone,
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

    def record_quiet_check(
        self,
        page_id: int,
        run_id: int | None,
        at: datetime,
        outcome: str,
        page: tuple[str | None, str | None, str] | None = None,
    ) -> None:
        """A check that found nothing new and has nothing to clear, written with the next
        QUIET_BATCH of them: one transaction for hundreds of unchanged pages instead of one
        each. `page`: the page's new (etag, last_modified, title). A crash loses only these rows
        and validators (the next run fetches those pages whole; the schedule runs early)."""
        self._quiet.append((page_id, run_id, stamp(at), outcome, page))
        if len(self._quiet) >= QUIET_BATCH:
            self.flush_checks()

    def flush_checks(self) -> None:
        if self._quiet:
            self._versions.write_quiet(self._quiet)
            self._quiet.clear()
