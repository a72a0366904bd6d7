"""The daemon: APScheduler 3.x runs the same pipeline as `check-now`, one source at a time."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.archive import Archive
from monitor.config import Config, SourceConfig, parse_interval
from monitor.errors import MonitorError
from monitor.models import iso
from monitor.sites import profile_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobPlan:
    """Sources that share a schedule are checked in one run: one report, one digest."""

    job_id: str
    source_ids: tuple[str, ...]
    trigger: BaseTrigger
    first_run: datetime  # catch-up: now when a check is overdue after downtime


def trigger_for(schedule: str, jitter: int, zone: tzinfo = UTC) -> BaseTrigger:
    """A cron schedule runs on the clock of `zone` (the config's `timezone:`); an interval
    counts seconds, whatever the zone."""
    if len(schedule.split()) == 5:
        return CronTrigger.from_crontab(schedule, timezone=zone)
    seconds = parse_interval(schedule)
    return IntervalTrigger(seconds=seconds, timezone=UTC, jitter=min(jitter, seconds // 2) or None)


def next_due(schedule: str, last: datetime | None, now: datetime, zone: tzinfo = UTC) -> datetime:
    """When a source should next be checked: now if it never was or is overdue."""
    if last is None:
        return now
    if len(schedule.split()) == 5:
        fire = CronTrigger.from_crontab(schedule, timezone=zone).get_next_fire_time(
            None, last + timedelta(seconds=1)
        )
        return now if fire is None or fire <= now else fire
    due = last + timedelta(seconds=parse_interval(schedule))
    return max(due, now)


def plan(config: Config, last: dict[str, datetime], now: datetime) -> list[JobPlan]:
    """One job per distinct schedule, with its trigger and the time of its first run (the
    earliest its sources are due). Pure: the clock is passed in."""
    groups: dict[str, list[str]] = {}
    for source in config.sources:
        groups.setdefault(source_schedule(config, source), []).append(source.id)
    out = []
    for schedule, ids in groups.items():
        first = min(next_due(schedule, last.get(i), now, config.zone) for i in ids)
        out.append(
            JobPlan(
                f"every {schedule}",
                tuple(ids),
                trigger_for(schedule, config.schedule.jitter, config.zone),
                first,
            )
        )
    return out


def source_schedule(config: Config, source: SourceConfig) -> str:
    return source.schedule or config.schedule.default


@dataclass(frozen=True)
class SourceState:
    """A configured source as `monitor sources` and the web app show it."""

    id: str
    url: str
    kind: str
    profile: str
    schedule: str
    last_check: datetime | None
    failing_pages: int
    next_run: datetime

    @property
    def status(self) -> str:
        if self.last_check is None:
            return "not checked yet"
        return f"failing ({self.failing_pages} page(s))" if self.failing_pages else "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "kind": self.kind,
            "profile": self.profile,
            "schedule": self.schedule,
            "last_check": iso(self.last_check) if self.last_check else None,
            "status": self.status,
            "next_run": iso(self.next_run),
        }


def source_states(config: Config, archive: Archive | None, now: datetime) -> list[SourceState]:
    """Each configured source: its kind, profile, schedule, last check, failing pages and next
    run (`archive` None: nothing checked yet)."""
    last = archive.last_checks() if archive is not None else {}
    failing: dict[str, int] = {}
    for page in archive.pages() if archive is not None else []:
        if page.failing and page.retired_at is None:  # a retired page is no failure
            failing[page.source_id] = failing.get(page.source_id, 0) + 1
    out = []
    for source in config.sources:
        schedule = source_schedule(config, source)
        checked = last.get(source.id)
        out.append(
            SourceState(
                source.id,
                source.url,
                source.kind,
                profile_for(source.url, source.profile).name,
                schedule,
                checked,
                failing.get(source.id, 0),
                next_due(schedule, checked, now, config.zone),
            )
        )
    return out


CheckSome = Callable[[list[str]], Any]


class Daemon:
    """Owns the scheduler. `run()` blocks until SIGTERM/SIGINT, then lets the running check
    finish and returns."""

    def __init__(
        self,
        config: Config,
        check_some: CheckSome,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self.check_some = check_some
        self.clock = clock
        self.stop = threading.Event()
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": config.schedule.misfire_grace,
            },
            timezone=config.zone,
        )
        self.scheduler.add_listener(self._on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED)

    def _on_event(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning("missed the check of %s due at %s", event.job_id, event.scheduled_run_time)
        else:
            log.error("check of %s failed: %s", event.job_id, event.exception)

    def _job(self, source_ids: list[str]) -> None:
        if self.stop.is_set():
            return
        try:
            self.check_some(source_ids)
        except MonitorError as exc:
            log.error("%s: %s", ", ".join(source_ids), exc)
        except Exception:  # a bug in one run must not stop the daemon
            log.exception("check of %s failed", ", ".join(source_ids))

    def add_jobs(self, last: dict[str, datetime]) -> list[JobPlan]:
        plans = plan(self.config, last, self.clock())
        for p in plans:
            self.scheduler.add_job(
                self._job,
                p.trigger,
                args=[list(p.source_ids)],
                id=p.job_id,
                name=f"check {', '.join(p.source_ids)}",
                next_run_time=p.first_run,
                replace_existing=True,
                coalesce=True,  # after downtime, one catch-up run, not one per missed slot
                max_instances=1,
                misfire_grace_time=self.config.schedule.misfire_grace,  # minutes, not 1 s
            )
        return plans

    def run(self, last: dict[str, datetime]) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop.set())
        plans = self.add_jobs(last)
        self.scheduler.start()
        log.info(
            "daemon started: %d source(s); next check %s",
            len(plans),
            min(p.first_run for p in plans).isoformat() if plans else "never",
        )
        self.stop.wait()
        log.info("stopping: letting the running check finish")
        self.scheduler.shutdown(wait=True)
        log.info("daemon stopped")


def run_daemon(config: Config) -> None:
    from monitor.pipeline import check

    def check_some(source_ids: list[str]) -> None:
        report = asyncio.run(check(config, source_ids=source_ids))
        kinds = [e.type for e in report.events]
        log.info(
            "run %s: %d source(s), %d page(s), %d event(s)%s; report %s",
            report.run_id,
            report.sources_checked,
            report.pages_checked,
            len(kinds),
            f" ({', '.join(sorted(set(kinds)))})" if kinds else "",
            report.report,
        )

    with Archive.for_config(config, lock=False) as archive:
        last = archive.last_checks()
    Daemon(config, check_some).run(last)
