"""Channels beside email (`notify:`, Apprise URLs): the digest posted to a real local webhook and
mailed to a real SMTP server in the same run, each with its own delivery state; mail and
channels configured on an archive with a past get only what comes after; test mail."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.archive import Archive
from monitor.config import parse_config
from monitor.errors import ConfigError, NotifyError
from monitor.models import Event
from monitor.report.notify import deliver_outbox
from monitor.testing.localsite import LocalSite
from tests.conftest import monitor
from tests.smtp import SMTPServer, email_config, html_part, text_part
from tests.support import PARAS, make_config, mofa, site_source, write_config
from tests.webhook import Webhook

TOKEN = "s3cr3t-T0KEN-abc"  # a webhook URL's path may be its secret


@pytest.fixture
def hook() -> Iterator[Webhook]:
    server = Webhook().start()
    yield server
    server.stop()


class Page:
    """The meeting page, revised by adding a paragraph `Revision TOKEN was added.` each time: a
    digest shows each revision as an added block of its own."""

    def __init__(self, site: LocalSite) -> None:
        self.site, self.tokens = site, list[str]()
        site["/fm.html"] = mofa()

    def revise(self, token: str) -> None:
        self.tokens.append(token)
        self.site["/fm.html"] = mofa([*PARAS, *(f"Revision {t} was added." for t in self.tokens)])


def tokens(text: str) -> list[str]:
    """The revisions a digest tells, in order."""
    return re.findall(r"\{\+Revision (\w+) was added\.\+\}", text)


def test_one_run_posts_the_digest_to_the_webhook_and_mails_it(
    site: LocalSite, smtp: SMTPServer, hook: Webhook, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    page = Page(site)
    config = make_config(
        tmp_path,
        [site_source(site)],
        email=email_config(smtp),
        notify=[hook.url()],
        timezone="Asia/Tokyo",
    )
    run = runner(config)
    run(email=True)
    assert smtp.messages == [] and hook.posts == []  # the baseline goes nowhere
    page.revise("alpha")
    assert run(email=True).mail_error is None
    assert len(smtp.messages) == 1 and len(hook.posts) == 1
    mail, post = smtp.messages[0], hook.posts[0]
    assert post["title"] == mail["Subject"] == "[monitor] 1 revised page"
    assert post["message"] == text_part(mail).replace("\r\n", "\n").rstrip()
    assert tokens(post["message"]) == ["alpha"]
    assert post["message"].startswith("monitor digest — run 2, 2026-03-01 20:00 JST\n")
    assert "Run 0" not in text_part(mail) and "Run 0" not in html_part(mail)
    run(email=True)
    assert len(smtp.messages) == 1 and len(hook.posts) == 1


def test_a_webhook_down_delays_only_its_own_delivery(
    site: LocalSite, smtp: SMTPServer, hook: Webhook, tmp_path: Path, runner, caplog
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    page = Page(site)
    url = hook.url(f"/hooks/{TOKEN}")
    run = runner(make_config(tmp_path, [site_source(site)], email=email_config(smtp), notify=url))
    run(email=True)
    hook.stop()
    page.revise("alpha")
    down = run(email=True)
    assert [tokens(text_part(m)) for m in smtp.messages] == [["alpha"]]  # the mail went
    assert down.mail_error and f"notify[0] json://127.0.0.1:{hook.port}" in down.mail_error
    assert "email" not in down.mail_error and hook.posts == []
    told = down.to_json()  # --json says so too (an extension), without the URL's secret
    assert told["delivery_error"] == down.mail_error and TOKEN not in json.dumps(told)

    hook.start()
    assert run(email=True).mail_error is None  # nothing new: the webhook gets what it missed
    assert [tokens(p["message"]) for p in hook.posts] == [["alpha"]]
    assert hook.paths == [f"/hooks/{TOKEN}"]
    assert len(smtp.messages) == 1  # and the mail is not sent again
    run(email=True)
    assert len(hook.posts) == 1 and len(smtp.messages) == 1

    hook.status = 500  # up but refusing: the same, and what comes meanwhile follows in order
    page.revise("beta")
    assert run(email=True).mail_error
    page.revise("gamma")
    run(email=True)
    assert len(smtp.messages) == 3 and len(hook.posts) == 1
    hook.status = 200
    run(email=True)
    assert [tokens(p["message"]) for p in hook.posts] == [["alpha"], ["beta"], ["gamma"]]
    assert [p["title"] for p in hook.posts] == [m["Subject"] for m in smtp.messages]
    assert [tokens(text_part(m)) for m in smtp.messages] == [["alpha"], ["beta"], ["gamma"]]
    reports = "".join(p.read_text("utf-8") for p in (tmp_path / "reports").rglob("*.*"))
    assert TOKEN not in caplog.text and TOKEN not in reports and TOKEN not in str(down)


def test_smtp_down_delays_only_the_mail(
    site: LocalSite, smtp: SMTPServer, hook: Webhook, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    page = Page(site)
    config = make_config(
        tmp_path, [site_source(site)], email=email_config(smtp), notify=[hook.url()]
    )
    run = runner(config)
    run(email=True)
    smtp.stop()
    page.revise("alpha")
    down = run(email=True)
    assert down.mail_error and down.mail_error.startswith("email via 127.0.0.1")
    assert "notify" not in down.mail_error
    assert [tokens(p["message"]) for p in hook.posts] == [["alpha"]]
    smtp.start()
    assert run(email=True).mail_error is None
    assert [tokens(text_part(m)) for m in smtp.messages] == [["alpha"]]
    assert smtp.messages[0]["Subject"] == hook.posts[0]["title"]
    assert len(hook.posts) == 1  # not posted again
    run(email=True)
    assert len(smtp.messages) == 1 and len(hook.posts) == 1


def test_mail_configured_on_an_archive_with_a_past_gets_only_what_comes_after(
    site: LocalSite, smtp: SMTPServer, hook: Webhook, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    page = Page(site)
    sources = [site_source(site)]
    run = runner(make_config(tmp_path, sources))
    run(email=True)
    page.revise("early1")
    run(email=True)
    page.revise("early2")
    run(email=True)  # two revisions recorded while no mail was configured

    run = runner(make_config(tmp_path, sources, email=email_config(smtp)))
    run(email=True)
    assert smtp.messages == []  # the archive's past is not mailed
    page.revise("mailed")
    run(email=True)
    assert [tokens(text_part(m)) for m in smtp.messages] == [["mailed"]]

    smtp.stop()  # mail down: a revision queued for it; then a webhook is added
    page.revise("queued")
    run(email=True)
    run = runner(make_config(tmp_path, sources, email=email_config(smtp), notify=[hook.url()]))
    smtp.start()
    page.revise("hooked")
    run(email=True)
    assert [tokens(text_part(m)) for m in smtp.messages] == [["mailed"], ["queued"], ["hooked"]]
    assert [tokens(p["message"]) for p in hook.posts] == [["hooked"]]  # only what came after

    run = runner(make_config(tmp_path, sources, notify=[hook.url()]))
    page.revise("unmailed")  # mail dropped from the config, then configured again: afresh
    run(email=True)
    assert [tokens(p["message"]) for p in hook.posts] == [["hooked"], ["unmailed"]]
    run = runner(make_config(tmp_path, sources, email=email_config(smtp), notify=[hook.url()]))
    page.revise("last")
    run(email=True)
    assert [tokens(text_part(m)) for m in smtp.messages][3:] == [["last"]]
    assert [tokens(p["message"]) for p in hook.posts] == [["hooked"], ["unmailed"], ["last"]]


def test_test_email_is_labelled_a_test_with_a_message_id_of_its_own(
    smtp: SMTPServer, hook: Webhook, tmp_path: Path
) -> None:
    sources = [{"id": "a", "url": "https://www.state.gov/"}]
    write_config(tmp_path, sources, email=email_config(smtp), notify=[hook.url(f"/{TOKEN}")])
    for _ in range(2):
        proc = monitor(tmp_path, "test-email", timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert f"notify[0] json://127.0.0.1:{hook.port}" in proc.stdout
        assert TOKEN not in proc.stdout + proc.stderr
    first, second = smtp.messages
    assert first["Message-ID"] != second["Message-ID"]
    for msg in (first, second):
        assert msg["Subject"] == "[monitor] Test message from the monitor (not an alert)"
        assert "revised page" not in msg["Subject"]
        text = text_part(msg)
        assert text.startswith("Test message from the monitor — not an alert")
        assert "Run 0" not in text and "Run 0" not in html_part(msg)
        assert "test, not an alert" in html_part(msg)
    assert [p["title"] for p in hook.posts] == [first["Subject"], second["Subject"]]

    hook.stop()
    proc = monitor(tmp_path, "test-email", timeout=60)
    assert proc.returncode == 1 and len(smtp.messages) == 3
    assert f"not sent: notify[0] json://127.0.0.1:{hook.port} failed" in proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr


def test_notify_urls_are_checked_when_the_config_loads(tmp_path: Path) -> None:
    base = {"sources": [{"id": "a", "url": "https://www.state.gov/"}]}
    with pytest.raises(ConfigError) as err:
        parse_config({**base, "notify": ["json://127.0.0.1:1/x", f"nope://{TOKEN}", f"{TOKEN}"]})
    lines = str(err.value).splitlines()
    assert len(lines) == 2 and TOKEN not in str(err.value)
    assert lines[0].startswith("config.yaml: notify[1]: nope:// URL that Apprise cannot read")
    assert lines[1].startswith("config.yaml: notify[2]: not an Apprise URL")
    one = parse_config({**base, "notify": "ntfys://ntfy.sh/topic"})
    assert one.notify == ["ntfys://ntfy.sh/topic"]

    write_config(tmp_path, base["sources"], notify=[f"tgram://{TOKEN}"])
    proc: subprocess.CompletedProcess[str] = monitor(tmp_path, "validate-config", timeout=60)
    assert proc.returncode == 2 and TOKEN not in proc.stdout + proc.stderr
    assert "notify[0]: tgram:// URL that Apprise cannot read" in proc.stderr


def test_an_archive_from_before_channels_keeps_mail_only_if_it_mailed(
    smtp: SMTPServer, tmp_path: Path
) -> None:
    """Opened for the first time since channels came: an archive that had composed a digest
    (mail was on; the server was down) still mails it, once; one that never mailed anything
    does not mail what it had queued."""
    config = make_config(
        tmp_path, [{"id": "s", "url": "https://www.mofa.go.jp/"}], email=email_config(smtp)
    )
    root = tmp_path / "snapshots"

    def clock() -> datetime:
        return datetime(2026, 3, 2, tzinfo=UTC)

    def queue(title: str) -> None:
        with Archive.open(root) as archive, archive.transaction():
            data = {"source": "s", "url": f"https://www.mofa.go.jp/{title}.html", "title": title}
            archive.add_event(1, Event("page_added", data), datetime(2026, 3, 1, tzinfo=UTC))

    def before_channels() -> None:
        db = sqlite3.connect(root / "index.sqlite")
        db.executescript("DROP TABLE channels; DROP TABLE deliveries;")
        db.close()

    def deliver() -> str | None:
        with Archive.open(root) as archive:
            try:
                asyncio.run(deliver_outbox(archive, config, clock=clock))
            except NotifyError as exc:
                return str(exc)
            return None

    queue("Unmailed")
    before_channels()
    assert deliver() is None and deliver() is None
    assert smtp.messages == []  # never mailed: mail was not on

    smtp.stop()
    queue("Composed")
    assert deliver()  # composed, stored, not accepted
    before_channels()
    smtp.start()
    assert deliver() is None and deliver() is None
    assert [m["Subject"] for m in smtp.messages] == ["[monitor] 1 new page(s)"]
    assert "Composed" in text_part(smtp.messages[0])


def test_killed_after_the_webhook_took_the_digest(
    site: LocalSite, smtp: SMTPServer, hook: Webhook, tmp_path: Path
) -> None:
    """Killed once the webhook accepted a digest and before that was recorded: the webhook is
    sent it again at the next run (its delivery was not recorded), the mail is not."""
    page = Page(site)
    write_config(tmp_path, [site_source(site)], email=email_config(smtp), notify=[hook.url()])
    assert monitor(tmp_path, "check-now", timeout=60).returncode == 0
    page.revise("alpha")
    env = {"MONITOR_CRASHPOINT": "notify-accepted"}
    assert monitor(tmp_path, "check-now", env=env, timeout=60).returncode == -9
    assert len(smtp.messages) == 1 and len(hook.posts) == 1
    for _ in range(2):
        assert monitor(tmp_path, "check-now", timeout=60).returncode == 0
    assert len(smtp.messages) == 1
    assert [tokens(p["message"]) for p in hook.posts] == [["alpha"], ["alpha"]]
