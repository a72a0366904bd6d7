"""Report stage: one self-contained HTML report per run, a plain-text twin, an index."""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from monitor.archive import Archive, VersionRow
from monitor.archive.meetings import meetings_with_sites
from monitor.archive.stored import readable
from monitor.config import Config
from monitor.diff import diff_documents
from monitor.errors import ArchiveError
from monitor.events import OutputFailed
from monitor.models import Change, Document, Event, LeftOut
from monitor.text import one_line

log = logging.getLogger(__name__)
MAX_CHANGES_SHOWN = 60
OUTPUT_REMIND_EVERY = 86400  # seconds: an output that keeps failing is alerted daily


def safe_url(value: object) -> str:
    """Only http(s) links reach a report; anything else becomes a dead link."""
    text = str(value or "").strip()
    return text if urlsplit(text).scheme in ("http", "https") else "#"


def plain_segments(change: Change) -> str:
    if change.op == "moved":
        return f"(moved) {change.new.text if change.new else ''}"
    out = []
    for seg in change.segments:
        out.append({"+": f"{{+{seg.text}+}}", "-": f"[-{seg.text}-]"}.get(seg.op, seg.text))
    return "".join(out)


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """One environment per process: templates compile once."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("monitor", "templates"),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters["safe_url"] = safe_url
    env.filters["plain_segments"] = plain_segments
    env.filters["source_link"] = lambda url: ("", url)  # a meeting stored before sites were
    return env


@dataclass(frozen=True)
class PageView:
    source: str
    url: str
    title: str
    added: int
    removed: int
    trivial: bool
    speakers: tuple[str, ...]
    changes: tuple[Change, ...]
    more: int = 0
    old_seq: int | None = None
    new_seq: int | None = None
    old_href: str | None = None
    new_href: str | None = None


@dataclass(frozen=True)
class ReportView:
    title: str
    run_id: int
    started_at: str
    finished_at: str
    new_meetings: list[dict[str, Any]] = field(default_factory=list)
    source_meetings: list[dict[str, Any]] = field(default_factory=list)
    changed: list[PageView] = field(default_factory=list)
    minor: list[PageView] = field(default_factory=list)  # trivial: spacing, punctuation, case
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    failing: list[dict[str, Any]] = field(default_factory=list)
    recovered: list[dict[str, Any]] = field(default_factory=list)
    damaged: list[dict[str, Any]] = field(default_factory=list)  # pages archived afresh
    baselines: list[dict[str, Any]] = field(default_factory=list)
    index_href: str | None = None
    left_out: list[dict[str, Any]] = field(default_factory=list)  # beyond a source's max_pages
    problems: list[dict[str, Any]] = field(default_factory=list)  # outputs not written

    @property
    def summary(self) -> str:
        parts = []
        for n, label in (
            (len(self.new_meetings), "new meeting"),
            (len(self.changed), "revised page"),
            (len(self.minor), "minor edit"),
            (len(self.added), "new page"),
            (len(self.removed), "removed page"),
            (len(self.failing), "failing source"),
            (len(self.damaged), "damaged archived page"),
            (len(self.problems), "unwritten output"),
        ):
            if n:
                parts.append(f"{n} {label}{'s' if n != 1 else ''}")
        return ", ".join(parts) or ("archive initialised" if self.baselines else "no changes")


Loaded = tuple[Document, Document, VersionRow, VersionRow]
Loader = Callable[[int], Loaded | None]


def consolidate(events: Iterable[Event], meetings: dict[str, dict[str, Any]]) -> list[Event]:
    """Meeting events of one report about one meeting become one event carrying the meeting as
    it stands now (a new meeting found on two sites in one run is one new meeting)."""
    out: list[Event] = []
    new_ids = {e.data["meeting"]["id"] for e in events if e.type == "meeting_new"}
    seen: set[tuple[str, str]] = set()
    for event in events:
        if event.type not in ("meeting_new", "meeting_source_added"):
            out.append(event)
            continue
        mid = event.data["meeting"]["id"]
        if event.type == "meeting_source_added" and mid in new_ids:
            continue
        key = (event.type, mid)
        if key in seen:
            continue
        seen.add(key)
        data = dict(event.data)
        data["meeting"] = meetings.get(mid, event.data["meeting"])
        out.append(Event(event.type, data, event.id, event.created_at))
    return out


def build_view(
    events: list[Event],
    *,
    title: str,
    run_id: int,
    started_at: str,
    finished_at: str,
    loader: Loader,
    href: Callable[[VersionRow, Document], str | None] = lambda v, d: None,
) -> ReportView:
    """`href(version, document)`: where a version's page is, given the document the loader gave
    for it."""
    view = ReportView(title, run_id, started_at, finished_at)
    for event in events:
        data = event.data
        if event.type == "meeting_new":
            view.new_meetings.append(data["meeting"])
        elif event.type == "meeting_source_added":
            view.source_meetings.append(data["meeting"])
        elif event.type == "page_changed":
            pages = view.minor if data.get("trivial") else view.changed
            pages.append(_page_view(event, loader, href))
        elif event.type == "page_added":
            view.added.append(data)
        elif event.type == "page_removed":
            view.removed.append(data)
        elif event.type == "source_failing":
            view.failing.append(data)
        elif event.type == "source_recovered":
            view.recovered.append(data)
        elif event.type == "archive_damaged":
            view.damaged.append(data)
        elif event.type == "baseline":
            view.baselines.append(data)
        elif event.type == "output_failed":
            view.problems.append(data)
    return view


def _page_view(
    event: Event, loader: Loader, href: Callable[[VersionRow, Document], str | None]
) -> PageView:
    d = event.data
    loaded = loader(event.id) if event.id is not None else None
    changes: tuple[Change, ...] = ()
    old_seq = new_seq = None
    old_href = new_href = None
    if loaded is not None:
        old_doc, new_doc, old_v, new_v = loaded
        changes = diff_documents(old_doc, new_doc).changes
        old_seq, new_seq = old_v.seq, new_v.seq
        old_href, new_href = href(old_v, old_doc), href(new_v, new_doc)
    shown = tuple(c for c in changes if c.op != "moved") or changes
    return PageView(
        d["source"],
        d["url"],
        d.get("title", ""),
        d.get("added", 0),
        d.get("removed", 0),
        d.get("trivial", False),
        tuple(d.get("speakers", [])),
        shown[:MAX_CHANGES_SHOWN],
        max(0, len(shown) - MAX_CHANGES_SHOWN),
        old_seq,
        new_seq,
        old_href,
        new_href,
    )


def render(view: ReportView, template: str = "report.html") -> str:
    return (
        environment()
        .get_template(template)
        .render(**{k: getattr(view, k) for k in view.__dataclass_fields__})
    )


# --- writing files (I/O) ---------------------------------------------------------------------


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def write_version_page(reports: Path, version: VersionRow, doc: Document) -> str:
    """The archived document of `version` as a page of its own, written once."""
    rel = f"versions/{version.page_id}-{version.seq}.html"
    path = reports / rel
    if not path.exists():
        html = environment().get_template("version.html").render(doc=doc, version=version)
        write_atomic(path, html)
    return rel


def write_run_report(
    archive: Archive,
    config: Config,
    run_id: int,
    events: list[Event],
    started_at: str,
    finished_at: str,
    left_out: Iterable[LeftOut] = (),
) -> Path:
    reports = config.reports_dir
    events = consolidate(events, meetings_now(archive))
    view = build_view(
        events,
        title=f"monitor report — {started_at[:10]}",
        run_id=run_id,
        started_at=started_at,
        finished_at=finished_at,
        # documents as archived, no renormalising (but read again if damaged)
        loader=archive_loader(archive, readable(archive, config)),
        href=lambda v, doc: write_version_page(reports, v, doc),
    )
    view = ReportView(
        **{**view.__dict__, "index_href": "index.html", "left_out": left_out_view(left_out)}
    )
    path = report_file(config, run_id)
    write_atomic(pending(path), render(view))
    write_atomic(pending(path.with_suffix(".txt")), render(view, "report.txt"))
    return path


def left_out_view(left_out: Iterable[LeftOut], shown: int = 10) -> list[dict[str, Any]]:
    return [
        {
            "source": x.source,
            "max_pages": x.max_pages,
            "kept": "the newest" if x.kept == "newest" else "the first in page order",
            "count": len(x.urls),
            "urls": x.urls[:shown],
            "more": max(0, len(x.urls) - shown),
        }
        for x in left_out
    ]


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


def alert_outputs(archive: Archive, run_id: int, errors: Iterable[str], at: str) -> None:
    """An `output_failed` event (in the next report, in the digest) for each output that could
    not be written; one that keeps failing is told again once a day, not every run."""
    now = _instant(at)
    with archive.transaction():
        for error in errors:
            output = error.partition(": not written: ")[0]
            last = archive.last_output_failure(output)
            if last and (now - _instant(last)).total_seconds() < OUTPUT_REMIND_EVERY:
                continue
            archive.add_event(run_id, OutputFailed(output, error), at)


def _instant(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


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
    runs = [
        {
            "id": run_id,
            "started_at": started_at,
            "href": f"run-{run_id:06d}.html",
            "summary": f"{n} event(s)" if n else "no changes",
        }
        for run_id, started_at, _, n in archive.recent_runs(config.reports.keep)
        if (config.reports_dir / f"run-{run_id:06d}.html").exists()
    ]
    current = config.reports_dir / "index.html"
    html = environment().get_template("index.html").render(runs=runs)
    write_atomic(current, html)
