"""Hostile text from servers and hostile config values: control characters, terminal escapes,
catastrophic regexes, a password where a variable name belongs. Real local HTTP and SMTP
servers, real files; the CLI as scripts run it."""

from __future__ import annotations

import json
import logging
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from monitor.demo import pages as P
from monitor.testing.localsite import LocalSite, Page
from monitor.text import clean
from tests.conftest import monitor, types
from tests.smtp import SMTPServer, email_config, text_part
from tests.support import PARAS, make_config, mofa, site_source, write_config

HOSTILE = "\x01\x08\u202e\u2066\x1b\x9b"  # C0, bidi override and isolate, ESC, C1 CSI


def has_hostile(text: str) -> bool:
    return any(c in text for c in HOSTILE + "\u202c\u2069")


# --- 1. one control character must not stop all email ---------------------------------------


def test_control_and_bidi_characters_are_cleaned_at_the_edge() -> None:
    from monitor.text import clean_url, printable

    assert clean(f"Ti{HOSTILE}tle\u202c") == "Title"
    assert clean(f"日米{HOSTILE}外相会談") == "日米外相会談"
    assert clean("a\tb\nc\x0bd\x1ce") == "a b c d e"  # whitespace controls fold to spaces
    assert clean("Itâ€™s") == "It's"  # mojibake (C1 characters) is still repaired first
    assert clean_url(" http://x.org/a\x1b[2J\u202eb\n ") == "http://x.org/a%1B[2J%E2%80%AEb"
    assert clean_url("http://x.org/a b") == "http://x.org/a b"  # an archived page's key kept
    assert printable("a\x1b]0;t\x07\nb\u202e") == "a\\x1b]0;t\\x07\\x0ab\\u202e"


