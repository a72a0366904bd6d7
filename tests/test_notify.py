from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import ssl
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import trustme

from monitor.archive import Archive
from monitor.demo import pages as P
from monitor.models import Event
from monitor.report.notify import deliver_outbox
from monitor.testing.localsite import LocalSite, Page
from tests.conftest import make_config, monitor, types
from tests.smtp import SMTPServer

PARAS = [
    "On March 2, Mr. MOTEGI Toshimitsu, Minister for Foreign Affairs of Japan, held a "
    "meeting with Secretary of State Marco Rubio of the United States in Tokyo.",
    "The two ministers confirmed close cooperation.",
]


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    server = SMTPServer().start()
    yield server
    server.stop()


def email_conf(server: SMTPServer, **extra: Any) -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": server.port,
        "from": "monitor@example.org",
        "to": ["analyst@example.org"],
        "timeout": 2,
        **extra,
    }


def html_part(msg: Any) -> str:
    return str(msg.get_body(("html",)).get_content())


def text_part(msg: Any) -> str:
    return str(msg.get_body(("plain",)).get_content())


def test_digests_are_never_lost_nor_sent_twice(
    site: LocalSite, smtp: SMTPServer, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = P.mofa_page("Japan-U.S. Foreign Ministers' Meeting", "March 2, 2026", PARAS)
    run = runner(
        make_config(
            tmp_path,
            [{"id": "mofa-fm", "url": site.url("/fm.html"), "profile": "mofa"}],
            email=email_conf(smtp),
        )
    )
    assert types(run(email=True)) == ["baseline"] and smtp.messages == []  # baseline: no mail

    site["/fm.html"] = P.mofa_page(
        "Japan-U.S. Foreign Ministers' Meeting",
        "March 2, 2026",
        [PARAS[0], "The two ministers confirmed closer cooperation."],
    )
    run(email=True)
    assert len(smtp.messages) == 1
    msg = smtp.messages[0]
    assert msg["Subject"] == "[monitor] 1 revised page"
    assert msg.get_content_type() == "multipart/alternative"
    assert "[-close-]{+closer+}" in text_part(msg)
    assert "closer</ins>" in html_part(msg) and '<ins style="background:#d4f7d4' in html_part(msg)
    assert smtp.inbox.envelopes[0] == ("monitor@example.org", ["analyst@example.org"])

    smtp.stop()  # SMTP outage during an edit: no mail, nothing lost
    site["/fm.html"] = P.mofa_page(
        "Japan-U.S. Foreign Ministers' Meeting",
        "March 2, 2026",
        [PARAS[0], "The ministers confirmed the closest cooperation."],
    )
    down = run(email=True)
    assert types(down) == ["page_changed"] and down.mail_error and not down.failures
    smtp.start()
    assert run(email=True).events == ()  # nothing new on the site, but the queued digest goes
    assert len(smtp.messages) == 2 and "closest" in text_part(smtp.messages[1])
    run(email=True)
    assert len(smtp.messages) == 2  # and only once

    site["/fm.html"] = Page("down", status=500)
    for _ in range(4):
        run(email=True)
    assert (
        len(smtp.messages) == 3 and smtp.messages[2]["Subject"] == "[monitor] 1 failing source(s)"
    )
    assert "HTTP 500" in text_part(smtp.messages[2])
    site["/fm.html"] = P.mofa_page(
        "Japan-U.S. Foreign Ministers' Meeting",
        "March 2, 2026",
        [PARAS[0], "The ministers confirmed the closest cooperation."],
    )
    run(email=True)
    run(email=True)
    assert len(smtp.messages) == 4 and smtp.messages[3]["Subject"] == "[monitor] 1 recovered"
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(set(ids)) == 4


def test_new_meetings_lead_and_titles_cannot_inject_headers(
    site: LocalSite, smtp: SMTPServer, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/index.html"] = P.mofa_listing("Relations", [("March 1", [("/a.html", "A")])])
    site["/a.html"] = P.mofa_page("Unrelated", "March 1, 2026", ["A ferry terminal opened."])
    run = runner(
        make_config(
            tmp_path,
            [{"id": "l", "url": site.url("/index.html"), "kind": "listing", "profile": "mofa"}],
            email=email_conf(smtp),
        )
    )
    run(email=True)
    evil = "Japan-U.S. Summit Meeting\r\nBcc: victim@example.org\r\nX-Evil: 1"
    site["/index.html"] = P.mofa_listing(
        "Relations", [("March 2", [("/s.html", "Summit")]), ("March 1", [("/a.html", "A")])]
    )
    site["/s.html"] = P.mofa_page(
        evil,
        "March 2, 2026",
        [
            "On March 2, Prime Minister Takaichi held a summit meeting with President Trump of the "
            "United States in Tokyo. <script>alert(1)</script>"
        ],
    )
    site["/a.html"] = P.mofa_page(
        "Unrelated", "March 1, 2026", ["A ferry terminal re-opened. <script>alert(1)</script>"]
    )
    run(email=True)
    msg = smtp.messages[0]
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    assert msg["Subject"].startswith("[monitor] 1 new meeting: Japan-U.S. Summit Meeting")
    assert "\n" not in msg["Subject"] and "1 revised page" in msg["Subject"]
    assert smtp.inbox.envelopes[0][1] == ["analyst@example.org"]
    html = html_part(msg)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert html.index("New meetings") < html.index("Revised pages")


@pytest.fixture
def tls() -> tuple[ssl.SSLContext, str, Path]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    return server_ctx, "127.0.0.1", ca


def test_starttls_login_with_password_from_environment(
    tls, site: LocalSite, tmp_path: Path, runner, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    ctx, _, ca = tls
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    server = SMTPServer(tls=ctx, users={"monitor": "s3cret-pw"}).start()
    caplog.set_level(logging.DEBUG)
    try:
        monkeypatch.setenv("MONITOR_TEST_SMTP_PW", "s3cret-pw")
        site["/fm.html"] = P.mofa_page("T", "March 2, 2026", PARAS)
        conf = email_conf(
            server,
            starttls=True,
            username="monitor",
            password_env="MONITOR_TEST_SMTP_PW",
            cafile=str(cafile),
        )
        run = runner(
            make_config(
                tmp_path, [{"id": "a", "url": site.url("/fm.html"), "profile": "mofa"}], email=conf
            )
        )
        run(email=True)
        site["/fm.html"] = P.mofa_page("T", "March 2, 2026", [PARAS[0], "Changed."])
        assert run(email=True).mail_error is None and len(server.messages) == 1
        monkeypatch.setenv("MONITOR_TEST_SMTP_PW", "wrong")
        site["/fm.html"] = P.mofa_page("T", "March 2, 2026", [PARAS[0], "Changed again."])
        report = run(email=True)
        assert report.mail_error and len(server.messages) == 1  # refused login: queued, not lost
        for path in (tmp_path / "reports").rglob("*.*"):
            assert "s3cret-pw" not in path.read_text(encoding="utf-8")
        assert "s3cret-pw" not in caplog.text and "wrong" not in caplog.text
    finally:
        server.stop()


def test_crash_after_the_server_accepted_resends_the_same_message_id(
    site: LocalSite, smtp: SMTPServer, tmp_path: Path
) -> None:
    site["/fm.html"] = P.mofa_page("T", "March 2, 2026", PARAS)
    config = tmp_path / "config.yaml"
    config.write_text(
        json.dumps(
            {
                "archive": {"dir": "snapshots"},
                "reports": {"dir": "reports"},
                "fetch": {"retries": 0},
                "email": email_conf(smtp),
                "sources": [{"id": "a", "url": site.url("/fm.html"), "profile": "mofa"}],
            }
        )
    )

    def check(**env: str) -> subprocess.CompletedProcess[str]:
        return monitor(tmp_path, "check-now", "--json", env=env, timeout=60)

    assert check().returncode == 0
    site["/fm.html"] = P.mofa_page("T", "March 2, 2026", [PARAS[0], "Changed."])
    assert check(MONITOR_CRASHPOINT="mail-accepted").returncode == -9
    assert len(smtp.messages) == 1
    assert check().returncode == 0
    assert len(smtp.messages) == 2
    assert smtp.messages[0]["Message-ID"] == smtp.messages[1]["Message-ID"]
    assert check().returncode == 0 and len(smtp.messages) == 2


def test_test_email_command(smtp: SMTPServer, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        json.dumps(
            {"email": email_conf(smtp), "sources": [{"id": "a", "url": "https://www.state.gov/"}]}
        )
    )
    proc = monitor(tmp_path, "test-email", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert len(smtp.messages) == 1 and "in Tokyo</ins>" in html_part(smtp.messages[0]).replace(
        " in Tokyo", "in Tokyo"
    )


def test_after_a_kill_the_accepted_digest_goes_again_unchanged_and_new_changes_go_apart(
    site: LocalSite, smtp: SMTPServer, tmp_path: Path
) -> None:
    """Killed after the server accepted a digest and before it was marked sent; a new change
    comes before the next run: that digest goes again as it was (Message-ID, events, text), the
    new change in a digest of its own, and no change is mailed under two Message-IDs."""
    site["/fm.html"] = P.mofa_page("T", "March 2, 2026", PARAS)
    config = tmp_path / "config.yaml"
    config.write_text(
        json.dumps(
            {
                "archive": {"dir": "snapshots"},
                "reports": {"dir": "reports"},
                "fetch": {"retries": 0},
                "email": email_conf(smtp),
                "sources": [{"id": "a", "url": site.url("/fm.html"), "profile": "mofa"}],
            }
        )
    )

    def check(**env: str) -> subprocess.CompletedProcess[str]:
        return monitor(tmp_path, "check-now", "--json", env=env, timeout=60)

    assert check().returncode == 0
    alpha, beta = "Revision alpha was added.", "Revision beta was added."
    site["/fm.html"] = P.mofa_page("T", "March 2, 2026", [*PARAS, alpha])
    assert check(MONITOR_CRASHPOINT="mail-accepted").returncode == -9
    assert len(smtp.messages) == 1
    site["/fm.html"] = P.mofa_page("T", "March 2, 2026", [*PARAS, alpha, beta])
    assert check().returncode == 0
    assert len(smtp.messages) == 3
    first, again, new = smtp.messages
    assert again["Message-ID"] == first["Message-ID"] and again["Date"] == first["Date"]
    assert text_part(again) == text_part(first) and alpha in text_part(first)
    assert beta not in text_part(again)
    assert new["Message-ID"] != first["Message-ID"]
    assert beta in text_part(new) and alpha not in text_part(new)
    ids: dict[str, set[str]] = {alpha: set(), beta: set()}
    for msg in smtp.messages:
        for token in ids:
            if token in text_part(msg):
                ids[token].add(str(msg["Message-ID"]))
    assert all(len(i) == 1 for i in ids.values()), ids
    assert check().returncode == 0 and len(smtp.messages) == 3
    verify = monitor(tmp_path, "verify", timeout=60)
    assert verify.returncode == 0, verify.stderr


def test_a_digest_is_stored_before_it_is_sent(
    site: LocalSite, smtp: SMTPServer, tmp_path: Path
) -> None:
    """Killed after the digest was composed and before the server had it: it goes next run, as
    composed, once."""
    site["/fm.html"] = P.mofa_page("T", "March 2, 2026", PARAS)
    config = tmp_path / "config.yaml"
    config.write_text(
        json.dumps(
            {
                "archive": {"dir": "snapshots"},
                "reports": {"dir": "reports"},
                "email": email_conf(smtp),
                "sources": [{"id": "a", "url": site.url("/fm.html"), "profile": "mofa"}],
            }
        )
    )
    assert monitor(tmp_path, "check-now", timeout=60).returncode == 0
    site["/fm.html"] = P.mofa_page("T", "March 2, 2026", [*PARAS, "Revision alpha was added."])
    env = {"MONITOR_CRASHPOINT": "digest-composed"}
    assert monitor(tmp_path, "check-now", env=env, timeout=60).returncode == -9
    assert smtp.messages == []
    assert monitor(tmp_path, "check-now", timeout=60).returncode == 0
    assert monitor(tmp_path, "check-now", timeout=60).returncode == 0
    assert len(smtp.messages) == 1 and "Revision alpha" in text_part(smtp.messages[0])


def test_an_archive_from_before_stored_digests_mails_what_it_had_queued(
    smtp: SMTPServer, tmp_path: Path
) -> None:
    """An archive made before digests were stored (no `digests` table, events queued): it gets
    the table when opened and its queued event goes out once."""
    root = tmp_path / "snapshots"
    with Archive.open(root) as archive, archive.transaction():
        data = {"source": "s", "url": "https://www.mofa.go.jp/a.html", "title": "Old news"}
        archive.add_event(1, Event("page_added", data), "2026-03-01T00:00:00Z")
    db = sqlite3.connect(root / "index.sqlite")
    db.executescript("DROP INDEX outbox_digest; DROP TABLE digests;")
    db.close()
    config = make_config(
        tmp_path, [{"id": "s", "url": "https://www.mofa.go.jp/"}], email=email_conf(smtp)
    )

    def clock() -> datetime:
        return datetime(2026, 3, 2, tzinfo=UTC)

    for _ in range(2):
        with Archive.open(root) as archive:
            asyncio.run(deliver_outbox(archive, config, clock=clock))
            assert archive.outbox_pending() == []
    assert len(smtp.messages) == 1 and "Old news" in text_part(smtp.messages[0])
