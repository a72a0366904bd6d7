"""Report stage, its I/O: a run's report written (HTML and a plain-text twin, the pages of the
versions it compares), then published with the index and the feed; what failed to be written
alerted. What a report shows is `view`."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor.archive import Archive, Health, VersionRow
from monitor.archive.meetings import meetings_with_sites
from monitor.archive.stored import readable
from monitor.config import Config
from monitor.errors import ArchiveError
from monitor.events import OutputFailed, TypedEvent
from monitor.models import Document, Event, LeftOut, shown
from monitor.report.files import write_atomic
from monitor.report.versions import VersionPages, site_names
from monitor.report.view import (
    Loaded,
    Loader,
    build_view,
    environment,
    left_out_view,
    render,
    summarize,
    typed,
    with_changes,
)
from monitor.text import one_line

log = logging.getLogger(__name__)
OUTPUT_REMIND_EVERY = 86400  # seconds: an output that keeps failing is alerted daily


def archive_loader(
    archive: Archive, renorm: Callable[[VersionRow], Document] | None = None
) -> Loader:
    def load(event_id: int) -> Loaded | None:
        old_id, new_id = archive.event_versions(event_id)
        if old_id is None or new_id is None:
            return None
        old_v, new_v = archive.version_by_id(old_id), archive.version_by_id(new_id)
        if old_v is None or new_v is None:
            return None
        try:
            old_doc = renorm(old_v) if renorm else archive.document(old_v)
            return old_doc, archive.document(new_v), old_v, new_v
        except ArchiveError:
            return None

    return load


def meetings_now(archive: Archive) -> dict[str, dict[str, Any]]:
    """Each meeting as it stands, with the site that reported each of its sources."""
    out = {}
    for m, links in meetings_with_sites(archive):
        data = m.to_json()
        data["source_links"] = links
        out[m.id] = data
    return out


def added_pages(
    archive: Archive, href: Callable[[VersionRow], str | None]
) -> Callable[[int], str | None]:
    """A page_added event's id -> where its page is as first archived (`href` of its version;
    None when it cannot be read back)."""

    def find(event_id: int) -> str | None:
        version_id = archive.event_versions(event_id)[1]
        version = archive.version_by_id(version_id) if version_id is not None else None
        try:
            return href(version) if version is not None else None
        except ArchiveError:
            return None

    return find


def served_version(base_url: str) -> Callable[[VersionRow], str]:
    """A version's page in `monitor serve` (`serve.base_url`)."""
    return lambda v: f"{base_url}/pages/{v.page_id}/versions/{v.seq}"


def gather(
    archive: Archive, config: Config, events: Iterable[Event], known: Iterable[TypedEvent] = ()
) -> list[TypedEvent]:
    """The stored `events` as a report or digest shows them: typed, and each page_changed one
    with its changes. Those of an event in `known` (the run's own, as `Run.changed` holds them,
    or events gathered before in this process) are taken from there; the others, read back from
    the archive, are diffed once from the archived documents (`view.with_changes`)."""
    return with_changes(typed(events, known), documents(archive, config))


def documents(archive: Archive, config: Config) -> Loader:
    """A page_changed event's two versions: their documents as archived (not renormalised, but
    read again from the raw response when damaged)."""
    return archive_loader(archive, readable(archive, config))


def failing_now(archive: Archive, config: Config) -> Health:
    """The short health a digest carries: the configured sources' pages failing now."""
    return Health(failing=archive.health(None, {s.id for s in config.sources}).failing)


def write_run_report(
    archive: Archive,
    config: Config,
    run_id: int,
    events: Sequence[TypedEvent],
    started: datetime,
    finished: datetime,
    left_out: Iterable[LeftOut] = (),
    health: Health | None = None,
) -> Path:
    """The run's report of `events` (as `gather` gives them), written beside where it goes
    (`pending`) until `publish`; with the pages failing now and retired (`health`; its
    recoveries are the run's `source_recovered` events)."""
    zone = config.zone
    pages = VersionPages(archive, config, run_id)
    view = build_view(
        events,
        title=f"monitor report — {started.astimezone(zone):%Y-%m-%d}",
        run_id=run_id,
        started_at=shown(started, zone),
        finished_at=shown(finished, zone),
        loader=documents(archive, config),
        href=pages.href,
        added_href=added_pages(archive, lambda v: pages.href(v, archive.document(v))),
        meetings=meetings_now(archive),
        base_url=config.serve.base_url,
        zone=zone,
        sites=site_names(config),
    )
    view = replace(
        view,
        index_href="index.html",
        left_out=left_out_view(left_out),
        health=replace(health, recovered=()) if health else Health(),
    )
    path = report_file(config, run_id)
    write_atomic(pending(path), render(view))
    write_atomic(pending(path.with_suffix(".txt")), render(view, "report.txt"))
    return path


