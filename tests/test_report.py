from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.archive import VersionRow
from monitor.models import Block, Document, Event
from monitor.report import ReportView, build_view, consolidate, render, safe_url

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"


def version(seq: int) -> VersionRow:
    return VersionRow(
        seq,
        1,
        seq,
        datetime(2026, 3, seq, tzinfo=UTC),
        "a" * 64,
        "b" * 64,
        "c" * 64,
        "r",
        10,
        200,
        "text/html",
        "https://x.org/",
        {},
    )


def view_with(old: str, new: str, title: str = "Title", url: str = "https://x.org/p") -> ReportView:
    a = Document(url, title, (Block("paragraph", old, "SECRETARY RUBIO"),))
    b = Document(url, title, (Block("paragraph", new, "SECRETARY RUBIO"),))
    event = Event(
        "page_changed",
        {
            "source": "s",
            "url": url,
            "title": title,
            "added": 1,
            "removed": 1,
            "trivial": False,
            "speakers": ["SECRETARY RUBIO"],
        },
        1,
    )
    return build_view(
        [event],
        title="report",
        run_id=7,
        started_at="2026-03-02T00:00:00Z",
        finished_at="2026-03-02T00:01:00Z",
        loader=lambda _: (a, b, version(1), version(2)),
        href=lambda v, doc: f"versions/1-{v.seq}.html",
    )


def test_report_golden(golden) -> None:  # type: ignore[no-untyped-def]
    view = view_with(
        "SECRETARY RUBIO: We will expand cooperation on shipbuilding.",
        "SECRETARY RUBIO: We will expand cooperation on shipbuilding and minerals.",
    )
    golden("report-changed.txt", render(view, "report.txt"))
    golden("report-changed.html", render(view))


def test_word_highlight_carries_inline_colour() -> None:
    html = render(view_with("The ministers met in Tokyo.", "The ministers met in Osaka."))
    assert '<del style="background:#fbdada' in html and ">Tokyo</del>" in html
    assert '<ins style="background:#d4f7d4' in html and ">Osaka</ins>" in html
    assert "<style" not in html  # inline styles only: they survive mail clients


def test_page_content_is_always_escaped() -> None:
    html = render(view_with("safe", XSS, title=XSS, url="javascript:alert(3)"))
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html and 'href="#"' in html


def test_safe_url() -> None:
    assert safe_url("https://www.state.gov/x") == "https://www.state.gov/x"
    for bad in ("javascript:alert(1)", "data:text/html,x", " vbscript:x", "file:///etc/passwd", ""):
        assert safe_url(bad) == "#"


def test_consolidate_folds_one_meetings_events() -> None:
    m: dict[str, Any] = {
        "id": "2026-03-02-2plus2",
        "date": "2026-03-02",
        "kind": "2+2",
        "title": "t",
        "location": None,
        "participants": [],
        "sources": ["a"],
    }
    now = {**m, "sources": ["a", "b"]}
    events = [
        Event("meeting_new", {"meeting": m}, 1),
        Event("meeting_source_added", {"meeting": {**m, "sources": ["a", "b"]}}, 2),
    ]
    out = consolidate(events, {m["id"]: now})
    assert [e.type for e in out] == ["meeting_new"] and out[0].data["meeting"]["sources"] == [
        "a",
        "b",
    ]


def test_empty_run_says_no_changes() -> None:
    view = build_view(
        [], title="r", run_id=1, started_at="s", finished_at="f", loader=lambda _: None
    )
    assert "No changes." in render(view) and "No changes." in render(view, "report.txt")


def test_a_deletion_and_the_insertion_after_it_never_run_together() -> None:
    """ "And" replaced by "and", "1234" by "1299": read as text, the report keeps them apart."""
    import re as _re

    from monitor.models import Block, Change, Segment
    from monitor.report.view import environment

    macro = environment().get_template("_macros.html").module.segments  # type: ignore[attr-defined]
    for old, new in (("And", "and"), ("1234", "1299")):
        change = Change(
            "changed",
            Block("paragraph", f"{old} the rest"),
            Block("paragraph", f"{new} the rest"),
            (Segment("-", old), Segment("+", new), Segment(" ", " the rest")),
        )
        text = _re.sub(r"<[^>]+>", "", str(macro(change)))
        assert text == f"{old} {new} the rest"
