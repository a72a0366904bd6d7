"""Typed events: each gives the `--json` contract's keys and reads back from its stored form."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.archive import Archive
from monitor.events import (
    EVENT_TYPES,
    ArchiveDamaged,
    Baseline,
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
from monitor.models import Block, Change, Event, Meeting, Segment

MEETING_JSON = {
    "id": "2026-03-02-foreign-ministers",
    "date": "2026-03-02",
    "kind": "foreign-ministers",
    "title": "Japan-U.S. Foreign Ministers' Meeting",
    "location": "Tokyo",
    "participants": ["Motegi Toshimitsu", "Marco Rubio"],
    "sources": ["https://www.mofa.go.jp/a.html"],
    "duration": None,
    "format": "bilateral",
    "level": "ministers",
    "mode": "in-person",
    "countries": ["JP", "US"],
}
MEETING = Meeting(
    "2026-03-02-foreign-ministers",
    "2026-03-02",
    "foreign-ministers",
    "Japan-U.S. Foreign Ministers' Meeting",
    "Tokyo",
    ("Motegi Toshimitsu", "Marco Rubio"),
    ("https://www.mofa.go.jp/a.html",),
)
URL = "https://www.mofa.go.jp/a.html"

# one of each type, and the keys its `--json` object has (README, DESIGN.md), in their order
CASES: list[tuple[TypedEvent, list[str]]] = [
    (PageAdded("mofa", URL, "T"), ["type", "source", "url", "title"]),
    (
        PageChanged("mofa", URL, "T", 3, 1, False, ("SECRETARY RUBIO",)),
        ["type", "source", "url", "title", "added", "removed", "trivial", "speakers"],
    ),
    (PageRemoved("mofa", URL, "T", "HTTP 404"), ["type", "source", "url", "title", "error"]),
    (MeetingNew(MEETING, "mofa", URL), ["type", "meeting", "source", "url"]),
    (MeetingSourceAdded(MEETING, "state", URL), ["type", "meeting", "source", "url"]),
    (SourceFailing("mofa", URL, "HTTP 500", 3), ["type", "source", "url", "error", "failures"]),
    (SourceRecovered("mofa", URL, "", 3), ["type", "source", "url", "error", "failures"]),
    (Baseline("mofa", 4, 1, ("m1",)), ["type", "source", "pages", "meetings", "meeting_ids"]),
    (ArchiveDamaged("mofa", URL, "blob missing"), ["type", "source", "url", "error"]),
    (OutputFailed("reports/index.html", "not written"), ["type", "output", "error"]),
]


def test_every_type_has_a_case_and_a_unique_name() -> None:
    assert sorted(type(e).type for e, _ in CASES) == sorted(EVENT_TYPES)
    assert len(EVENT_TYPES) == 10


@pytest.mark.parametrize(("event", "keys"), CASES, ids=[type(e).type for e, _ in CASES])
def test_to_json_has_the_contracts_keys(event: TypedEvent, keys: list[str]) -> None:
    out = event.to_json()
    assert list(out) == keys
    assert out["type"] == event.type
    assert json.loads(json.dumps(out)) == out  # plain JSON: lists, not tuples
    assert event.stored().to_json() == out  # the stored form prints the same


@pytest.mark.parametrize(("event", "keys"), CASES, ids=[type(e).type for e, _ in CASES])
def test_round_trip_through_the_stored_form(event: TypedEvent, keys: list[str]) -> None:
    stored = event.stored()
    assert stored.type == event.type and list(stored.data) == keys[1:]
    assert from_stored(stored) == event
    again = Event(stored.type, json.loads(json.dumps(stored.data)))  # as the archive keeps it
    assert from_stored(again) == event


def test_the_values_are_todays() -> None:
    changed = PageChanged("mofa", URL, "T", 3, 1, True, ("A", "B"))
    assert changed.to_json() == {
        "type": "page_changed",
        "source": "mofa",
        "url": URL,
        "title": "T",
        "added": 3,
        "removed": 1,
        "trivial": True,
        "speakers": ["A", "B"],
    }
    assert MeetingNew(MEETING, "mofa", URL).to_json()["meeting"] == MEETING_JSON


def test_a_stored_event_of_the_old_form_reads_as_typed() -> None:
    """A payload written by hand before the types existed reads back the same."""
    old = Event(
        "source_failing", {"source": "s", "url": URL, "error": "HTTP 500", "failures": 2}, 7
    )
    assert from_stored(old) == SourceFailing("s", URL, "HTTP 500", 2)


def test_a_baseline_stored_before_meeting_ids_reads_with_none() -> None:
    old = Event("baseline", {"source": "s", "pages": 3, "meetings": 2})
    assert from_stored(old) == Baseline("s", 3, 2)


def test_unknown_type_and_missing_field_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown event type 'nope'"):
        from_stored(Event("nope", {}))
    with pytest.raises(ValueError, match="baseline event without pages, meetings"):
        from_stored(Event("baseline", {"source": "x"}))


def test_the_archive_stores_a_typed_event_as_before(tmp_path: Path) -> None:
    event = PageChanged("mofa", URL, "T", 3, 1, False, ("SECRETARY RUBIO",))
    with Archive.open(tmp_path / "snapshots") as archive:
        with archive.transaction():
            typed_id = archive.add_event(1, event, datetime(2026, 3, 1, tzinfo=UTC))
            plain_id = archive.add_event(1, event.stored(), datetime(2026, 3, 1, tzinfo=UTC))
        rows = {
            r["id"]: (r["type"], r["source"], r["url"], r["payload"])
            for r in archive.db.execute("SELECT * FROM events")
        }
        assert rows[typed_id] == rows[plain_id]
        assert json.loads(rows[typed_id][3]) == event.stored().data
        (first, second) = archive.unreported_events()
        assert from_stored(first) == from_stored(second) == event


def test_what_only_this_process_knows_is_neither_stored_nor_printed() -> None:
    """A page_changed event's changes, and where the archive recorded an event, stay out of
    the stored payload and of `--json`, and out of equality."""
    when = datetime(2026, 3, 1, tzinfo=UTC)
    change = Change("added", None, Block("paragraph", "New."), (Segment("+", "New."),), 1, 0, False)
    bare = PageChanged("mofa", URL, "T", 1, 0, False, ())
    full = PageChanged("mofa", URL, "T", 1, 0, False, (), changes=(change,), id=7, created_at=when)
    assert full.to_json() == bare.to_json() and full.stored().data == bare.stored().data
    assert full == bare and "changes" not in repr(full)
    back = from_stored(full.stored())
    assert isinstance(back, PageChanged) and back.changes is None  # diffed again if shown
    assert (back.id, back.created_at) == (7, when)
