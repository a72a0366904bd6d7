from __future__ import annotations

from pathlib import Path

from monitor.demo import run_demo


def test_demo_runs_offline_and_shows_every_kind_of_change(tmp_path: Path) -> None:
    lines: list[str] = []
    first, second = run_demo(tmp_path / "demo", say=lines.append)
    assert {e.type for e in first.events} == {"baseline"} and not first.failures
    kinds = [e.type for e in second.events]
    assert kinds.count("meeting_new") == 1 and not second.failures
    meeting = next(e for e in second.events if e.type == "meeting_new").data["meeting"]
    assert meeting["kind"] == "2+2" and meeting["date"] == "2026-03-02"
    assert len(meeting["sources"]) == 2
    changed = {e.data["title"]: e.data for e in second.events if e.type == "page_changed"}
    transcript = changed[
        "Secretary Rubio and Japanese Foreign Minister Motegi Before Their Meeting"
    ]
    assert transcript["speakers"] == ["SECRETARY RUBIO"] and transcript["added"] == 3
    assert len(changed) == 2  # the transcript and the feed item's title; footers are silent
    html = Path(second.report or "").read_text(encoding="utf-8")
    assert "critical minerals</ins>" in html.replace("and critical", "critical")
    assert html.index("New meetings") < html.index("Revised pages")
    assert any(line.startswith("Report: ") for line in lines)
