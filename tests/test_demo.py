from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

from monitor.demo import run_demo
from tests.conftest import monitor


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


def test_demo_writes_over_no_file_it_did_not_make(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "config.yaml").write_text("# my own config\n")
    proc = monitor(tmp_path, "demo", "--dir", "mine")
    assert proc.returncode == 2 and proc.stdout == ""
    assert (
        proc.stderr
        == "monitor: mine/config.yaml: exists and is not the demo's; pass another --dir\n"
    )
    assert (mine / "config.yaml").read_text() == "# my own config\n"
    assert sorted(p.name for p in mine.iterdir()) == ["config.yaml"]
    clone = tmp_path / "clone"  # a fresh clone's empty archive and reports directories
    for name in ("snapshots", "reports"):
        (clone / name).mkdir(parents=True)
        (clone / name / ".gitkeep").write_text("")
    assert monitor(tmp_path, "demo", "--dir", "clone").returncode == 0
    again = monitor(tmp_path, "demo", "--dir", "clone")
    assert again.returncode == 2 and "clone: already holds a demo;" in again.stderr
    assert "monitor demo --serve --dir clone" in again.stderr
    header = (clone / "config.yaml").read_text().splitlines()[:3]
    assert "is gone now: `monitor demo --serve --dir clone`" in " ".join(header)


def _serve(tmp_path: Path, directory: Path) -> tuple[subprocess.Popen[str], str]:
    """`monitor demo --serve` in a process that takes Ctrl-C, and the address it serves on."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "demo", "--serve", "--dir", str(directory)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # even in a background job
    )
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if line.startswith("Serving the demo's site on "):
            return proc, line.split()[5]
    proc.wait(10)
    raise AssertionError(f"no address: {seen} {proc.stderr.read() if proc.stderr else ''}")


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert err == "", err
    return proc.returncode, out


def test_demo_serve_lets_check_now_reach_the_demo_site(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    run_demo(directory, say=lambda _: None)
    config = directory / "config.yaml"
    old = json.loads((directory / ".monitor-demo.json").read_text())["base"]
    assert monitor(tmp_path, "check-now", "--config", str(config)).returncode == 1  # gone
    proc, base = _serve(tmp_path, directory)
    try:
        assert base == old  # the port was free: the same address, the config untouched
        run = monitor(tmp_path, "check-now", "--json", "--no-email", "--config", str(config))
        assert run.returncode == 0 and json.loads(run.stdout)["events"] == []
    finally:
        code, out = _stop(proc)
    assert code == 0 and out.endswith("stopped\n")
    port = int(old.rsplit(":", 1)[1])
    with socket.socket() as taken:  # someone else has the port now
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("127.0.0.1", port))
        taken.listen()
        proc, base = _serve(tmp_path, directory)
        try:
            assert base != old and base in config.read_text() and old not in config.read_text()
            run = monitor(tmp_path, "check-now", "--json", "--no-email", "--config", str(config))
            assert run.returncode == 0, run.stdout + run.stderr
            assert json.loads(run.stdout)["events"] == []  # the same pages, at their new address
        finally:
            _stop(proc)
    assert monitor(tmp_path, "demo", "--serve", "--dir", str(tmp_path)).returncode == 2
