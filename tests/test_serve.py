"""`monitor serve` in a real headless Chromium: the home page, the timeline's filters, a meeting
with two governments' texts side by side, a compare with <ins>/<del>, a missing page, hostile
text escaped on every page, and the server reading while a `check-now` writes."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from monitor.config import Config
from monitor.demo import pages as P
from monitor.serve.app import create_app
from monitor.testing.localsite import LocalSite
from monitor.testing.server import serving
from tests.smtp import SMTPServer, email_config, text_part
from tests.support import held_page, make_config, site_source, write_config
from tests.test_browser import CHROMIUM, PAYLOADS, watch

if TYPE_CHECKING:
    from playwright.sync_api import Browser

FM_TITLE = "Japan-U.S. Foreign Ministers' Meeting"
# its id is fixed by date and kind; its title is MOFA's English or Japanese one, whichever of
# the two pages a run happens to record first
FM_MEETING = "/meetings/2026-03-02-foreign-ministers"
FM_PARAS = [
    "On March 2, Mr. MOTEGI Toshimitsu, Minister for Foreign Affairs of Japan, held a meeting "
    "with the Honorable Marco Rubio, Secretary of State of the United States, in Tokyo.",
    "The two ministers confirmed close cooperation on regional security.",
]
STATE_PARAS = [
    "Secretary of State Marco Rubio met with Japanese Foreign Minister Motegi Toshimitsu in Tokyo "
    "on March 2. The Secretary and the Foreign Minister discussed the alliance.",
]
JA_TITLE = "日米外相会談"
JA_PARAS = ["3月2日、茂木敏充外務大臣は、ルビオ米国国務長官と日米外相会談を行いました。"]
CALL_TITLE = "Readout of Secretary of Defense Pete Hegseth's Call With Japanese Minister Koizumi"
CALL_PARAS = [
    "Secretary of Defense Pete Hegseth spoke by phone today with Japanese Minister of Defense "
    "Koizumi Shinjiro. The two leaders discussed the alliance's deterrence.",
]
HOSTILE_TITLE = f"Summit {PAYLOADS[0]} {PAYLOADS[3]}"
HOSTILE_PARAS = [
    f"On March 3, Prime Minister Takaichi met President Trump of the United States in Tokyo. {p}"
    for p in PAYLOADS
]


def publish(site: LocalSite, edited: bool) -> None:
    second = "The two ministers confirmed close cooperation on regional and economic security."
    site["/fm.html"] = P.mofa_page(
        FM_TITLE, "March 2, 2026", [FM_PARAS[0], second] if edited else FM_PARAS
    )
    site["/state.html"] = P.state_page(
        "Secretary Rubio's Meeting with Japanese Foreign Minister Motegi",
        "Readout",
        "March 2, 2026",
        STATE_PARAS,
    )
    site["/ja.html"] = P.mofa_page(JA_TITLE, "令和8年3月2日", JA_PARAS)
    site["/hostile.html"] = P.mofa_page(HOSTILE_TITLE, "March 3, 2026", HOSTILE_PARAS)
    site["/call.html"] = P.defense_page(CALL_TITLE, "March 5, 2026", CALL_PARAS)


def sources(site: LocalSite) -> list[dict[str, Any]]:
    return [
        site_source(site, "/fm.html", "mofa-fm"),
        site_source(site, "/state.html", "state", profile="state"),
        site_source(site, "/ja.html", "mofa-ja", profile="mofa-ja"),
        site_source(site, "/hostile.html", "hostile"),
        site_source(site, "/call.html", "dod", profile="defense"),
    ]


@pytest.fixture
def archived(site: LocalSite, tmp_path: Path, runner) -> Config:  # type: ignore[no-untyped-def]
    publish(site, edited=False)
    config = make_config(tmp_path, sources(site))
    run = runner(config)
    run()
    publish(site, edited=True)
    assert [e.type for e in run().events] == ["page_changed"]
    return config


@pytest.fixture
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.browser
def test_every_page_reads_in_chromium(archived: Config, browser: Browser) -> None:
    problems: list[str] = []
    with serving(create_app(archived)) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        watch(page, "serve", problems)
        page.goto(base + "/")
        assert page.locator("h2", has_text="Newest meetings").count() == 1
        assert page.locator(f"a[href='{FM_MEETING}']").count() == 1

        # the timeline, filtered by mode and person, then by a person who met no one
        page.goto(base + "/meetings")
        everything = page.locator("table tr").count() - 1
        page.select_option("select[name=mode]", "in-person")
        page.fill("input[name=person]", "Rubio")
        page.click("main form button")
        rows = page.locator("table tr")
        assert 1 <= rows.count() - 1 < everything
        assert all("Rubio" in rows.nth(i).inner_text() for i in range(1, rows.count()))
        page.fill("input[name=person]", "Nobody Atall")
        page.click("main form button")
        assert page.locator("table tr").count() == 1

        # the meeting: MOFA's and State's texts side by side
        page.goto(base + "/meetings")
        page.locator(f"a[href='{FM_MEETING}']").first.click()
        boxes = page.locator("section.source")
        labels = [boxes.nth(i).locator("h3").inner_text() for i in range(boxes.count())]
        assert labels == ["MOFA (en)", "MOFA (ja)", "State"], labels
        placed = [boxes.nth(i).bounding_box() for i in range(3)]
        assert all(box is not None for box in placed)
        tops = {round(box["y"]) for box in placed if box}
        lefts = [box["x"] for box in placed if box]
        assert len(tops) == 1 and lefts == sorted(lefts), placed  # one row, in that order
        assert "regional and economic security" in boxes.nth(0).inner_text()
        assert "日米外相会談" in boxes.nth(1).inner_text()
        assert "discussed the alliance" in boxes.nth(2).inner_text()

        # the revision, compared word by word
        boxes.nth(0).get_by_role("link", name="revision 2").click()
        assert page.locator("ins").first.inner_text().strip() == "and economic"
        assert page.locator("del").count() == 0
        page.get_by_role("link", name="version 1").click()
        assert "regional security" in page.inner_text("main")
        found_by = page.get_by_role("link", name="run 1")  # the run that fetched it
        assert found_by.get_attribute("href") == "/runs/1"

        # a Japanese search from the header's box: the hit marked, the version linked
        page.fill("header input[name=q]", "日米外相会談")
        page.click("header button")
        assert page.locator("main li mark").first.inner_text() == "日米外相会談"
        page.get_by_role("link", name="日米外相会談 — version 1").first.click()
        assert "ルビオ米国国務長官" in page.inner_text("main")
        page.goto(base + "/search?q=" + urllib.parse.quote("会談"))  # two characters: LIKE
        assert "会談" in page.locator("main li mark").first.inner_text()
        page.goto(base + "/search?q=economic+security")
        assert "First seen:" in page.inner_text("main")
        assert page.locator("main li mark").first.inner_text().lower() == "economic"

        # a missing page is a 404 page, not a trace (the browser logs the 404 itself)
        assert problems == []
        answer = page.goto(base + "/pages/99999")
        assert answer is not None and answer.status == 404
        assert "no page 99999" in page.inner_text("main")
        page.close()
    assert [p for p in problems if "404 (Not Found)" not in p] == []


@pytest.mark.browser
def test_hostile_text_is_escaped_on_every_page(archived: Config, browser: Browser) -> None:
    problems: list[str] = []
    with serving(create_app(archived)) as base:
        page = browser.new_page()
        watch(page, "serve", problems)
        page.goto(base + "/meetings")
        meetings = [a.get_attribute("href") for a in page.locator("td a").all()]
        page.goto(base + "/")
        urls = ["/", "/meetings", "/runs", "/search?q=alert", *[m for m in meetings if m]]
        for n in range(1, 5):
            urls += [f"/pages/{n}", f"/pages/{n}/versions/1", f"/pages/{n}/versions/1/raw"]
        shown = ""
        for url in urls:
            answer = page.goto(base + url)
            assert answer is not None and answer.status == 200, url
            counts = page.evaluate(
                """() => [document.querySelectorAll('script').length,
                [...document.querySelectorAll('*')].filter(
                    e => [...e.attributes].some(a => a.name.startsWith('on'))).length]"""
            )
            assert counts == [0, 0], (url, counts)
            shown += page.inner_text("body")
            for anchor in page.query_selector_all("a"):
                href = anchor.get_attribute("href") or ""
                assert href.startswith(("/", "http://", "https://", "#")), (url, href)
        assert "<script>alert('x1')</script>" in shown  # shown as text, never run
        page.close()
    assert problems == []


def test_the_server_reads_while_check_now_writes(
    site: LocalSite, tmp_path: Path, release: threading.Event
) -> None:
    publish(site, edited=False)
    config_path = write_config(tmp_path, sources(site))
    first = subprocess.run(
        [sys.executable, "-m", "monitor", "check-now", "--no-email", "--config", str(config_path)],
        capture_output=True,
        text=True,
    )
    assert first.returncode == 0, first.stderr
    from monitor.config import load_config

    config = load_config(config_path)
    arrived = threading.Event()
    publish(site, edited=True)
    site["/fm.html"] = held_page(site["/fm.html"].data().decode(), arrived, release)
    with serving(create_app(config)) as base:
        writer = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "monitor",
                "check-now",
                "--no-email",
                "--config",
                str(config_path),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert arrived.wait(60)  # the writer holds the lock, mid-run
            for url in ("/", "/meetings", "/pages/1", "/runs"):
                assert status(base + url) == 200, url
        finally:
            release.set()
            _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert status(base + "/pages/1/compare/1/2") == 200  # the writer's revision, read at once


def test_reports_and_digests_link_to_the_server_when_base_url_is_set(
    site: LocalSite, tmp_path: Path, runner, smtp: SMTPServer
) -> None:  # type: ignore[no-untyped-def]
    base_url = "http://monitor.example.org:8080"
    publish(site, edited=False)
    site["/call.html"] = P.defense_page("Schedule", "March 1, 2026", ["Nothing is planned."])
    config = make_config(
        tmp_path, sources(site), serve={"base_url": base_url + "/"}, email=email_config(smtp)
    )
    run = runner(config)
    run()
    publish(site, edited=True)  # a revision, and the call's readout: a new meeting
    report = Path(run(email=True).report or "")
    html, text = report.read_text(), report.with_suffix(".txt").read_text()
    links = re.findall(re.escape(base_url) + r"(/pages/\d+/compare/1/2)", html)
    assert len(links) == 2 and all(f"compare: {base_url}{link}" in text for link in links)
    with serving(create_app(config)) as base:
        assert all(status(base + link) == 200 for link in links)  # they lead where they say
    digest = text_part(smtp.messages[-1])
    assert all(f"compare: {base_url}{link}" in digest for link in links)
    meeting_links = re.findall(re.escape(base_url) + r"(/meetings/[\w.-]+)", html)
    assert meeting_links, "a new meeting links to its page"
    with serving(create_app(config)) as base:
        assert all(status(base + link) == 200 for link in meeting_links)
