"""What an operator sees day to day from the command line: `-v` anywhere, `--quiet` for cron,
pages named as typed (by `history`, `diff` and `forget` alike), a listing's pages listed, a
second run that says whom it waits for, tables fitted to the terminal. Real processes, real
files, the local site."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.archive.lock import command_name, describe
from monitor.cli.output import print_table, text_width
from monitor.context import plain_segments
from monitor.demo import pages as P
from monitor.diff import diff_documents
from monitor.models import Block, Change, Document, Segment
from monitor.testing.localsite import LocalSite, Page
from tests.conftest import monitor
from tests.support import PARAS, mofa, site_source, stderr_lines, telephone_talk, write_config


def test_verbose_goes_before_or_after_the_command(site: LocalSite, tmp_path: Path) -> None:
    site["/fm.html"] = mofa(title="T")
    write_config(tmp_path, [site_source(site)])
    quiet = monitor(tmp_path, "check-now", "--no-email")
    assert quiet.returncode == 0 and " INFO " not in quiet.stderr
    after = monitor(tmp_path, "check-now", "-v", "--no-email")
    before = monitor(tmp_path, "-v", "check-now", "--no-email")
    for proc in (after, before):
        assert proc.returncode == 0, proc.stderr
        assert "INFO monitor.pipeline" in proc.stderr and " DEBUG " not in proc.stderr
    both = monitor(tmp_path, "-v", "check-now", "-v", "--no-email")  # -v and -v: -vv, debug
    assert both.returncode == 0 and "DEBUG monitor.pipeline.check: checking mofa-fm" in both.stderr
    assert monitor(tmp_path, "history", "mofa-fm", "-v").returncode == 0
    assert monitor(tmp_path, "validate-config", "-vv").returncode == 0


def test_quiet_says_nothing_when_nothing_happened(site: LocalSite, tmp_path: Path) -> None:
    site["/fm.html"] = mofa(title="T")
    write_config(tmp_path, [site_source(site)])
    first = monitor(tmp_path, "check-now", "--quiet", "--no-email")  # a baseline is news
    assert first.returncode == 0 and "archive initialised" in first.stdout
    for extra in ((), ("--json",)):
        same = monitor(tmp_path, "check-now", "--quiet", "--no-email", *extra)
        assert (same.returncode, same.stdout, same.stderr) == (0, "", "")
    site["/fm.html"] = mofa([PARAS[0], "The two ministers confirmed closer cooperation."])
    changed = monitor(tmp_path, "check-now", "-q", "--no-email")
    assert changed.returncode == 0 and "page_changed" in changed.stdout
    assert "report: " in changed.stdout
    write_config(tmp_path, [site_source(site), {"id": "down", "url": "http://127.0.0.1:9/"}])
    down = monitor(tmp_path, "check-now", "--quiet", "--no-email")
    assert down.returncode == 1 and "failed: down: " in down.stderr and "Run " in down.stdout


def test_history_of_a_listing_lists_its_pages(site: LocalSite, tmp_path: Path) -> None:
    links = [("/fm.html", "FM"), ("/tel.html", "Tel")]
    site["/index.html"] = P.mofa_listing("Relations", [("March", links)])
    site["/fm.html"] = mofa(title="Japan-U.S. Foreign Ministers' Meeting")
    site["/tel.html"] = telephone_talk()
    write_config(tmp_path, [site_source(site, "/index.html", "idx", kind="listing")])
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    site["/fm.html"] = mofa([PARAS[0], "The two ministers confirmed closer cooperation."])
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    proc = monitor(tmp_path, "history", "idx")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "2 page(s) found through this listing:" in lines
    assert f"  {site.url('/fm.html')}  2 version(s)  Japan-U.S. Foreign Ministers' Meeting" in lines
    assert (
        f"  {site.url('/tel.html')}  1 version(s)  Japan-U.S. Foreign Ministers' Telephone Talk"
        in lines
    )


def test_pages_are_found_as_typed_unless_ambiguous(site: LocalSite, tmp_path: Path) -> None:
    site["/a/"] = mofa(title="Slash")
    site["/b"] = mofa(title="Bare")
    site["/b/"] = mofa(title="Slashed")
    sources = [
        site_source(site, "/a/", "a"),
        site_source(site, "/b", "b"),
        site_source(site, "/b/", "b-slash"),
    ]
    write_config(tmp_path, sources)
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    site["/a/"] = mofa([PARAS[0], "The two ministers confirmed closer cooperation."], title="Slash")
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    host = site.base.split("://")[1]
    for typed in (site.url("/a"), f"https://{host}/a/", f"https://www.{host}/a"):
        history = monitor(tmp_path, "history", typed)
        assert history.returncode == 0 and history.stdout.count("2026-") >= 2, history.stderr
        diff = monitor(tmp_path, "diff", typed)
        assert diff.returncode == 0 and "{+closer+}" in diff.stdout, diff.stderr
    exact = monitor(tmp_path, "diff", site.url("/b"), "--from", "1", "--to", "1")
    assert exact.stdout.startswith(f"{site.url('/b')}: version 1 ")  # exact beats alike
    for typed in (f"https://{host}/b", f"http://www.{host}/b/"):
        proc = monitor(tmp_path, "history", typed)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr == (
            f"monitor: {typed}: ambiguous; archived URLs like it: {site.url('/b')} "
            f"{site.url('/b/')}\n"
        )
    gone = monitor(tmp_path, "history", f"{site.url('/c/')}")
    assert gone.returncode == 2 and "no such source or archived URL" in gone.stderr


def test_diff_html_is_titled_after_the_page(site: LocalSite, tmp_path: Path) -> None:
    site["/fm.html"] = mofa()
    write_config(tmp_path, [site_source(site)])
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    site["/fm.html"] = mofa([PARAS[0], "The two ministers confirmed closer cooperation."])
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    out = tmp_path / "d.html"
    assert monitor(tmp_path, "diff", "mofa-fm", "--html", str(out)).returncode == 0
    html = out.read_text(encoding="utf-8")
    title = "Japan-U.S. Foreign Ministers&#39; Meeting: version 1 → 2"
    assert f"<title>{title}</title>" in html and "Run 0" not in html


def test_lock_holder_is_described_in_the_config_zone() -> None:
    text = '{"pid": 4242, "command": "monitor run", "since": "2026-03-01T03:03:00+00:00"}'
    tokyo = ZoneInfo("Asia/Tokyo")
    same_day = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    assert describe(text, tokyo, same_day) == "pid 4242 (monitor run, since 12:03)"
    next_day = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert describe(text, tokyo, next_day) == "pid 4242 (monitor run, since 2026-03-01 12:03)"
    assert describe("pid 7 (monitor run)\n") == "pid 7 (monitor run)"  # an older monitor's
    assert command_name(["/x/.venv/bin/monitor", "-v", "run", "--config", "c"]) == "monitor run"
    assert command_name(["/x/monitor/__main__.py", "check-now"]) == "monitor check-now"


def test_a_second_run_says_at_once_whom_it_waits_for(site: LocalSite, tmp_path: Path) -> None:
    """The first run holds the archive while the site holds its page (no sleeps, no timing); the
    second says whom it is waiting for before the first lets go, then runs."""
    arrived, release = threading.Event(), threading.Event()

    def held(h):  # type: ignore[no-untyped-def]
        arrived.set()
        release.wait(60)
        body = mofa(title="T").encode()
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    site["/fm.html"] = Page(raw=held)
    write_config(
        tmp_path,
        [site_source(site)],
        archive={"lock_timeout": 120},
        fetch={"timeout": 90},
        timezone="Asia/Tokyo",
    )
    run = [sys.executable, "-m", "monitor", "check-now", "--no-email"]
    popen = {"cwd": tmp_path, "text": True, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    first = subprocess.Popen([*run, "--json"], **popen)  # type: ignore[call-overload]
    second = None
    try:
        assert arrived.wait(60), "the first run never asked for the page"
        holder = json.loads((tmp_path / "snapshots" / "monitor.lock").read_text())
        assert (holder["pid"], holder["command"]) == (first.pid, "monitor check-now")
        since = datetime.fromisoformat(holder["since"]).astimezone(ZoneInfo("Asia/Tokyo"))
        second = subprocess.Popen(run, **popen)  # type: ignore[call-overload]
        line = stderr_lines(second).get(timeout=60)  # its first word, before the lock is free
        assert second.poll() is None and first.poll() is None
        assert "WARNING monitor.archive.lock: waiting for the archive lock held by " in line
        assert f"held by pid {first.pid} (monitor check-now, since {since:%H:%M});" in line
        release.set()
        assert first.wait(60) == 0 and second.wait(60) == 0
    finally:
        release.set()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()


def test_tables_fit_the_terminal_counting_wide_characters(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    title = "日米外相会談（東京）における共同声明の発表について"
    rows = [("2026-03-02", title, "2"), ("2026-03-03", "Title\x1b]0;owned\x07 red", "10")]
    monkeypatch.setenv("COLUMNS", "40")
    print_table(("date", "title", "sources"), rows, right={2})
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "date        title                sources",
        "──────────  ───────────────────  ───────",
        "2026-03-02  日米外相会談（東京…        2",  # a wide character takes 2 columns
        "2026-03-03  Title\\x1b]0;owned\\…       10",  # escapes shown, never sent
    ]
    assert {text_width(line) for line in lines} == {40}
    monkeypatch.delenv("COLUMNS")  # no terminal (a pipe): whole lines
    print_table(("date", "title", "sources"), rows, right={2})
    assert f"2026-03-02  {title}        2" in capsys.readouterr().out.splitlines()


def test_each_change_reads_as_one_line_of_text() -> None:
    old, new = Block("paragraph", "Met in Tokyo."), Block("paragraph", "Met in Osaka.")
    changes = [
        Change("changed", old, new, (Segment(" ", "Met in "), Segment("-", "Tokyo"),
                                      Segment("+", "Osaka"), Segment(" ", "."))),
        Change("added", None, new, (Segment("+", new.text),)),
        Change("removed", old, None, (Segment("-", old.text),)),
        Change("moved", old, new),
    ]  # fmt: skip
    changes += diff_documents(
        Document("u", "T", (old, Block("paragraph", "Second."))),
        Document("u", "T", (Block("paragraph", "Second."), new, Block("paragraph", "Third."))),
    ).changes
    lines = [plain_segments(c) for c in changes]
    assert lines[:4] == [
        "Met in [-Tokyo-]{+Osaka+}.",
        "{+Met in Osaka.+}",
        "[-Met in Tokyo.-]",
        "(moved) Met in Osaka.",
    ]


def test_forget_names_a_page_as_history_does(site: LocalSite, tmp_path: Path) -> None:
    links = [("/b", "Bare"), ("/b/", "Slashed"), ("/c/", "Sea")]
    site["/index.html"] = P.mofa_listing("Relations", [("March", links)])
    site["/b"], site["/b/"], site["/c/"] = mofa(nonce=1), mofa(nonce=2), mofa(nonce=3)
    write_config(tmp_path, [site_source(site, "/index.html", "idx", kind="listing")])
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    host = site.base.split("://")[1]
    typed = f"https://www.{host}/b/"
    proc = monitor(tmp_path, "forget", typed)
    assert (proc.returncode, proc.stderr) == (
        2,
        f"monitor: {typed}: ambiguous; archived URLs like it: {site.url('/b')} {site.url('/b/')}\n",
    )
    exact = monitor(tmp_path, "forget", site.url("/b"))  # exact beats alike
    assert (
        exact.stdout == f"{site.url('/b')} (idx): no longer checked; its versions stay archived\n"
    )
    alike = monitor(tmp_path, "forget", f"https://{host}/c")
    assert (
        alike.stdout == f"{site.url('/c/')} (idx): no longer checked; its versions stay archived\n"
    )
    source = monitor(tmp_path, "forget", f"https://www.{host}/index.html")
    assert source.returncode == 2 and "the URL of source idx" in source.stderr


def test_the_version_said_is_the_installed_one(tmp_path: Path) -> None:
    said = monitor(tmp_path, "--version").stdout
    assert said.strip().endswith(f"version {importlib.metadata.version('monitor')}")


def test_a_reader_that_stops_reading_is_no_error(site: LocalSite, tmp_path: Path) -> None:
    """`monitor history … | head`: the pipe closes before the table is written; no
    'monitor: Broken pipe', no failure (found trying it afresh)."""
    site["/fm.html"] = mofa()
    write_config(tmp_path, [site_source(site)])
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    proc = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {sys.executable} -m monitor history mofa-fm | true"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
