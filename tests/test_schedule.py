from __future__ import annotations

import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import parse_config
from monitor.demo import pages as P
from monitor.schedule import Daemon, next_due, plan
from monitor.testing.localsite import LocalSite
from tests.conftest import monitor
from tests.support import held_page, mofa, site_source, stderr_lines, write_config

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


def wait_for(lines: queue.Queue[str], text: str, seen: list[str]) -> None:
    while True:
        line = lines.get(timeout=60)
        seen.append(line)
        assert line != "<eof>", "".join(seen)
        if text in line:
            return


def stop_mid_check(
    proc: subprocess.Popen[str],
    lines: queue.Queue[str],
    seen: list[str],
    arrived: threading.Event,
    release: threading.Event,
    *,
    group: bool,
) -> None:
    """SIGTERM (to the daemon, or to its whole process group) once the held page's request has
    arrived, then let the page answer: the daemon must exit 0 after its check."""
    signal_ = os.killpg if group else os.kill
    try:
        assert arrived.wait(60)
        signal_(proc.pid, signal.SIGTERM)
        release.set()
        assert proc.wait(timeout=60) == 0
        wait_for(lines, "daemon stopped", seen)
    finally:
        release.set()
        if proc.poll() is None:
            signal_(proc.pid, signal.SIGKILL)


def test_monitor_run_checks_repeatedly_and_stops_cleanly_on_sigterm(
    site: LocalSite, tmp_path: Path
) -> None:
    site["/fm.html"] = mofa(["The ministers met in Tokyo."], title="T")
    arrived, release = threading.Event(), threading.Event()
    write_config(
        tmp_path,
        [site_source(site, "/fm.html", "fm")],
        archive={"lock_timeout": 30},
        schedule={"default": "1s", "jitter": 0},
        fetch={"timeout": 30},
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "run"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    seen: list[str] = []
    try:
        lines = stderr_lines(proc)
        for _ in range(3):
            wait_for(lines, "event(s)", seen)

        site["/fm.html"] = held_page(
            mofa(["The ministers met in Osaka."], title="T"), arrived, release
        )
        # mid-check: the check finishes, then the daemon exits
        stop_mid_check(proc, lines, seen, arrived, release, group=False)
    finally:
        release.set()
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


def test_sigterm_to_the_whole_group_with_page_workers_running(
    site: LocalSite, tmp_path: Path
) -> None:
    """systemd stops a service by sending SIGTERM to every process in it: the workers leave the
    signal to the main process, the check in progress finishes with every page recorded, and
    no process of the group is left behind."""
    pages = 150
    links = [(f"/p{i}.html", f"Record {i}") for i in range(pages)]
    site["/index.html"] = P.mofa_listing("Relations", [("March", links)])
    for i in range(pages - 1):
        site[f"/p{i}.html"] = mofa([f"Item {i} noted."], title=f"Record {i}")
    arrived, release = threading.Event(), threading.Event()
    last = mofa(["The last record."], title="Last")
    site[f"/p{pages - 1}.html"] = held_page(last, arrived, release)
    write_config(
        tmp_path,
        [site_source(site, "/index.html", "idx", kind="listing")],
        archive={"lock_timeout": 30},
        schedule={"default": "1h", "jitter": 0},
        fetch={"timeout": 30},
        workers=2,
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "-v", "run"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a service has
    )
    seen: list[str] = []
    try:
        lines = stderr_lines(proc)
        wait_for(lines, "page workers started", seen)
        stop_mid_check(proc, lines, seen, arrived, release, group=True)
    finally:
        release.set()
    text = "".join(seen)
    assert "Traceback" not in text, text
    verify = monitor(tmp_path, "verify")
    assert verify.returncode == 0 and f"{pages + 1} versions" in verify.stdout, verify.stdout
    # the workers read EOF once the daemon is gone and exit; nothing of the group lingers
    left = wait_for_group(proc.pid, timeout=30)
    assert left == [], f"the daemon's group outlived it: {[_cmdline(p) for p in left]}"


def wait_for_group(pgid: int, timeout: float) -> list[int]:
    """Waits until every process of group `pgid` has exited, told by the kernel (a pidfd turns
    readable when its process ends); returns those still running after `timeout`."""
    fds: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.getpgid(int(entry)) == pgid:
                fds[os.pidfd_open(int(entry))] = int(entry)
        except ProcessLookupError:
            pass  # exited already
    deadline = time.monotonic() + timeout
    try:
        while fds:
            ready, _, _ = select.select(list(fds), [], [], max(0, deadline - time.monotonic()))
            if not ready:
                break
            for fd in ready:
                os.close(fd)
                del fds[fd]
        return sorted(fds.values())
    finally:
        for fd in fds:
            os.close(fd)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return f"{pid} (gone)"