def test_control_characters_from_a_server_never_stop_the_mail(
    site: LocalSite, smtp: SMTPServer, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    """A title with C0 controls and a bidi override, and a redirect whose Location carries
    them: every run completes, the digest is delivered, the Atom feed is valid XML."""
    title = f"Japan-U.S. Foreign{HOSTILE} Ministers' Meeting"
    site["/fm.html"] = mofa(title=title)
    site["/old.html"] = Page("", status=302, headers={"Location": "/moved\x01\x08.html"})
    site["/moved%01%08.html"] = mofa(title="Moved page")
    run = runner(
        make_config(
            tmp_path,
            [site_source(site, "/fm.html", "fm"), site_source(site, "/old.html", "moved")],
            email=email_config(smtp),
        )
    )
    first = run(email=True)
    assert types(first) == ["baseline", "baseline"] and not first.failures

    site["/fm.html"] = mofa([PARAS[0], f"Closer{HOSTILE} ties."], title=title)
    second = run(email=True)
    assert types(second) == ["page_changed"] and not second.failures
    assert second.mail_error is None and not second.output_errors
    assert len(smtp.messages) == 1
    event = second.events[0].data
    assert event["title"] == "Japan-U.S. Foreign Ministers' Meeting"
    assert not has_hostile(json.dumps(event, ensure_ascii=False))
    assert "Closer" in text_part(smtp.messages[0])
    assert not has_hostile(text_part(smtp.messages[0]))

    feed = ET.parse(tmp_path / "reports" / "feed.atom").getroot()  # valid XML
    titles = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("Foreign Ministers' Meeting" in t for t in titles)
    assert not any(has_hostile(t) for t in titles)
    assert run(email=True).events == ()  # and the next run too


def test_validators_with_control_characters_are_never_sent_back(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    """An ETag and a Last-Modified with control characters cannot be sent in a request: the
    page is asked for afresh, and every run completes."""
    page = mofa()
    site["/fm.html"] = Page(page, headers={"ETag": '"v\x01\x1b[31m"', "Last-Modified": "M\x01"})
    run = runner(make_config(tmp_path, [site_source(site, "/fm.html", "a", profile=None)]))
    assert types(run()) == ["baseline"]
    site["/fm.html"] = Page(page.replace("close cooperation", "closer cooperation"))
    second = run()
    assert types(second) == ["page_changed"] and not second.failures
    assert all("if-none-match" not in r.headers for r in site.requests)


def test_links_and_redirects_that_are_no_url_never_stop_a_run(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa()
    site["/list.html"] = P.mofa_listing(
        "Relations", [("March 2", [("http://[::1/x", "Not a URL"), ("/fm.html", "FM")])]
    )
    site["/r.html"] = Page("", status=302, headers={"Location": "http://[::1/z"})
    run = runner(
        make_config(
            tmp_path,
            [
                site_source(site, "/list.html", "l", kind="listing"),
                site_source(site, "/r.html", "r"),
            ],
        )
    )
    report = run()
    assert [e.data["pages"] for e in report.events] == [2]  # the listing and /fm.html
    assert [source for source, _ in report.failures] == ["r"]
    assert "redirect to invalid URL 'http://[::1/z'" in report.failures[0][1]


def test_an_event_archived_with_control_characters_still_makes_a_valid_feed(
    tmp_path: Path,
) -> None:
    """An archive written before text was cleaned at the edge: its events' text still goes into
    the feed, without what XML cannot hold."""
    from datetime import UTC, datetime

    from monitor.archive import Archive
    from monitor.models import Event
    from monitor.report.export import write_feed

    config = make_config(tmp_path, [{"id": "a", "url": "https://www.mofa.go.jp/"}])
    with Archive.for_config(config) as archive:
        event = Event(
            "page_added", {"source": "a", "url": "https://www.mofa.go.jp/x", "title": "T\x01\x08"}
        )
        with archive.transaction():
            archive.add_event(None, event, datetime(2026, 3, 1, 9, tzinfo=UTC))
        path = write_feed(archive, tmp_path / "reports")
    root = ET.parse(path).getroot()
    assert [e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")][-1] == "New page: T"


@pytest.mark.parametrize("output", ["feed.atom", "index.html"])
def test_an_output_that_cannot_be_written_never_stops_the_digest(
    output: str, site: LocalSite, smtp: SMTPServer, tmp_path: Path, runner, caplog
) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa()
    run = runner(
        make_config(tmp_path, [site_source(site, "/fm.html", "fm")], email=email_config(smtp))
    )
    run(email=True)
    blocker = tmp_path / "reports" / output
    blocker.unlink()
    (blocker / "in-the-way").mkdir(parents=True)  # a directory where the file goes

    site["/fm.html"] = mofa([PARAS[0], "Closer ties."])
    with caplog.at_level(logging.ERROR):
        report = run(email=True)
    assert types(report) == ["page_changed"] and report.mail_error is None
    assert len(report.output_errors) == 1 and f"{output}: not written" in report.output_errors[0]
    assert any(f"{output}: not written" in r.getMessage() for r in caplog.records)
    assert report.report and Path(report.report).exists()  # the other outputs were written
    # the digest went, and says what was not written
    assert len(smtp.messages) == 1
    digest = text_part(smtp.messages[0])
    assert "Closer" in digest and "NOT WRITTEN (1)" in digest and f"{output}: not written" in digest

    later = run(email=True)  # still failing: in this run's report, not mailed again today
    assert types(later) == ["output_failed"] and later.events[0].data["output"].endswith(output)
    assert "NOT WRITTEN" in Path(str(later.report)).with_suffix(".txt").read_text()
    assert len(smtp.messages) == 1

    (blocker / "in-the-way").rmdir()
    blocker.rmdir()
    assert not run(email=True).output_errors  # repaired: written again, the feed tells it
    feed = (tmp_path / "reports" / "feed.atom").read_text(encoding="utf-8")
    assert f"Not written: {blocker}: not written" in feed


# --- 12. regexes from the config run in linear time ------------------------------------------


def test_catastrophic_patterns_cannot_hang_a_run(site: LocalSite, tmp_path: Path) -> None:
    """`(a+)+$` as `follow` against link text the page controls and as `ignore` against its
    blocks: a backtracking engine takes longer than the age of the universe on these."""
    evil = "a" * 64 + "!"
    site["/index.html"] = P.mofa_listing(
        "Relations", [("March 2", [("/evil.html", evil), ("/aaaa", "Meeting")])]
    )
    site["/aaaa"] = mofa([PARAS[0], evil, "aaaa"], title="Meeting")
    site["/evil.html"] = mofa(title="Evil")
    listing = site_source(
        site, "/index.html", "l", kind="listing", follow="(a+)+$", ignore=["(a+)+$"]
    )
    write_config(tmp_path, [listing])
    proc = monitor(tmp_path, "check-now", "--json", "--no-email", timeout=60)  # completes
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["events"][0]["pages"] == 2
    # followed: the link whose "text URL" ends in a's; not the one whose text is all a's
    assert site.hits("/aaaa") == 1 and site.hits("/evil.html") == 0
    with sqlite3.connect(tmp_path / "snapshots" / "index.sqlite") as db:
        assert {r[0] for r in db.execute("SELECT url FROM pages")} == {
            site.url("/index.html"),
            site.url("/aaaa"),
        }
    from monitor.archive import Archive
    from monitor.config import load_config

    with Archive.for_config(load_config(tmp_path / "config.yaml"), lock=False) as archive:
        page = archive.page(site.url("/aaaa"))
        assert page is not None
        version = archive.latest_version(page.id)
        assert version is not None
        texts = [b.text for b in archive.document(version).blocks]
    assert evil in texts and "aaaa" not in texts  # ignored: the block the pattern matches


# --- 13. a password is never taken for a variable name, nor echoed ---------------------------


def test_a_password_in_password_env_is_refused_and_never_echoed(
    site: LocalSite, tmp_path: Path
) -> None:
    secret = "Hunter2-s3cret!"
    email = {
        "host": "127.0.0.1",
        "port": 1,
        "from": "m@example.org",
        "to": ["a@example.org"],
        "username": "monitor",
        "password_env": secret,
    }
    site["/a.html"] = mofa()
    write_config(tmp_path, [site_source(site, "/a.html", "a")], email=email)
    for args in (("validate-config",), ("-vv", "check-now")):
        proc = monitor(tmp_path, *args, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert "email.password_env: must be the name of an environment variable" in proc.stderr
        assert secret not in proc.stdout + proc.stderr


def test_the_password_itself_is_never_echoed(site: LocalSite, tmp_path: Path) -> None:
    """A server that refuses the login: the error names the server, never the password."""
    secret = "Hunter2-s3cret!"
    server = SMTPServer(users={"monitor": "another"}).start()
    try:
        site["/a.html"] = mofa(title="Japan-U.S. Meeting")
        email = email_config(server, username="monitor", password_env="MONITOR_TEST_SMTP_PASSWORD")
        write_config(tmp_path, [site_source(site, "/a.html", "a")], email=email)
        env = {"MONITOR_TEST_SMTP_PASSWORD": secret}
        monitor(tmp_path, "check-now", env=env, timeout=60)  # baseline: nothing to mail
        site["/a.html"] = mofa(PARAS[:1], title="Japan-U.S. Meeting")
        proc = monitor(tmp_path, "-vv", "check-now", env=env, timeout=60)
        assert "mail not sent" in proc.stderr and server.messages == []
        assert secret not in proc.stdout + proc.stderr
    finally:
        server.stop()


# --- 17. nothing a server sends reaches the terminal raw -------------------------------------


def _run_cli(tmp_path: Path, sources: list[dict[str, Any]], *args: str) -> str:
    """`monitor ARGS` in a subprocess: what it wrote to stdout and stderr, which must hold no
    terminal escape a server sent."""
    write_config(tmp_path, sources)
    proc = monitor(tmp_path, *args, timeout=60, env={"COLUMNS": "200"})
    out = proc.stdout + proc.stderr
    assert proc.returncode in (0, 1) and "Traceback" not in out, out
    assert "\x1b" not in out and "\x9b" not in out and "\u202e" not in out, repr(out)
    return out


@pytest.mark.parametrize(
    "location",
    [
        "http://elsewhere.invalid/\x1b]0;pwned\x07x\x1b[31mred\x9b2J",  # refused: another host
        "/next\x1b]8;;http://evil/\x1b\\\x1b[2J.html",  # followed: the same host
    ],
)
def test_terminal_escapes_from_a_server_never_reach_the_terminal(
    location: str, site: LocalSite, tmp_path: Path
) -> None:
    site["/a.html"] = Page("", status=302, headers={"Location": location})
    site["/t.html"] = mofa(title=f"Title\x1b]0;owned\x07 {HOSTILE}")
    a, t = site_source(site, "/a.html", "a"), site_source(site, "/t.html", "t")
    out = _run_cli(tmp_path, [a], "-vv", "check-now", "--no-email")
    if location.startswith("http://elsewhere"):  # the failure is told, its escapes shown
        assert "failed: a:" in out and "redirect to disallowed URL" in out
        assert "http://elsewhere.invalid/%1B]0;pwned%07x%1B[31mred%C2%9B2J" in out
    _run_cli(tmp_path, [a], "check-now", "--json", "--no-email")
    _run_cli(tmp_path, [a, t], "check-now", "--no-email")
    assert site.url("/t.html") in _run_cli(tmp_path, [a, t], "history", site.url("/t.html"))
    _run_cli(tmp_path, [a, t], "meetings")
