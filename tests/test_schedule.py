from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import parse_config
from monitor.demo import pages as P
from monitor.localsite import LocalSite, Page
from monitor.schedule import Daemon, next_due, plan

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def config(**extra: object):  # type: ignore[no-untyped-def]
    return parse_config(
        {
            "sources": [
                {"id": "a", "url": "https://www.mofa.go.jp/a"},
                {"id": "b", "url": "https://www.state.gov/b", "schedule": "30m"},
                {"id": "c", "url": "https://www.defense.gov/c", "schedule": "0 */6 * * *"},
                {"id": "d", "url": "https://www.mod.go.jp/d"},
            ],
            **extra,
        }
    )


def test_catch_up_after_downtime_and_next_runs() -> None:
    assert next_due("6h", None, NOW) == NOW  # never checked: now
    assert next_due("6h", NOW - timedelta(days=2), NOW) == NOW  # overdue after downtime: now
    assert next_due("6h", NOW - timedelta(hours=1), NOW) == NOW + timedelta(hours=5)
    assert next_due("0 */6 * * *", NOW - timedelta(hours=1), NOW) == NOW
    assert next_due("0 */6 * * *", NOW, NOW) == NOW + timedelta(hours=6)


def test_plan_groups_sources_sharing_a_schedule() -> None:
    last = {"a": NOW - timedelta(hours=1), "d": NOW - timedelta(hours=2), "b": NOW}
    plans = {p.job_id: p for p in plan(config(), last, NOW)}
    assert set(plans) == {"every 6h", "every 30m", "every 0 */6 * * *"}
    assert plans["every 6h"].source_ids == ("a", "d")
    assert plans["every 6h"].first_run == NOW + timedelta(hours=4)  # d is due first
    assert plans["every 30m"].first_run == NOW + timedelta(minutes=30)
    assert plans["every 0 */6 * * *"].first_run == NOW  # never checked
    assert isinstance(plans["every 30m"].trigger, IntervalTrigger)
    assert isinstance(plans["every 0 */6 * * *"].trigger, CronTrigger)


def test_daemon_wiring_with_an_injected_clock() -> None:
    calls: list[list[str]] = []
    daemon = Daemon(config(schedule={"misfire_grace": 600}), calls.append, clock=lambda: NOW)
    daemon.add_jobs({"a": NOW - timedelta(hours=1), "d": NOW - timedelta(hours=1)})
    jobs = {j.id: j for j in daemon.scheduler.get_jobs()}
    job = jobs["every 6h"]
    assert job.next_run_time == NOW + timedelta(hours=5)
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 600)
    job.func(*job.args)
    assert calls == [["a", "d"]]
    daemon.stop.set()
    job.func(*job.args)  # a job due after SIGTERM does not start another check
    assert calls == [["a", "d"]]
    jitter = jobs["every 30m"].trigger.jitter
    assert jitter == 300


def _lines(proc: subprocess.Popen[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)
        lines.put("<eof>")

    threading.Thread(target=pump, daemon=True).start()
    return lines


def wait_for(lines: queue.Queue[str], text: str, seen: list[str]) -> None:
    while True:
        line = lines.get(timeout=60)
        seen.append(line)
        assert line != "<eof>", "".join(seen)
        if text in line:
            return


def test_monitor_run_checks_repeatedly_and_stops_cleanly_on_sigterm(
    site: LocalSite, tmp_path: Path
) -> None:
    site["/fm.html"] = P.mofa_page("T", "March 2, 2026", ["The ministers met in Tokyo."])
    arrived, release = threading.Event(), threading.Event()
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"""
archive: {{dir: snapshots, lock_timeout: 30}}
schedule: {{default: 1s, jitter: 0}}
fetch: {{retries: 0, timeout: 30}}
sources:
  - {{id: fm, url: "{site.url("/fm.html")}", profile: mofa}}
""")
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "run"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    seen: list[str] = []
    try:
        lines = _lines(proc)
        for _ in range(3):
            wait_for(lines, "event(s)", seen)

        def slow(h):  # type: ignore[no-untyped-def]
            arrived.set()
            release.wait(30)
            body = P.mofa_page("T", "March 2, 2026", ["The ministers met in Osaka."]).encode()
            h.send_response(200)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)

        site["/fm.html"] = Page(raw=slow)
        assert arrived.wait(60)
        proc.send_signal(signal.SIGTERM)  # mid-check: the check finishes, then the daemon exits
        release.set()
        assert proc.wait(timeout=60) == 0
        wait_for(lines, "daemon stopped", seen)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
    text = "".join(seen)
    assert "page_changed" in text, text  # the interrupted check completed and was recorded


def test_a_failing_run_is_logged_and_the_daemon_goes_on(caplog) -> None:  # type: ignore[no-untyped-def]
    from monitor.errors import ArchiveError

    calls: list[list[str]] = []

    def check_some(ids: list[str]) -> None:
        calls.append(ids)
        raise ArchiveError("archive busy") if len(calls) == 1 else RuntimeError("a bug")

    daemon = Daemon(config(), check_some, clock=lambda: NOW)
    daemon.add_jobs({})
    job = {j.id: j for j in daemon.scheduler.get_jobs()}["every 30m"]
    job.func(*job.args)
    job.func(*job.args)
    assert calls == [["b"], ["b"]]
    assert "archive busy" in caplog.text and "a bug" in caplog.text
