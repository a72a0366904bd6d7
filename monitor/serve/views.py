"""What each page of `monitor serve` shows, read from the archive: plain values, no HTML. Every
function takes an archive opened read-only for one request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from monitor.archive import Archive, PageRow, VersionRow, search
from monitor.archive.meetings import meetings_with_sites
from monitor.config import Config
from monitor.diff import diff_documents
from monitor.errors import ArchiveDamaged
from monitor.events import PageChanged
from monitor.models import Block, Change, Meeting
from monitor.schedule import SourceState, source_states
from monitor.sites import SITE_LABELS

FILTERS = ("year", "kind", "format", "level", "mode", "person")


class NotFound(Exception):
    """The thing a URL names is not in the archive."""


@dataclass(frozen=True)
class SourceText:
    """One source's reading of a meeting: its site, page, latest text and versions."""

    site: str
    url: str
    page: PageRow | None
    versions: tuple[VersionRow, ...] = ()
    blocks: tuple[Block, ...] = ()
    problem: str | None = None  # why the text cannot be shown (never fetched, damaged)


@dataclass(frozen=True)
class Timeline:
    meetings: tuple[tuple[Meeting, tuple[tuple[str, str], ...]], ...]
    chosen: Mapping[str, str]
    choices: Mapping[str, tuple[str, ...]]  # each filter's values in the archive


@dataclass(frozen=True)
class Comparison:
    page: PageRow
    old: VersionRow
    new: VersionRow
    changes: tuple[Change, ...]
    added: int
    removed: int
    speakers: tuple[str, ...] = field(default=())


def page_by_id(archive: Archive, page_id: int) -> PageRow:
    page = archive.page_by_id(page_id)
    if page is None:
        raise NotFound(f"no page {page_id}")
    return page


def version_of(archive: Archive, page: PageRow, seq: int) -> VersionRow:
    version = archive.version(page.id, seq)
    if version is None:
        raise NotFound(f"page {page.id} has no version {seq}")
    return version


def _matches(meeting: Meeting, chosen: Mapping[str, str]) -> bool:
    for key, value in chosen.items():
        if key == "year" and not meeting.date.startswith(value):
            return False
        if key == "person" and not any(value.lower() in p.lower() for p in meeting.participants):
            return False
        if key in ("kind", "format", "level", "mode") and getattr(meeting, key) != value:
            return False
    return True


def timeline(archive: Archive, chosen: Mapping[str, str]) -> Timeline:
    """Every meeting, newest first, that matches the filters chosen (exact values; a person by
    any part of a name)."""
    chosen = {k: v.strip() for k, v in chosen.items() if k in FILTERS and v.strip()}
    everything = meetings_with_sites(archive)
    choices = {
        "year": tuple(sorted({m.date[:4] for m, _ in everything}, reverse=True)),
        "kind": tuple(sorted({m.kind for m, _ in everything})),
        "format": tuple(sorted({m.format for m, _ in everything})),
        "level": tuple(sorted({m.level for m, _ in everything})),
        "mode": tuple(sorted({m.mode for m, _ in everything})),
    }
    kept = [(m, tuple(sources)) for m, sources in everything if _matches(m, chosen)]
    kept.sort(key=lambda item: (item[0].date, item[0].id), reverse=True)
    return Timeline(tuple(kept), chosen, choices)


def meeting(archive: Archive, meeting_id: str) -> tuple[Meeting, list[SourceText]]:
    """A meeting and every source's text, MOFA's first: the order a reader compares them in."""
    wanted = [(m, said) for m, said in meetings_with_sites(archive) if m.id == meeting_id]
    if not wanted:
        raise NotFound(f"no meeting {meeting_id}")
    found, said = wanted[0]
    texts = [source_text(archive, site, url) for site, url in said]
    texts.sort(key=lambda t: (_SITE_ORDER.get(t.site, len(_SITE_ORDER)), t.site, t.url))
    return found, texts


_SITE_ORDER = {
    label: i for i, label in enumerate(SITE_LABELS.values())
}  # as SITE_LABELS lists them


def source_text(archive: Archive, site: str, url: str) -> SourceText:
    page = archive.page(url)
    if page is None:
        return SourceText(site, url, None, problem="not in the archive")
    versions = tuple(archive.versions(page.id))
    if not versions:
        return SourceText(site, url, page, problem="no version archived yet")
    try:
        blocks = archive.document(versions[-1]).blocks
    except ArchiveDamaged as exc:
        return SourceText(site, url, page, versions, problem=str(exc))
    return SourceText(site, url, page, versions, blocks)


def compare(archive: Archive, page_id: int, a: int, b: int) -> Comparison:
    """Versions `a` and `b` of a page, word by word (characters for Japanese)."""
    page = page_by_id(archive, page_id)
    old, new = version_of(archive, page, a), version_of(archive, page, b)
    diff = diff_documents(archive.document(old), archive.document(new))
    return Comparison(page, old, new, diff.changes, diff.added, diff.removed, diff.speakers)


@dataclass(frozen=True)
class Found:
    """A search: the pages and meetings holding the words, and when they were first and last
    seen across every version."""

    hits: tuple[search.Hit, ...]
    meetings: tuple[search.MeetingHit, ...]
    counts: search.Counts
    first: search.Hit | None
    last: search.Hit | None
    coverage: search.Coverage


def find(archive: Archive, q: str) -> Found:
    first, last = search.first_last_seen(archive, q)
    return Found(
        tuple(search.search(archive, q)),
        tuple(search.search_meetings(archive, q)),
        search.count(archive, q),
        first,
        last,
        search.coverage(archive),
    )


def sources(archive: Archive, config: Config) -> list[SourceState]:
    return source_states(config, archive, datetime.now(UTC))


def newest_revisions(archive: Archive, limit: int = 10) -> list[tuple[datetime, str, str]]:
    """(when, url, title) of the newest page_changed events, newest first."""
    return [
        (event.created_at, str(event.data.get("url")), str(event.data.get("title")))
        for event in archive.events_of_type(PageChanged.type, limit)
        if event.created_at is not None
    ]
