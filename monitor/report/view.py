"""A report's view: the events of a run (or of a digest) sorted into the sections a reader sees,
and rendered with the package's templates. Pure: the archive is reached only through the
`Loader` and `Href` the caller gives."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, tzinfo
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import jinja2

from monitor.archive import Health, VersionRow
from monitor.context import Shown, in_context, plain_segments
from monitor.diff import change_unit, diff_documents
from monitor.events import (
    EVENT_TYPES,
    ArchiveDamaged,
    Baseline,
    MeetingEvent,
    MeetingNew,
    MeetingSourceAdded,
    OutputFailed,
    PageAdded,
    PageChanged,
    PageRemoved,
    SourceFailing,
    SourceRecovered,
    TypedEvent,
    from_stored,
)
from monitor.models import Document, Event, LeftOut, Meeting, iso, shown
from monitor.text import plural

MAX_CHANGES_SHOWN = 60

Loaded = tuple[Document, Document, VersionRow, VersionRow]
Loader = Callable[[int], Loaded | None]  # a page_changed event's id -> its two versions
Href = Callable[[VersionRow, Document], str | None]  # where a version's page is
AddedHref = Callable[[int], str | None]  # a page_added event's id -> its archived copy's page
MEETING_TYPES = (MeetingNew.type, MeetingSourceAdded.type)


def safe_url(value: object) -> str:
    """Only http(s) links reach a report; anything else becomes a dead link."""
    text = str(value or "").strip()
    return text if urlsplit(text).scheme in ("http", "https") else "#"


def url_site(url: str) -> tuple[str, str]:
    """(the site a URL is on, as a report names it: "MOFA (ja)", "DoD"; "" for another host,
    the URL)."""
    from monitor.sites import site_label

    return site_label(url) or "", url


def site_of(source: str, sites: Mapping[str, str]) -> str:
    """`{{ p.source | site(sites) }}`: a source as "MOFA (ja) · mofa-ja-press", by its site
    first; only its id when its site is unknown (a source no longer configured)."""
    site = sites.get(source)
    return f"{site} · {source}" if site and site != source else source


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
    env.filters["iso"] = iso  # an archived instant as the archive and --json print it
    env.filters["when"] = shown  # `{{ at | when(zone) }}`: as a reader sees it
    env.filters["source_link"] = url_site  # a meeting as an event told it: sites by URL
    env.filters["site"] = site_of
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
    changes: tuple[Shown, ...]  # in their sentences, an added paragraph with its neighbours'
    more: int = 0
    old_seq: int | None = None
    new_seq: int | None = None
    old_href: str | None = None
    new_href: str | None = None
    unit: str = "words"  # what added/removed count: words, or characters of Japanese
    compare_href: str | None = None  # the two versions compared in `monitor serve`


@dataclass(frozen=True)
class AddedView:
    """A new page, with where its archived copy is (None when there is no page of it)."""

    source: str
    url: str
    title: str
    href: str | None = None


@dataclass(frozen=True)
class ReportView:
    title: str
    run_id: int
    started_at: str
    finished_at: str
    new_meetings: list[dict[str, Any]] = field(default_factory=list)  # as `meetings_now` has them
    source_meetings: list[dict[str, Any]] = field(default_factory=list)
    changed: list[PageView] = field(default_factory=list)
    minor: list[PageView] = field(default_factory=list)  # trivial: spacing, punctuation, case
    added: list[AddedView] = field(default_factory=list)
    removed: list[PageRemoved] = field(default_factory=list)
    failing: list[SourceFailing] = field(default_factory=list)
    recovered: list[SourceRecovered] = field(default_factory=list)
    damaged: list[ArchiveDamaged] = field(default_factory=list)  # pages archived afresh
    baselines: list[Baseline] = field(default_factory=list)
    index_href: str | None = None
    left_out: list[dict[str, Any]] = field(default_factory=list)  # beyond a source's max_pages
    problems: list[OutputFailed] = field(default_factory=list)  # outputs not written
    health: Health = field(default_factory=Health)  # failing now, recovered, retired pages
    base_url: str | None = None  # where `monitor serve` is reached (serve.base_url)
    zone: tzinfo = UTC  # the zone its times are shown in (the config's `timezone`)
    sites: Mapping[str, str] = field(default_factory=dict)  # source id -> its site ("MOFA (ja)")

    @property
    def summary(self) -> str:
        """One line, counting what the view shows: its sections, a baseline as such, and the
        sources failing now."""
        down = len(self.health.failing_sources)
        parts = [
            f"{n} {one if n == 1 else many}"
            for n, one, many in (
                (len(self.new_meetings), "new meeting", "new meetings"),
                (len(self.source_meetings), "new source of a meeting", "new sources of meetings"),
                (len(self.changed), "revised page", "revised pages"),
                (len(self.minor), "minor edit", "minor edits"),
                (len(self.added), "new page", "new pages"),
                (len(self.removed), "removed page", "removed pages"),
                (0 if down else len(self.failing), "failing source", "failing sources"),
                (len(self.recovered), "source recovered", "sources recovered"),
                (len(self.damaged), "damaged archived page", "damaged archived pages"),
                (len(self.problems), "unwritten output", "unwritten outputs"),
            )
            if n
        ]
        if self.baselines:
            pages = sum(b.pages for b in self.baselines)
            meetings = _distinct_meetings(self.baselines)
            counts = f"{plural(pages, 'page')}, {plural(meetings, 'meeting')}"
            parts.append(f"baseline: archive initialised ({counts})")
        text = ", ".join(parts) or "no changes"
        if down:
            text += f"; {down} source{'s' if down != 1 else ''} failing"
        return text


def _distinct_meetings(baselines: Sequence[Baseline]) -> int:
    """The meetings sources' baselines found, each once (a meeting two sites reported is one);
    summed as told when a baseline from before ids were kept has none."""
    if all(b.meeting_ids or not b.meetings for b in baselines):
        return len({mid for b in baselines for mid in b.meeting_ids})
    return sum(b.meetings for b in baselines)


# --- the events a view shows -----------------------------------------------------------------


def typed(
    events: Iterable[Event | TypedEvent], known: Iterable[TypedEvent] = ()
) -> list[TypedEvent]:
    """`events` as typed events. A stored one that is also in `known` (the same id: an event this
    process made) is taken from there, with what the archive does not keep; events of a type
    no report shows are left out."""
    by_id = {e.id: e for e in known if e.id is not None}
    out: list[TypedEvent] = []
    for event in events:
        if isinstance(event, TypedEvent):
            out.append(event)
        elif event.type in EVENT_TYPES:
            mine = by_id.get(event.id) if event.id is not None else None
            out.append(mine if mine is not None and mine.type == event.type else from_stored(event))
    return out


def with_changes(events: Iterable[TypedEvent], loader: Loader) -> list[TypedEvent]:
    """Each page_changed event with its changes, found one of two ways:

    - an event the run that recorded it handed on in this process (`Run.changed`, found by id in
      `typed`) carries the changes that run computed: they are shown as they are, never diffed
      again;
    - an event read back from the archive, recorded by an earlier process (reported after that
      one crashed; mailed when mail was off or the server down before it was composed), has
      none: they are diffed here, once, from its two archived documents as `loader` gives them
      (none when those cannot be read). `gather` does it once for a run's report and digest.
    """
    out: list[TypedEvent] = []
    for event in events:
        if isinstance(event, PageChanged) and event.changes is None:
            loaded = loader(event.id) if event.id is not None else None
            changes = diff_documents(loaded[0], loaded[1]).changes if loaded else ()
            event = replace(event, changes=changes)
        out.append(event)
    return out


def fold(events: Sequence[TypedEvent]) -> list[TypedEvent]:
    """A report's meeting events, one per meeting and kind (see `folded`)."""
    keys = [(e.type, e.meeting.id if isinstance(e, MeetingEvent) else None) for e in events]
    return [e for e, keep in zip(events, folded(keys), strict=True) if keep]