def report_file(config: Config, run_id: int) -> Path:
    return config.reports_dir / f"run-{run_id:06d}.html"


def pending(path: Path) -> Path:
    return path.with_name(path.name + ".pending")


def publish(config: Config, archive: Archive, run_id: int) -> list[str]:
    """Second half of writing a report: after the run's events are marked reported. Each output
    is written on its own: one that fails never stops the others, nor the digest. Returns a
    line for each output that failed (each logged as an ERROR)."""
    from monitor.report.export import write_feed

    path = report_file(config, run_id)

    def promote() -> None:
        for final in (path, path.with_suffix(".txt")):
            if pending(final).exists():
                os.replace(pending(final), final)

    outputs: tuple[tuple[Path, Callable[[], object]], ...] = (
        (path, promote),
        (config.reports_dir / "index.html", lambda: write_index(archive, config)),
        (config.reports_dir / "feed.atom", lambda: write_feed(archive, config.reports_dir)),
    )
    return [error for target, write in outputs if (error := attempt(target, write)) is not None]


def attempt(target: Path, write: Callable[[], object]) -> str | None:
    """Write one output: None when it was written, else why not, in one line (logged). Any
    exception counts: a page's text that lxml refuses, a full disk, a directory in the way."""
    try:
        write()
    except Exception as exc:
        reason: object = exc
        if isinstance(exc, OSError) and exc.strerror:  # the path at fault may not be the target
            at = exc.filename if exc.filename and str(exc.filename) != str(target) else None
            reason = f"{at}: {exc.strerror}" if at else exc.strerror
        error = one_line(f"{target}: not written: {type(exc).__name__}: {reason}")
        log.error("%s", error)
        return error
    return None


def alert_outputs(archive: Archive, run_id: int, errors: Iterable[str], at: datetime) -> None:
    """An `output_failed` event (in the next report, in the digest) for each output that could
    not be written; one that keeps failing is told again once a day, not every run."""
    with archive.transaction():
        for error in errors:
            output = error.partition(": not written: ")[0]
            last = archive.last_output_failure(output)
            if last and (at - last).total_seconds() < OUTPUT_REMIND_EVERY:
                continue
            archive.add_event(run_id, OutputFailed(output, error), at)


def recover(config: Config, archive: Archive) -> None:
    """After a crash: publish reports whose run was recorded; drop those whose run was not (its
    events are still unreported and go into the next report)."""
    if not config.reports_dir.exists():
        return
    finished = archive.finished_runs()
    for stale in config.reports_dir.glob("run-*.pending"):
        try:
            run_id = int(stale.name[4:10])
        except ValueError:
            continue
        if run_id in finished:
            os.replace(stale, stale.with_name(stale.name.removesuffix(".pending")))
        else:
            stale.unlink()


def write_index(archive: Archive, config: Config) -> None:
    """reports/index.html: the current health (as of the latest run), then each run with its
    report's summary."""
    recent = archive.recent_runs(config.reports.keep)
    runs = [
        {
            "id": run_id,
            "started_at": shown(started_at, config.zone),
            "href": f"run-{run_id:06d}.html",
            "summary": summary or summarize(typed(archive.reported_events(run_id))),
        }
        for run_id, started_at, _, summary in recent
        if (config.reports_dir / f"run-{run_id:06d}.html").exists()
    ]
    health = archive.health(recent[0][0] if recent else None, {s.id for s in config.sources})
    current = config.reports_dir / "index.html"
    html = (
        environment()
        .get_template("index.html")
        .render(runs=runs, health=health, zone=config.zone, sites=site_names(config))
    )
    write_atomic(current, html)
