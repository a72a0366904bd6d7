"""The only place that composes the stages: fetch -> normalise -> archive -> diff -> events.
A run's context is in `run`, the failure policy in `alerts`, one page's check in `page`,
listings and feeds in `indexes`; this module checks the sources and writes the run's outputs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from urllib.parse import urlsplit

from monitor.archive import Archive, Health, PageRow
from monitor.archive.meetings import rebuild_meetings
from monitor.config import Config, SourceConfig
from monitor.errors import MonitorError
from monitor.events import Baseline
from monitor.fetch import Fetcher
from monitor.fetch.urls import UrlPolicy
from monitor.models import Failure, RunReport, iso
from monitor.normalise import rules_key
from monitor.pipeline.alerts import REMIND_EVERY
from monitor.pipeline.indexes import IndexChecker, distinct_items
from monitor.pipeline.page import FLAP_SPAN, PageChecker, Recorder
from monitor.pipeline.prepare import Preparer, default_workers
from monitor.pipeline.run import (
    Clock,
    Progress,
    Run,
    SourceRun,
    select_sources,
    source_profile,
    utcnow,
)
from monitor.sites import profile_for
from monitor.testing import crash

__all__ = [
    "FLAP_SPAN",
    "REMIND_EVERY",
    "Clock",
    "Progress",
    "Run",
    "SourceRun",
    "check",
    "distinct_items",
    "iso",
    "select_sources",
    "source_profile",
    "utcnow",
]

log = logging.getLogger(__name__)


async def check_source(pages: PageChecker, indexes: IndexChecker, sr: SourceRun) -> None:
    log.debug("checking %s (%s)", sr.source.id, sr.source.url)
    if sr.source.kind in ("listing", "feed"):
        await indexes.check_index(sr)
    elif not await pages.check_page(sr, sr.source.url, "page"):
        sr.failed = "page failed"


async def _check_all(run: Run, sources: list[SourceConfig]) -> list[SourceRun]:
    recorder = Recorder(run)
    pages = PageChecker(run, recorder)
    indexes = IndexChecker(run, pages, recorder)
    srs = []
    for source in sources:
        baselined = run.archive.ensure_source(source.id, source.url, source.kind)
        profile = source_profile(source)
        rules = rules_key(profile, source.selector, source.ignore)
        srs.append(SourceRun(source, profile, silent=not baselined, rules=rules))

    async def one(sr: SourceRun) -> None:
        try:
            await check_source(pages, indexes, sr)
        except MonitorError as exc:  # ArchiveError too: the archive refused this source's write
            sr.failed = str(exc)
            run.failures.append((sr.source.id, sr.source.url, str(exc)))
        log.info(
            "%s: %d new version(s)%s",
            sr.source.id,
            sr.pages,
            f", failed: {sr.failed}" if sr.failed else "",
        )
        if sr.silent and sr.failed is None:
            with run.archive.transaction():
                run.archive.set_baseline(sr.source.id, run.now())
                run.archive.add_event(
                    run.run_id,
                    Baseline(sr.source.id, sr.pages, len(sr.meetings), tuple(sorted(sr.meetings))),
                    run.now(),
                )

    await asyncio.gather(*(one(sr) for sr in srs))
    return srs


def _meetings_under_current_rules(config: Config, archive: Archive) -> None:
    profiles = {s.id: source_profile(s).name for s in config.sources}

    def site_of(page: PageRow) -> str:
        return profiles.get(page.source_id) or profile_for(page.url).name

    rebuilt = rebuild_meetings(archive, site_of)
    if rebuilt and rebuilt[0]:
        log.info(
            "meetings found again under the current rules: %d meetings (were %d)",
            rebuilt[1],
            rebuilt[0],
        )


def failures(run: Run, health: Health, started: datetime) -> tuple[Failure, ...]:
    """The run's failed checks, each with since when its page has been failing (the run's
    start for a failure that is no page's)."""
    since = {(f.source, f.url): f.since for f in health.failing}
    return tuple(
        Failure(source, url, error, iso(since.get((source, url), started)))
        for source, url, error in run.failures
    )


