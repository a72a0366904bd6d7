"""Reports worth opening (issue 14): a report's version pages link to the versions before and
after, the run that fetched them and the changes from the one before; a new page links to its
archived copy; sources are named by their site."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from monitor.demo import pages as P
from monitor.events import MeetingNew
from monitor.report import build_view, render
from monitor.testing.localsite import LocalSite
from tests.support import PARAS, make_config, mofa, site_source
from tests.test_events import MEETING
from tests.test_serve import browser  # noqa: F401 (the fixture)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

BASE = "https://monitor.example.org"


def three_versions(site: LocalSite, tmp_path: Path, runner, **options: object) -> list[Path]:  # type: ignore[no-untyped-def]
    """Runs 1-3, each finding a new version of /fm.html: the reports of runs 2 and 3."""
    site["/fm.html"] = mofa([PARAS[0], "First wording."])
    run = runner(make_config(tmp_path, [site_source(site)], **options))
    run()
    reports = []
    for wording in ("Second wording.", "Third wording."):
        site["/fm.html"] = mofa([PARAS[0], wording])
        reports.append(Path(str(run().report)))
    return reports


@pytest.fixture
def third_report(site: LocalSite, tmp_path: Path, runner) -> Path:  # type: ignore[no-untyped-def]
    """Run before the browser starts (playwright's sync API holds an event loop)."""
    return three_versions(site, tmp_path, runner)[1]


def nav(page: Page) -> dict[str, str]:
    """The links of a version page's header, by their text."""
    links = page.query_selector_all("div a, nav a")
    return {a.inner_text(): a.get_attribute("href") or "" for a in links}


def test_version_pages_lead_to_each_other_and_to_the_runs_that_found_them(
    third_report: Path,
    browser: Browser,  # noqa: F811
) -> None:
    page = browser.new_page()
    page.goto(third_report.as_uri())
    page.click("text=version 3")
    assert "Archived version 3 of" in page.inner_text("body")
    links = nav(page)
    assert links["run 3"] == "../run-000003.html"  # the run that fetched it, its report
    assert "changes from version 2: run 3's report" in links
    assert "the latest version shown" in page.inner_text("nav")
    page.click("text=← version 2")
    assert "Archived version 2 of" in page.inner_text("body")
    assert "Second wording." in page.inner_text("body")
    links = nav(page)  # written by run 2, rewritten by run 3 with its next link
    assert re.fullmatch(r"\d+-3\.html", links["version 3 →"])
    assert links["run 2"] == "../run-000002.html"
    page.click("text=run 2")
    assert page.url.endswith("/reports/run-000002.html")
    assert "Second wording" in page.inner_text("body")
    page.go_back()
    page.click("text=← version 1")
    body = page.inner_text("body")
    assert "Archived version 1 of" in body and "first version" in page.inner_text("nav")
    page.close()


def test_with_serve_base_url_a_version_page_links_its_compare(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    three_versions(site, tmp_path, runner, serve={"base_url": BASE})
    (v3,) = (tmp_path / "reports" / "versions").glob("*-3.html")
    html = v3.read_text(encoding="utf-8")
    page_id = v3.name.split("-")[0]
    assert f'href="{BASE}/pages/{page_id}/compare/2/3"' in html
    assert f'href="{BASE}/pages/{page_id}/versions/3"' in html


def test_a_new_page_links_to_its_archived_copy_and_sources_go_by_site(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/index.html"] = P.mofa_listing("Relations", [("March 1", [("/a.html", "A")])])
    site["/a.html"] = mofa([PARAS[0], "Page a."])
    listing = site_source(site, "/index.html", "mofa-list", kind="listing")
    run = runner(make_config(tmp_path, [listing]))
    run()
    site["/index.html"] = P.mofa_listing(
        "Relations", [("March 2", [("/b.html", "B")]), ("March 1", [("/a.html", "A")])]
    )
    site["/b.html"] = mofa([PARAS[0], "A page published later."], title="Page b")
    report = run()
    assert [e.type for e in report.events if e.type == "page_added"] == ["page_added"]
    html = Path(str(report.report)).read_text(encoding="utf-8")
    (href,) = re.findall(r'<a href="(versions/[^"]+)"[^>]*>archived copy</a>', html)
    copy = (tmp_path / "reports" / href).read_text(encoding="utf-8")
    assert "A page published later." in copy and "Archived version 1 of" in copy
    assert "(MOFA (en) · mofa-list" in html  # the site first, then the source's id
    text = Path(str(report.report)).with_suffix(".txt").read_text(encoding="utf-8")
    assert "* Page b (MOFA (en) · mofa-list)" in text


def test_a_meeting_told_by_its_event_names_its_sources_by_site() -> None:
    """A meeting the archive no longer holds as the event told it (a digest composed after the
    meetings were rebuilt): its sources are still named by their site, by host."""
    meeting = replace(
        MEETING,
        sources=(
            "https://www.mofa.go.jp/mofaj/na/st/page1_000001.html",
            "https://www.state.gov/releases/2026/03/meeting",
            "https://example.org/elsewhere",
        ),
    )
    view = build_view(
        [MeetingNew(meeting, "mofa-ja", meeting.sources[0])],
        title="t",
        run_id=1,
        started_at="s",
        finished_at="f",
        loader=lambda _: None,
    )
    html, text = render(view), render(view, "report.txt")
    assert "<b>MOFA (ja)</b>: <a" in html and "<b>State</b>: <a" in html
    assert "\n  https://example.org/elsewhere" in text  # another host: the URL alone
    assert "\n  State: https://www.state.gov/releases/2026/03/meeting" in text


def test_reports_are_readable_as_any_file_the_user_writes(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    """A web server publishing reports/ reads them: their mode follows the umask (0644 under
    022), not the owner-only mode of a temporary file."""
    old = os.umask(0o022)
    try:
        three_versions(site, tmp_path, runner)
    finally:
        os.umask(old)
    reports = tmp_path / "reports"
    written = [*reports.glob("*.html"), *reports.glob("*.txt"), *reports.glob("versions/*")]
    assert len(written) >= 6
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in written} == {"0o644"}
