"""Frozen values passed between the pipeline's stages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "item", "row"]
ChangeOp = Literal["added", "removed", "changed", "moved"]
MeetingKind = Literal[
    "2+2",
    "foreign-ministers",
    "defense-ministers",
    "summit",
    "telephone-talk",
    "trilateral",
    "other",
]


@dataclass(frozen=True)
class FetchResult:
    """What the fetch stage returns for one URL."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int  # 304 when the server said "not modified"
    headers: dict[str, str]
    body: bytes  # raw, decompressed body (empty on 304)
    content_type: str
    redirects: tuple[str, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    elapsed: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Block:
    """One unit of text in a document: a heading, paragraph, list item or table row."""

    kind: BlockKind
    text: str
    speaker: str | None = None
    section: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text}
        if self.speaker:
            out["speaker"] = self.speaker
        if self.section:
            out["section"] = self.section
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Block:
        return cls(data["kind"], data["text"], data.get("speaker"), data.get("section"))


@dataclass(frozen=True)
class Link:
    """A link on a listing or a page: where it leads, and its text."""

    url: str
    text: str


@dataclass(frozen=True)
class Document:
    """A normalised page: what gets compared between versions."""

    url: str
    title: str
    blocks: tuple[Block, ...]
    links: tuple[Link, ...] = ()
    published: str | None = None  # when the page says it was published: ISO time with zone, or day
    lang: str = "en"

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "published": self.published,
            "lang": self.lang,
            "blocks": [b.to_json() for b in self.blocks],
            "links": [[link.url, link.text] for link in self.links],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        return cls(
            url=data["url"],
            title=data["title"],
            blocks=tuple(Block.from_json(b) for b in data["blocks"]),
            links=tuple(Link(u, t) for u, t in data.get("links", [])),
            published=data.get("published"),
            lang=data.get("lang", "en"),
        )


@dataclass(frozen=True)
class Segment:
    """A run of words in a word-level diff: kept (" "), inserted ("+") or deleted ("-")."""

    op: Literal[" ", "+", "-"]
    text: str


@dataclass(frozen=True)
class Change:
    """One block-level change between two versions of a document."""

    op: ChangeOp
    old: Block | None
    new: Block | None
    segments: tuple[Segment, ...] = ()
    added: int = 0
    removed: int = 0
    trivial: bool = False

    @property
    def speaker(self) -> str | None:
        block = self.new or self.old
        return block.speaker if block else None

    @property
    def section(self) -> str | None:
        block = self.new or self.old
        return block.section if block else None


@dataclass(frozen=True)
class DocDiff:
    """Every change between two versions, with totals."""

    changes: tuple[Change, ...]
    added: int
    removed: int
    trivial: bool
    speakers: tuple[str, ...]
    title_changed: bool = False

    @property
    def empty(self) -> bool:
        return not self.changes and not self.title_changed


@dataclass(frozen=True)
class Meeting:
    """A Japan-U.S. meeting as GUIDE.md (corpus/meetings) defines it, and the pages reporting it."""

    id: str
    date: str  # YYYY-MM-DD, the local day where it took place
    kind: MeetingKind
    title: str
    location: str | None
    participants: tuple[str, ...]
    sources: tuple[str, ...]
    duration: str | None = None
    format: str = "bilateral"  # 2+2, bilateral, trilateral, quad
    level: str = "ministers"  # leaders, ministers, vice-ministers, officials
    mode: str = "in-person"  # in-person, telephone, video
    countries: tuple[str, ...] = ("JP", "US")  # ISO 3166 codes
    date_basis: str = "stated"  # how the date was read: stated, relative, dateline, published

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date,
            "kind": self.kind,
            "title": self.title,
            "location": self.location,
            "participants": list(self.participants),
            "sources": list(self.sources),
            "duration": self.duration,
            "format": self.format,
            "level": self.level,
            "mode": self.mode,
            "countries": list(self.countries),
        }


@dataclass(frozen=True)
class Event:
    """Something a user is told about. `data` holds the type-specific fields of the contract."""

    type: str
    data: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    created_at: datetime | None = None  # aware, UTC

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, **self.data}


@dataclass(frozen=True)
class LeftOut:
    """New pages a listing or feed offered beyond its `max_pages`: not archived, not alerted."""

    source: str
    max_pages: int
    urls: tuple[str, ...]
    kept: str = "newest"  # which were kept: a feed's "newest", a listing's "first" in page order

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "max_pages": self.max_pages,
            "kept": self.kept,
            "count": len(self.urls),
            "urls": list(self.urls),
        }


@dataclass(frozen=True)
class Failure:
    """A check of a run that failed: its source, the URL, the error, and since when the page has
    been failing (the first failed check of its current streak; ISO UTC)."""

    source: str
    url: str
    error: str
    since: str

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "url": self.url, "error": self.error, "since": self.since}


@dataclass(frozen=True)
class RunReport:
    """What one check of the sources did: when, how much, its events and failures."""

    started_at: str
    finished_at: str
    sources_checked: int
    pages_checked: int
    events: tuple[Event, ...]
    failures: tuple[tuple[str, str], ...] = ()  # (source id, error)
    report: str | None = None
    run_id: int | None = None
    mail_error: str | None = None  # the digest could not be sent; it stays in the outbox
    left_out: tuple[LeftOut, ...] = ()  # sources that offered more than max_pages new pages
    output_errors: tuple[str, ...] = ()  # reports, index or feed not written (the mail went on)
    failed: tuple[Failure, ...] = ()  # `failures` with their URL and since when

    def to_json(self) -> dict[str, Any]:
        out = {
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "sources_checked": self.sources_checked,
            "pages_checked": self.pages_checked,
            "report": self.report,
            "events": [e.to_json() for e in self.events],
            "failures": [f.to_json() for f in self.failed],  # an extension
        }
        if self.left_out:  # an extension: present only when something was left out
            out["left_out"] = [x.to_json() for x in self.left_out]
        if self.output_errors:  # an extension: reports, index or feed not written
            out["output_errors"] = list(self.output_errors)
        if self.mail_error:  # an extension: the digest stays queued for the next run
            out["delivery_error"] = self.mail_error
        return out


def text_digest(doc: Document) -> str:
    """What counts as 'the content' for change detection: title and blocks, not links."""
    parts = [doc.title]
    parts.extend(
        f"{b.kind}\x1f{b.speaker or ''}\x1f{b.section or ''}\x1f{b.text}" for b in doc.blocks
    )
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()


def iso(when: datetime) -> str:
    """An instant as the archive stores it and the --json contract and reports print it: UTC,
    to the second, with a Z ("2026-03-01T09:00:00Z")."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def shown(when: datetime, zone: tzinfo) -> str:
    """An instant as a reader is shown it (reports, digests, the CLI's tables): to the minute,
    in the configured zone, named ("2026-03-01 20:00 JST")."""
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def instant(text: str) -> datetime:
    """The aware UTC datetime of an `iso` text."""
    when = datetime.fromisoformat(text)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
