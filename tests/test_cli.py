"""End to end through the command line, as scripts use it: real processes, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from monitor.demo import pages as P
from monitor.testing.localsite import LocalSite
from tests.conftest import monitor
from tests.support import (
    PARAS,
    TEL_PARAS,
    TEL_TITLE,
    mofa,
    site_source,
    telephone_talk,
    write_config,
)


def check_json(
    tmp_path: Path, *extra: str, env: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    proc = monitor(tmp_path, "check-now", "--json", "--no-email", *extra, env=env)
    assert proc.stdout.count("\n") <= 1, proc.stdout
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {}


def test_check_now_json_contract(site: LocalSite, tmp_path: Path) -> None:
    site["/fm.html"] = mofa()
    write_config(tmp_path, [site_source(site)])
    code, first = check_json(tmp_path)
    assert code == 0
    assert set(first) == {
        "started_at",
        "finished_at",
        "sources_checked",
        "pages_checked",
        "report",
        "events",
        "failures",  # an extension (issue 14): [] when nothing failed
    }
    assert first["failures"] == []
    assert first["events"] == [
        {
            "type": "baseline",
            "source": "mofa-fm",
            "pages": 1,
            "meetings": 1,
            "meeting_ids": ["2026-03-02-foreign-ministers"],
        }
    ]
    site["/fm.html"] = mofa([PARAS[0], "The two ministers confirmed closer cooperation."], nonce=9)
    code, second = check_json(tmp_path)
    assert code == 0
    assert second["events"] == [
        {
            "type": "page_changed",
            "source": "mofa-fm",
            "url": site.url("/fm.html"),
            "title": "Japan-U.S. Foreign Ministers' Meeting",
            "added": 1,
            "removed": 1,
            "trivial": False,
            "speakers": [],
        }
    ]
    html = Path(second["report"]).read_text(encoding="utf-8")
    assert "closer</ins>" in html and "close</del>" in html
    assert Path(second["report"]).with_suffix(".txt").read_text().count("[-close-]{+closer+}") == 1
    index = (tmp_path / "reports" / "index.html").read_text()
    assert index.index("run-000002.html") < index.index("run-000001.html")
    code, third = check_json(tmp_path)
    assert (code, third["events"]) == (0, [])

    meetings = json.loads(monitor(tmp_path, "meetings", "--json").stdout)
    assert [(m["date"], m["kind"], m["participants"]) for m in meetings] == [
        ("2026-03-02", "foreign-ministers", ["Motegi Toshimitsu", "Marco Rubio"])
    ]
    # the contract's keys, then GUIDE.md's fields (extend, don't rename)
    assert list(meetings[0]) == [
        "id", "date", "kind", "title", "location", "participants", "sources", "duration",
        "format", "level", "mode", "countries",
    ]  # fmt: skip
    assert (meetings[0]["format"], meetings[0]["level"], meetings[0]["mode"]) == (
        "bilateral",
        "ministers",
        "in-person",
    )
    assert meetings[0]["countries"] == ["JP", "US"] and meetings[0]["location"] == "Tokyo"
    assert json.loads(monitor(tmp_path, "meetings", "--json", "--since", "2026-04-01").stdout) == []

    history = monitor(tmp_path, "history", "mofa-fm")
    assert history.returncode == 0 and history.stdout.count("2026-") >= 2
    diff = monitor(tmp_path, "diff", site.url("/fm.html"), "--from", "1", "--to", "2")
    assert diff.returncode == 0 and "[-close-]{+closer+}" in diff.stdout
    out = tmp_path / "d.html"
    assert monitor(tmp_path, "diff", site.url("/fm.html"), "--html", str(out)).returncode == 0
    assert "closer</ins>" in out.read_text()
    verify = monitor(tmp_path, "verify")
    assert verify.returncode == 0 and "sound" in verify.stdout


def test_exit_codes(site: LocalSite, tmp_path: Path) -> None:
    site["/fm.html"] = mofa(title="T")
    write_config(tmp_path, [site_source(site), {"id": "broken", "url": "http://127.0.0.1:9/"}])
    code, report = check_json(tmp_path)
    assert code == 1 and report["sources_checked"] == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - {id: a, url: 'https://x.org', selectr: main}\n")
    proc = monitor(tmp_path, "check-now", "--config", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"monitor: {bad}: sources[0].selectr: unknown key (did you mean 'selector'?)"
    )
    proc = monitor(tmp_path, "check-now", "--source", "nope")
    assert proc.returncode == 2 and "no source with id 'nope'" in proc.stderr
    assert monitor(tmp_path, "validate-config").returncode == 0
    assert monitor(tmp_path, "no-such-command").returncode == 2


@pytest.mark.parametrize(
    "point", ["blob-written", "before-commit", "after-commit", "report-written"]
)
def test_killed_mid_run_reports_the_change_once(
    site: LocalSite, tmp_path: Path, point: str
) -> None:
    site["/fm.html"] = mofa(title="T")
    write_config(tmp_path, [site_source(site)])
    assert check_json(tmp_path)[0] == 0
    site["/fm.html"] = mofa([PARAS[0], "Revised sentence."], title="T")
    proc = monitor(tmp_path, "check-now", "--json", "--no-email", env={"MONITOR_CRASHPOINT": point})
    assert proc.returncode == -9 and proc.stdout == ""
    assert monitor(tmp_path, "verify").returncode == 0
    code, after = check_json(tmp_path)
    again = check_json(tmp_path)[1]
    reported = [e for e in after["events"] + again["events"] if e["type"] == "page_changed"]
    assert code == 0 and len(reported) == 1
    reports = sorted((tmp_path / "reports").glob("run-*.html"))
    assert sum("Revised sentence" in r.read_text() for r in reports) == 1
    assert not list((tmp_path / "reports").glob("*.pending"))


def test_unwritable_reports_directory_is_one_line(site: LocalSite, tmp_path: Path) -> None:
    site["/fm.html"] = mofa(title="T")
    write_config(tmp_path, [site_source(site)])
    (tmp_path / "reports").write_text("a file where the reports directory should be")
    proc = monitor(tmp_path, "check-now", "--no-email")
    # the run completes (the mail would go); each output that could not be written is one line
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    errors = proc.stderr.splitlines()
    assert len(errors) == 3 and all("ERROR" in e and ": not written: " in e for e in errors)
    assert {e.split(": not written")[0].rsplit("/", 1)[1] for e in errors} == {
        "run-000001.html",
        "index.html",
        "feed.atom",
    }
    assert "report: not written" in proc.stdout
    assert monitor(tmp_path, "verify").returncode == 0


@pytest.mark.parametrize("kind", ["listing", "feed"])
def test_killed_after_the_index_was_archived_loses_no_new_page(
    site: LocalSite, tmp_path: Path, kind: str
) -> None:
    """A listing or feed is archived (with its ETag) before the pages or items it links to are
    recorded: a kill in between must not leave them unrecorded once the index answers 304."""

    def publish(new: bool) -> None:
        if kind == "listing":
            links = [("/tel.html", "Telephone talk")] if new else []
            site["/index.html"] = P.mofa_listing(
                "Relations", [("March", [*links, ("/fm.html", "FM")])], nonce=int(new)
            )
            site["/fm.html"] = mofa(title="T")
            site["/tel.html"] = telephone_talk()
        else:
            items = [(site.url("/tel.html"), TEL_TITLE, TEL_PARAS)] if new else []
            site["/index.html"] = P.state_feed(
                [(u, t, "Mon, 09 Mar 2026 10:00:00 +0000", p) for u, t, p in items]
                + [(site.url("/fm.html"), "T", "Mon, 02 Mar 2026 10:00:00 +0000", PARAS)],
                nonce=int(new),
            )

    publish(new=False)
    profile = "mofa" if kind == "listing" else "state"
    write_config(tmp_path, [site_source(site, "/index.html", "idx", profile=profile, kind=kind)])
    assert check_json(tmp_path)[0] == 0
    publish(new=True)
    env = {"MONITOR_CRASHPOINT": "after-commit:1"}  # right after the index's own commit
    proc = monitor(tmp_path, "check-now", "--json", "--no-email", env=env)
    assert proc.returncode == -9 and site.hits("/tel.html") == 0
    code, after = check_json(tmp_path)
    assert code == 0 and site.hits("/index.html") == 3  # the third answer was a 304
    assert sorted(e["type"] for e in after["events"]) == ["meeting_new", "page_added"]
    meeting = next(e for e in after["events"] if e["type"] == "meeting_new")["meeting"]
    assert {"format", "level", "mode", "countries"} <= set(meeting)
    assert check_json(tmp_path)[1]["events"] == []


def test_a_json_run_imports_no_terminal_ui() -> None:
    """Start-up is most of a quiet re-check: `check-now --json` loads neither rich (tables,
    progress bars) nor httpx's own command-line client (rich and pygments)."""
    code = (
        "import sys; from monitor.cli import main; from monitor.pipeline import check; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'pygments'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
