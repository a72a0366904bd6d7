"""The events a user is told about, one frozen type each, so that mypy checks their fields.

`Event` (models) stays their stored form: a type and a JSON payload, as the archive keeps it
and as `--json` prints it. `stored()` turns a typed event into it and `from_stored()` reads one
back. A type's fields are its payload's keys, in the order the payload has always had them (the
`--json` contract); tuples are JSON lists.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar, Self

from monitor.models import Event


@dataclass(frozen=True)
class TypedEvent:
    """What every event type has: its `type` and its conversions."""

    type: ClassVar[str]

    def payload(self) -> dict[str, Any]:
        """The stored payload: the fields by name, tuples as lists."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    def to_json(self) -> dict[str, Any]:
        """The event as `--json` prints it."""
        return {"type": self.type, **self.payload()}

    def stored(self) -> Event:
        return Event(self.type, self.payload())

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Self:
        missing = [f.name for f in fields(cls) if f.name not in data]
        if missing:
            raise ValueError(f"{cls.type} event without {', '.join(missing)}")
        return cls(**{f.name: _frozen(data[f.name]) for f in fields(cls)})


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class PageAdded(TypedEvent):
    type: ClassVar[str] = "page_added"

    source: str
    url: str
    title: str


@dataclass(frozen=True)
class PageChanged(TypedEvent):
    type: ClassVar[str] = "page_changed"

    source: str
    url: str
    title: str
    added: int  # words, or characters of Japanese
    removed: int
    trivial: bool  # only spacing, punctuation or capitals changed
    speakers: tuple[str, ...]  # labels of the speakers whose words changed


@dataclass(frozen=True)
class PageRemoved(TypedEvent):
    type: ClassVar[str] = "page_removed"

    source: str
    url: str
    title: str
    error: str


@dataclass(frozen=True)
class MeetingNew(TypedEvent):
    type: ClassVar[str] = "meeting_new"

    meeting: dict[str, Any]  # Meeting.to_json()
    source: str
    url: str


@dataclass(frozen=True)
class MeetingSourceAdded(TypedEvent):
    type: ClassVar[str] = "meeting_source_added"

    meeting: dict[str, Any]  # Meeting.to_json(), with the new source
    source: str
    url: str


@dataclass(frozen=True)
class SourceFailing(TypedEvent):
    type: ClassVar[str] = "source_failing"

    source: str
    url: str
    error: str
    failures: int  # checks failed in a row


@dataclass(frozen=True)
class SourceRecovered(TypedEvent):
    type: ClassVar[str] = "source_recovered"

    source: str
    url: str
    error: str  # always ""
    failures: int  # checks that had failed in a row


@dataclass(frozen=True)
class Baseline(TypedEvent):
    type: ClassVar[str] = "baseline"

    source: str
    pages: int
    meetings: int


@dataclass(frozen=True)
class ArchiveDamaged(TypedEvent):
    type: ClassVar[str] = "archive_damaged"

    source: str
    url: str
    error: str


@dataclass(frozen=True)
class OutputFailed(TypedEvent):
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
    """The typed event of a stored one; ValueError for an unknown type or a missing field."""
    kind = EVENT_TYPES.get(event.type)
    if kind is None:
        raise ValueError(f"unknown event type {event.type!r}")
    return kind.from_payload(event.data)
