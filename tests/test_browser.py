"""Hostile pages: XSS payloads in titles, text, links and attributes never execute when the
HTML report and the email's HTML are opened in a real headless Chromium."""

from __future__ import annotations

import os
import shutil
from email import message_from_bytes, policy
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from monitor.archive import Archive
from monitor.demo import pages as P
from monitor.report import archive_loader, build_view, consolidate, meetings_now
from monitor.report.notify import build_message
from monitor.testing.localsite import LocalSite
from tests.support import make_config, site_source

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Dialog, Error, Page

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark: list[pytest.MarkDecorator] = [pytest.mark.browser]
if CHROMIUM is None and not os.environ.get("CI"):
    pytestmark = [pytest.mark.browser, pytest.mark.skip(reason="chromium is not installed")]

PAYLOADS = [
    "<script>alert('x1')</script>",
    "<img src=x onerror=alert('x2')>",
    "<svg onload=alert('x3')>",
    "\"><script>alert('x4')</script>",
    "'><iframe src=javascript:alert('x5')>",
    "<a href=\"javascript:alert('x6')\">click</a>",
    "<body onload=alert('x7')>",
    "</style><script>console.log('x8')</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('x9')>",
    "{{7*7}} {% raw %}{{ config }}{% endraw %}",
]


def hostile_page(round_: int) -> str:
    title = f"Summit {PAYLOADS[0]} {PAYLOADS[3]}"
    paras = [
        f"On March {round_}, Prime Minister Takaichi met President Trump of the United "
        f"States in Tokyo. {p} round {round_}"
        for p in PAYLOADS
    ]
    html = P.mofa_page(title, "March 2, 2026", paras)
    # links and attributes the page itself carries, unescaped on purpose
    return html.replace(
        '<div class="any-area">',
        '<div class="any-area">'
        "<p><a href=\"javascript:alert('x10')\">Statement</a> "
        "<a href=\"data:text/html,<script>alert('x11')</script>\">PDF</a> "
        "<span onmouseover=\"alert('x12')\">hover</span></p>",
        1,
    )


def watch(page: Page, name: str, problems: list[str]) -> None:
    """Every dialog, console message and script error of `page` is a problem."""

    def dialog(d: Dialog) -> None:
        problems.append(f"{name}: dialog {d.message}")
        d.dismiss()

    def console(m: ConsoleMessage) -> None:
        problems.append(f"{name}: console {m.text}")

    def error(e: Error) -> None:
        problems.append(f"{name}: error {e}")

    page.on("dialog", dialog)
    page.on("console", console)
    page.on("pageerror", error)


def open_in_chromium(files: list[Path]) -> list[str]:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            for file in files:
                page = browser.new_page()
                watch(page, file.name, problems)
                page.goto(file.as_uri())
                page.wait_for_load_state("load")
                info: dict[str, Any] = page.evaluate("""() => ({
                    scripts: document.querySelectorAll('script').length,
                    handlers: [...document.querySelectorAll('*')].filter(
                        e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
                    hrefs: [...document.querySelectorAll('a[href], iframe[src], img[src]')].map(
                        e => e.getAttribute('href') || e.getAttribute('src')),
                    text: document.body.innerText,
                })""")
                if info["scripts"] or info["handlers"]:
                    problems.append(
                        f"{file.name}: {info['scripts']} script(s), "
                        f"{info['handlers']} element(s) with handlers"
                    )
                for href in info["hrefs"]:
                    if not (
                        href.startswith(("http://", "https://", "#")) or href.endswith(".html")
                    ):
                        problems.append(f"{file.name}: link {href}")
                if file.name != "index.html" and "<script>alert('x1')</script>" not in info["text"]:
                    problems.append(f"{file.name}: the payload should show as text")
                for anchor in page.query_selector_all("a"):
                    anchor.hover()
                page.close()
        finally:
            browser.close()
    return problems


def test_xss_payloads_never_execute_in_report_or_email(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/index.html"] = P.mofa_listing("Relations", [("March 1", [("/a.html", "A")])])
    site["/a.html"] = hostile_page(1)
    config = make_config(tmp_path, [site_source(site, "/index.html", "l", kind="listing")])
    run = runner(config)
    run()
    site["/a.html"] = hostile_page(2)
    site["/index.html"] = P.mofa_listing(
        "Relations",
        [("March 2", [("/b.html", f"New {PAYLOADS[1]}")]), ("March 1", [("/a.html", "A")])],
    )
    site["/b.html"] = hostile_page(3).replace("March 3", "March 9")
    report = run()
    assert {"page_changed", "page_added"} <= {e.type for e in report.events}
    files = [
        Path(report.report or ""),
        *sorted((tmp_path / "reports" / "versions").glob("*.html")),
        tmp_path / "reports" / "index.html",
    ]
    with Archive(tmp_path / "snapshots") as archive:
        events = consolidate(list(report.events), meetings_now(archive))
        view = build_view(
            events,
            title=f"digest {PAYLOADS[2]}",
            run_id=1,
            started_at="s",
            finished_at="f",
            loader=archive_loader(archive),
        )
    from datetime import UTC, datetime

    from monitor.config import parse_config

    email = parse_config(
        {
            "sources": [{"id": "a", "url": "https://x.org/"}],
            "email": {"host": "h", "from": "m@x.org", "to": ["a@x.org"]},
        }
    ).email
    assert email is not None
    msg = build_message(email, view, "d", datetime(2026, 3, 2, tzinfo=UTC))
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    mail_html = tmp_path / "email.html"
    mail_html.write_text(
        str(parsed.get_body(("html",)).get_content()),  # type: ignore[union-attr]
        encoding="utf-8",
    )
    files.append(mail_html)
    assert open_in_chromium(files) == []
