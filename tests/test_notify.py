from __future__ import annotations

import asyncio
import logging
import sqlite3
import ssl
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import trustme

from monitor.archive import Archive
from monitor.demo import pages as P
from monitor.models import Event
from monitor.report.notify import deliver_outbox
from monitor.testing.localsite import LocalSite, Page
from tests.conftest import monitor, types
from tests.smtp import SMTPServer, email_config, html_part, text_part
from tests.support import PARAS, make_config, mofa, site_source, write_config


def test_digests_are_never_lost_nor_sent_twice(
    site: LocalSite, smtp: SMTPServer, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa()
    run = runner(make_config(tmp_path, [site_source(site)], email=email_config(smtp)))
    assert types(run(email=True)) == ["baseline"] and smtp.messages == []  # baseline: no mail

    site["/fm.html"] = mofa([PARAS[0], "The two ministers confirmed closer cooperation."])
    run(email=True)
    assert len(smtp.messages) == 1
    msg = smtp.messages[0]
    assert msg["Subject"] == "[monitor] 1 revised page"
    assert msg.get_content_type() == "multipart/alternative"
    assert "[-close-]{+closer+}" in text_part(msg)
    assert "closer</ins>" in html_part(msg) and '<ins style="background:#d4f7d4' in html_part(msg)
    assert smtp.inbox.envelopes[0] == ("monitor@example.org", ["analyst@example.org"])

    smtp.stop()  # SMTP outage during an edit: no mail, nothing lost
    site["/fm.html"] = mofa([PARAS[0], "The ministers confirmed the closest cooperation."])
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
    site["/fm.html"] = mofa([PARAS[0], "The ministers confirmed the closest cooperation."])
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
            [site_source(site, "/index.html", "l", kind="listing")],
            email=email_config(smtp),
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
def tls() -> tuple[ssl.SSLContext, str, trustme.CA]:
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
        site["/fm.html"] = mofa(title="T")
        conf = email_config(
            server,
            starttls=True,
            username="monitor",
            password_env="MONITOR_TEST_SMTP_PW",
            cafile=str(cafile),
        )
        run = runner(make_config(tmp_path, [site_source(site, "/fm.html", "a")], email=conf))
        run(email=True)
        site["/fm.html"] = mofa([PARAS[0], "Changed."], title="T")
        assert run(email=True).mail_error is None and len(server.messages) == 1
        monkeypatch.setenv("MONITOR_TEST_SMTP_PW", "wrong")
        site["/fm.html"] = mofa([PARAS[0], "Changed again."], title="T")
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
    site["/fm.html"] = mofa(title="T")
    write_config(tmp_path, [site_source(site, "/fm.html", "a")], email=email_config(smtp))

    def check(**env: str) -> subprocess.CompletedProcess[str]:
        return monitor(tmp_path, "check-now", "--json", env=env, timeout=60)

    assert check().returncode == 0
    site["/fm.html"] = mofa([PARAS[0], "Changed."], title="T")
    assert check(MONITOR_CRASHPOINT="mail-accepted").returncode == -9
    assert len(smtp.messages) == 1
    assert check().returncode == 0
    assert len(smtp.messages) == 2
    assert smtp.messages[0]["Message-ID"] == smtp.messages[1]["Message-ID"]
    assert check().returncode == 0 and len(smtp.messages) == 2


def test_test_email_command(smtp: SMTPServer, tmp_path: Path) -> None:
    write_config(tmp_path, [{"id": "a", "url": "https://www.state.gov/"}], email=email_config(smtp))
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
    site["/fm.html"] = mofa(title="T")
    write_config(tmp_path, [site_source(site, "/fm.html", "a")], email=email_config(smtp))

    def check(**env: str) -> subprocess.CompletedProcess[str]:
        return monitor(tmp_path, "check-now", "--json", env=env, timeout=60)

    assert check().returncode == 0
    alpha, beta = "Revision alpha was added.", "Revision beta was added."
    site["/fm.html"] = mofa([*PARAS, alpha], title="T")
    assert check(MONITOR_CRASHPOINT="mail-accepted").returncode == -9
    assert len(smtp.messages) == 1
    site["/fm.html"] = mofa([*PARAS, alpha, beta], title="T")
    assert check().returncode == 0
    assert len(smtp.messages) == 3
    first, again, new = smtp.messages
    assert again["Message-ID"] == first["Message-ID"] and again["Date"] == first["Date"]
    assert text_part(again) == text_part(first) and alpha in text_part(first)
    assert beta not in text_part(again)
    assert new["Message-ID"] != first["Message-ID"]
    # beta as the change; alpha at most as the sentence before it, not as a change again
    assert f"{{+{beta}+}}" in text_part(new) and f"{{+{alpha}+}}" not in text_part(new)
    ids: dict[str, set[str]] = {alpha: set(), beta: set()}
    for msg in smtp.messages:
        for token in ids:
            if f"{{+{token}+}}" in text_part(msg):  # told as a change (not as context)
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
    site["/fm.html"] = mofa(title="T")
    write_config(tmp_path, [site_source(site, "/fm.html", "a")], email=email_config(smtp))
    assert monitor(tmp_path, "check-now", timeout=60).returncode == 0
    site["/fm.html"] = mofa([*PARAS, "Revision alpha was added."], title="T")
    env = {"MONITOR_CRASHPOINT": "digest-composed"}
    assert monitor(tmp_path, "check-now", env=env, timeout=60).returncode == -9
    assert smtp.messages == []
    assert monitor(tmp_path, "check-now", timeout=60).returncode == 0
    assert monitor(tmp_path, "check-now", timeout=60).returncode == 0
    assert len(smtp.messages) == 1 and "Revision alpha" in text_part(smtp.messages[0])


def test_an_archive_from_before_stored_digests_mails_what_it_had_queued(
    smtp: SMTPServer, tmp_path: Path
) -> None:
    """An archive made before digests were stored (no `digests` table, nor channels), that
    mailed (an event marked sent) and has an event queued: it gets the tables when opened, mail
    stays on, and its queued event goes out once."""
    root = tmp_path / "snapshots"
    with Archive.open(root) as archive, archive.transaction():
        data = {"source": "s", "url": "https://www.mofa.go.jp/z.html", "title": "Mailed before"}
        mailed = archive.add_event(1, Event("page_added", data), datetime(2026, 2, 1, tzinfo=UTC))
        data = {"source": "s", "url": "https://www.mofa.go.jp/a.html", "title": "Old news"}
        archive.add_event(1, Event("page_added", data), datetime(2026, 3, 1, tzinfo=UTC))
    db = sqlite3.connect(root / "index.sqlite")
    db.execute("UPDATE outbox SET sent_at = '2026-02-01T00:00:00Z' WHERE event_id = ?", (mailed,))
    db.commit()
    db.executescript(
        "DROP INDEX outbox_digest; DROP TABLE digests; DROP TABLE channels; DROP TABLE deliveries;"
    )
    db.close()
    config = make_config(
        tmp_path, [{"id": "s", "url": "https://www.mofa.go.jp/"}], email=email_config(smtp)
    )

    def clock() -> datetime:
        return datetime(2026, 3, 2, tzinfo=UTC)

    for _ in range(2):
        with Archive.open(root) as archive:
            asyncio.run(deliver_outbox(archive, config, clock=clock))
            assert archive.outbox_pending() == []
    assert len(smtp.messages) == 1 and "Old news" in text_part(smtp.messages[0])
    assert "Mailed before" not in text_part(smtp.messages[0])