def _sync_channels(config: Config, archive: Archive, clock: Clock) -> None:
    """Before the run records anything: a channel configured since the last run (`email`, a
    `notify` URL) is sent what this run finds on, not what was recorded before it was."""
    from monitor.report.notify import sync_channels

    try:
        sync_channels(archive, config, clock())
    except MonitorError as exc:
        log.error("channels not brought up to date with the config: %s", exc)


async def check(
    config: Config,
    *,
    source_ids: list[str] | None = None,
    clock: Clock = utcnow,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    progress: Progress | None = None,
    email: bool = True,
    archive: Archive | None = None,
) -> RunReport:
    """Check the (named) sources once, write the run's report, deliver mail. The daemon and
    `check-now` both call this."""
    from monitor import report as report_stage

    sources = select_sources(config, source_ids)
    own = archive is None
    archive = archive or Archive.for_config(config)
    try:
        # each output (a report, the index, the feed) may fail alone: logged, alerted, and the
        # run and its mail go on
        failed = report_stage.attempt(
            config.reports_dir, lambda: report_stage.recover(config, archive)
        )
        output_errors = [failed] if failed else []
        _meetings_under_current_rules(config, archive)
        _sync_channels(config, archive, clock)
        started = run_started = clock()
        run_id = archive.start_run(run_started)
        netlocs = {urlsplit(s.url).netloc for s in config.sources}
        policy = UrlPolicy(config.hosts(), netlocs, allow_private=config.fetch.allow_private)
        workers = default_workers() if config.workers is None else config.workers
        preparer = Preparer(workers)
        try:
            async with Fetcher(config.fetch, sleep=sleep, policy=policy) as fetcher:
                # a queue at each worker so fetching goes on while they parse; bounded memory
                in_flight = asyncio.Semaphore(config.fetch.concurrency + 16 * workers)
                run = Run(
                    config, archive, fetcher, clock, run_id, policy, preparer, in_flight, progress
                )
                await _check_all(run, sources)
        finally:
            await preparer.close()
        archive.flush_checks()
        raw_events = archive.unreported_events()
        events = report_stage.consolidate(raw_events, report_stage.meetings_now(archive))
        # what the report and digest show: the run's events with the changes it computed
        told = report_stage.gather(archive, config, raw_events, run.changed)
        health = archive.health(run_id, {s.id for s in config.sources})
        finished = clock()
        path = report_stage.report_file(config, run_id)
        failed = report_stage.attempt(
            path,
            lambda: report_stage.write_run_report(
                archive, config, run_id, told, started, finished, run.left_out, health
            ),
        )
        output_errors += [failed] if failed else []
        crash.point("report-written")
        with archive.transaction():
            archive.mark_reported([e.id for e in raw_events if e.id is not None], run_id)
            archive.finish_run(run_id, finished, str(path), report_stage.summarize(told, health))
        output_errors += report_stage.publish(config, archive, run_id)
        if output_errors:
            report_stage.alert_outputs(archive, run_id, output_errors, finished)
        mail_error = None
        if email and (config.email is not None or config.notify):  # any channel configured
            from monitor.report.notify import deliver_outbox

            try:
                await deliver_outbox(archive, config, clock=clock, known=told)
            except MonitorError as exc:
                log.error("%s (the digest stays queued for the next run)", exc)
                mail_error = str(exc)
        return RunReport(
            iso(started),
            iso(finished),
            len(sources),
            run.pages_checked,
            tuple(events),
            tuple((source, error) for source, _, error in run.failures),
            str(path) if path.exists() else None,
            run_id,
            mail_error,
            tuple(run.left_out),
            output_errors=tuple(output_errors),
            failed=failures(run, health, started),
        )
    finally:
        if own:
            archive.close()
