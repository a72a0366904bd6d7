"""The events a user is told about, one frozen type each, so that mypy checks their fields.

`Event` (models) stays their stored form: a type and a JSON payload, as the archive keeps it
and as `--json` prints it. `stored()` turns a typed event into it and `from_stored()` reads one
back. A type's payload fields are its payload's keys, in the order the payload has always had
them (the `--json` contract); tuples are JSON lists, a meeting its `Meeting.to_json()`.

Fields marked `LOCAL` are neither stored nor printed: where the archive recorded the event, and
what the process that made it knows besides (a page_changed event's changes). They take no
part in equality.
"""

from __future__ import annotations

from dataclasses import MISSING, Field, dataclass, field, fields, replace
from datetime import datetime
from typing import Any, ClassVar, Self

from monitor.models import Change, Event, Meeting

LOCAL = {"payload": False}  # a field's metadata: not in the stored payload, not in `--json`


@dataclass(frozen=True)
class TypedEvent:
    """What every event type has: its `type`, where the archive recorded it (None until it
    has), and its conversions."""

    type: ClassVar[str]

    id: int | None = field(default=None, kw_only=True, compare=False, metadata=LOCAL)
    created_at: datetime | None = field(default=None, kw_only=True, compare=False, metadata=LOCAL)

    @classmethod
    def payload_fields(cls) -> list[Field[Any]]:
        return [f for f in fields(cls) if f.metadata.get("payload", True)]

    def payload(self) -> dict[str, Any]:
        """The stored payload: the payload fields by name, tuples as lists."""
        return {f.name: _plain(getattr(self, f.name)) for f in self.payload_fields()}

    def to_json(self) -> dict[str, Any]:
        """The event as `--json` prints it."""
        return {"type": self.type, **self.payload()}

    def stored(self) -> Event:
        return Event(self.type, self.payload(), self.id, self.created_at)

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Self:
        given = [f for f in cls.payload_fields() if f.name in data]
        missing = [f.name for f in cls.payload_fields() if f not in given and _required(f)]
        if missing:
            raise ValueError(f"{cls.type} event without {', '.join(missing)}")
        return cls(**{f.name: _frozen(data[f.name]) for f in given})  # added since: defaults


def _required(f: Field[Any]) -> bool:
    return f.default is MISSING and f.default_factory is MISSING


def _plain(value: Any) -> Any:
    if isinstance(value, Meeting):
        return value.to_json()
    return list(value) if isinstance(value, tuple) else value


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def meeting_from_json(data: dict[str, Any]) -> Meeting:
    """A meeting as an event's payload holds it (`Meeting.to_json()`, perhaps without the
    fields added since, which take their defaults); keys it does not know are ignored."""
    known = {f.name: f for f in fields(Meeting)}
    missing = [n for n, f in known.items() if f.default is MISSING and n not in data]
    if missing:
        raise ValueError(f"meeting without {', '.join(missing)}")
    return Meeting(**{k: _frozen(v) for k, v in data.items() if k in known})


@dataclass(frozen=True)
class PageAdded(TypedEvent):
    """A page archived for the first time."""

    type: ClassVar[str] = "page_added"

    source: str
    url: str
    title: str


@dataclass(frozen=True)
class PageChanged(TypedEvent):
    """A page whose text differs from its last archived version."""

    type: ClassVar[str] = "page_changed"

    source: str
    url: str
    title: str
    added: int  # words, or characters of Japanese
    removed: int
    trivial: bool  # only spacing, punctuation or capitals changed
    speakers: tuple[str, ...]  # labels of the speakers whose words changed
    # the changes as the run that recorded the event computed them, for its report and digest;
    # None on an event read back from the archive, which keeps only the counts above
    changes: tuple[Change, ...] | None = field(
        default=None, kw_only=True, compare=False, repr=False, metadata=LOCAL
    )


@dataclass(frozen=True)
class PageRemoved(TypedEvent):
    """An archived page that answered 404 or 410 on `failures_before_alert` checks in a row."""

    type: ClassVar[str] = "page_removed"

    source: str
    url: str
    title: str
    error: str


@dataclass(frozen=True)
class MeetingEvent(TypedEvent):
    """What meeting_new and meeting_source_added have."""

    meeting: Meeting  # as it stood when the event was made; stored as its to_json()
    source: str
    url: str

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Self:
        event = super().from_payload(data)
        if not isinstance(data["meeting"], dict):
            raise ValueError(f"{cls.type} event whose meeting is no object")
        return replace(event, meeting=meeting_from_json(data["meeting"]))


@dataclass(frozen=True)
class MeetingNew(MeetingEvent):
    """A meeting no source had reported before."""

    type: ClassVar[str] = "meeting_new"


@dataclass(frozen=True)
class MeetingSourceAdded(MeetingEvent):
    """Another source's report of a meeting already known."""

    type: ClassVar[str] = "meeting_source_added"  # the meeting with the new source


@dataclass(frozen=True)
class SourceFailing(TypedEvent):
    """A page whose checks failed `failures_before_alert` times in a row (reminded daily)."""

    type: ClassVar[str] = "source_failing"

    source: str
    url: str
    error: str
    failures: int  # checks failed in a row


@dataclass(frozen=True)
class SourceRecovered(TypedEvent):
    """A failing page that works again."""

    type: ClassVar[str] = "source_recovered"

    source: str
    url: str
    error: str  # always ""
    failures: int  # checks that had failed in a row


@dataclass(frozen=True)
class Baseline(TypedEvent):
    """A source's first check: what it archived, silently."""

    type: ClassVar[str] = "baseline"

    source: str
    pages: int
    meetings: int
    # the meetings its pages report, each once (extends the contract; none in older events)
    meeting_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArchiveDamaged(TypedEvent):
    """A page whose previous version could not be read back nor rebuilt: archived afresh."""

    type: ClassVar[str] = "archive_damaged"

    source: str
    url: str
    error: str


@dataclass(frozen=True)
class OutputFailed(TypedEvent):
    """A report, the index or the feed that could not be written."""

    type: ClassVar[str] = "output_failed"

    output: str  # a path
    error: str


EVENT_TYPES: dict[str, type[TypedEvent]] = {
    t.type: t
    for t in (
        PageAdded,
        PageChanged,
        PageRemoved,
        MeetingNew,
        MeetingSourceAdded,
        SourceFailing,
        SourceRecovered,
        Baseline,
        ArchiveDamaged,
        OutputFailed,
    )
}


def from_stored(event: Event) -> TypedEvent:
    """The typed event of a stored one, with its id and time; ValueError for an unknown type
    or a missing field."""
    kind = EVENT_TYPES.get(event.type)
    if kind is None:
        raise ValueError(f"unknown event type {event.type!r}")
    return replace(kind.from_payload(event.data), id=event.id, created_at=event.created_at)