def folded(keys: Sequence[tuple[str, str | None]]) -> list[bool]:
    """Which events of a report to keep, given each one's (type, meeting id or None): a meeting
    new in the report is told once, as new (a meeting found on two sites in one run is one new
    meeting); a known meeting's new sources are told once."""
    new_ids = {mid for kind, mid in keys if kind == MeetingNew.type}
    seen: set[tuple[str, str]] = set()
    keep = []
    for kind, mid in keys:
        if mid is None or kind not in MEETING_TYPES:
            keep.append(True)
        elif (kind == MeetingSourceAdded.type and mid in new_ids) or (kind, mid) in seen:
            keep.append(False)
        else:
            seen.add((kind, mid))
            keep.append(True)
    return keep


def consolidate(events: Iterable[Event], meetings: Mapping[str, dict[str, Any]]) -> list[Event]:
    """Stored events as `--json` prints a run's: meeting events folded as a report folds them
    (`folded`), each carrying the meeting as it stands now (`meetings_now`) when it is known."""
    events = list(events)
    ids = [e.data["meeting"]["id"] if e.type in MEETING_TYPES else None for e in events]
    keep = folded([(e.type, mid) for e, mid in zip(events, ids, strict=True)])
    out: list[Event] = []
    for event, mid, kept in zip(events, ids, keep, strict=True):
        if kept and mid is not None:
            data = {**event.data, "meeting": meetings.get(mid, event.data["meeting"])}
            out.append(Event(event.type, data, event.id, event.created_at))
        elif kept:
            out.append(event)
    return out


# --- the view --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sources:
    """Where a view finds what its events do not carry."""

    loader: Loader
    href: Href
    meetings: Mapping[str, dict[str, Any]]
    base_url: str | None = None
    added_href: AddedHref | None = None

    def meeting(self, meeting: Meeting) -> dict[str, Any]:
        """The meeting as it stands now if it is known, else as the event told it."""
        now = self.meetings.get(meeting.id)
        return now if now is not None else meeting.to_json()

    def page(self, event: PageChanged) -> PageView:
        loaded = self.loader(event.id) if event.id is not None else None
        changes = event.changes or ()
        old_seq = new_seq = None
        old_href = new_href = compare_href = None
        kept = tuple(c for c in changes if c.op != "moved") or changes
        old_doc = new_doc = None
        if loaded is not None:
            old_doc, new_doc, old_v, new_v = loaded
            old_seq, new_seq = old_v.seq, new_v.seq
            old_href, new_href = self.href(old_v, old_doc), self.href(new_v, new_doc)
            if self.base_url:
                compare_href = f"{self.base_url}/pages/{new_v.page_id}/compare/{old_seq}/{new_seq}"
        told = in_context(kept[:MAX_CHANGES_SHOWN], old_doc, new_doc)
        return PageView(
            event.source,
            event.url,
            event.title,
            event.added,
            event.removed,
            event.trivial,
            event.speakers,
            tuple(told),
            max(0, len(kept) - MAX_CHANGES_SHOWN),
            old_seq,
            new_seq,
            old_href,
            new_href,
            change_unit(changes, event.title),
            compare_href,
        )


Section = Callable[[ReportView, Any, _Sources], None]  # given the events of its type only


def _new_meeting(view: ReportView, event: MeetingNew, sources: _Sources) -> None:
    view.new_meetings.append(sources.meeting(event.meeting))


def _source_meeting(view: ReportView, event: MeetingSourceAdded, sources: _Sources) -> None:
    view.source_meetings.append(sources.meeting(event.meeting))


def _page_changed(view: ReportView, event: PageChanged, sources: _Sources) -> None:
    (view.minor if event.trivial else view.changed).append(sources.page(event))


def _page_added(view: ReportView, event: PageAdded, sources: _Sources) -> None:
    found = sources.added_href
    href = found(event.id) if found is not None and event.id is not None else None
    view.added.append(AddedView(event.source, event.url, event.title, href))


def _row(section: Callable[[ReportView], list[Any]]) -> Section:
    """An event shown as it is, in one of the view's lists."""
    return lambda view, event, _: section(view).append(event)


SECTIONS: dict[str, Section] = {
    MeetingNew.type: _new_meeting,
    MeetingSourceAdded.type: _source_meeting,
    PageChanged.type: _page_changed,
    PageAdded.type: _page_added,
    PageRemoved.type: _row(lambda view: view.removed),
    SourceFailing.type: _row(lambda view: view.failing),
    SourceRecovered.type: _row(lambda view: view.recovered),
    ArchiveDamaged.type: _row(lambda view: view.damaged),
    Baseline.type: _row(lambda view: view.baselines),
    OutputFailed.type: _row(lambda view: view.problems),
}


def build_view(
    events: Iterable[Event | TypedEvent],
    *,
    title: str,
    run_id: int,
    started_at: str,
    finished_at: str,
    loader: Loader,
    href: Href = lambda v, d: None,
    added_href: AddedHref | None = None,
    meetings: Mapping[str, dict[str, Any]] = MappingProxyType({}),
    health: Health | None = None,
    base_url: str | None = None,
    zone: tzinfo = UTC,
    sites: Mapping[str, str] = MappingProxyType({}),
) -> ReportView:
    """The view of `events` (stored ones read as typed), meeting events folded (`fold`), each
    meeting as `meetings` has it now when it does. A page_changed event shows its changes as
    `with_changes` finds them; `loader` gives its two versions (their numbers, and their pages
    by `href(version, document)`); a page_added event its archived copy's (`added_href`);
    `health` the pages failing now (and retired); `base_url` where `monitor serve` is, for links
    to its compare and meeting pages; `zone` the zone its times are shown in; `sites` the site
    of each source."""
    view = ReportView(
        title,
        run_id,
        started_at,
        finished_at,
        health=health or Health(),
        base_url=base_url,
        zone=zone,
        sites=sites,
    )
    sources = _Sources(loader, href, meetings, base_url, added_href)
    for event in with_changes(fold(typed(events)), loader):
        SECTIONS[event.type](view, event, sources)
    return view


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


def summarize(events: Iterable[TypedEvent], health: Health | None = None) -> str:
    """The one-line summary of the report of `events` (as `gather` gives them), as the index
    lists it: the same counts the report shows."""
    view = build_view(events, title="", run_id=0, started_at="", finished_at="", loader=_none)
    return replace(view, health=health or Health()).summary


def _none(_: int) -> None:
    return None


def render(view: ReportView, template: str = "report.html") -> str:
    return (
        environment()
        .get_template(template)
        .render(**{k: getattr(view, k) for k in view.__dataclass_fields__})
    )
