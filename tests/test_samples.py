"""Labelled pairs of real captures from ../shared/samples (read in place, never copied):
`alert` pairs must alert exactly as described in samples/INDEX.md, `noalert` pairs must not.
Without ../shared every test here fails, saying where it looked: none is skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.diff import diff_documents
from monitor.fetch.decode import decode
from monitor.meetings import extract_meeting
from monitor.models import Document
from monitor.normalise import listing_links, normalise_html
from monitor.sites import PROFILES
from monitor.testing.localsite import LocalSite, Page
from tests.conftest import of_type, types
from tests.support import RSS, make_config, shared, site_source

pytestmark = pytest.mark.real_pages
FEED = "state.gov__feed-press-releases__{}.rss"


def sample(name: str) -> bytes:
    return shared("samples", name).read_bytes()


def feed_run(site: LocalSite, tmp_path: Path, runner, before: str, after: str):  # type: ignore[no-untyped-def]
    site["/feed/"] = Page(sample(FEED.format(before)), content_type=RSS)
    source = site_source(site, "/feed/", "state-press", profile="state", kind="feed")
    run = runner(make_config(tmp_path, [source]))
    assert types(run()) == ["baseline"]
    site["/feed/"] = Page(sample(FEED.format(after)), content_type=RSS)
    return run()


def test_alert_feed_title_case_edit(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    report = feed_run(site, tmp_path, runner, "20220407T170935Z", "20220407T172420Z")
    assert types(report) == ["page_changed"]
    event = of_type(report, "page_changed")[0]
    assert "hayashi" in event["url"] and (event["added"], event["removed"]) == (1, 1)
    assert event["trivial"]  # case only: reported under minor edits, not mailed (issue 12)


def test_alert_feed_sentence_deleted_and_item_added(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    report = feed_run(site, tmp_path, runner, "20220622T202420Z", "20220622T203556Z")
    changed = of_type(report, "page_changed")
    assert len(changed) == 1 and changed[0]["removed"] > 5 and changed[0]["added"] == 0
    assert len(of_type(report, "page_added")) == 1
    assert not of_type(report, "page_removed")  # the dropped item is not a removal


def test_noalert_feed_link_added_with_same_text(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    report = feed_run(site, tmp_path, runner, "20210528T182215Z", "20210528T185845Z")
    assert of_type(report, "page_changed") == []


def _doc(name: str, url: str, profile: str) -> Document:
    text, _ = decode(sample(name), "text/html")
    return normalise_html(text, url, PROFILES[profile])


def test_noalert_mojibake_is_not_an_edit() -> None:
    url = "https://www.fema.gov/hurricane-maria"
    a = _doc("fema.gov__hurricane-maria__v1-before.html", url, "generic")
    b = _doc("fema.gov__hurricane-maria__v2-after.html", url, "generic")
    for change in diff_documents(a, b).changes:
        text = " ".join(s.text for s in change.segments if s.op != " ")
        assert "Ã" not in text and "â\x80" not in text and "Â" not in text, text


def test_alert_energy_teaser_swap_is_a_small_change() -> None:
    url = "https://www.energy.gov/"
    a = _doc("energy.gov__homepage__v1-before.html", url, "generic")
    b = _doc("energy.gov__homepage__v2-after.html", url, "generic")
    changes = [c for c in diff_documents(a, b).changes if c.op != "moved"]
    # one teaser (title, summary, date) in, one out, twice: nothing else on the page
    assert sorted(c.op for c in changes) == ["added"] * 6 + ["removed"] * 6
    assert {c.section for c in changes} == {"Energy News"}


def test_mofa_ja_listing_structure() -> None:
    text, codec = decode(sample("mofa.go.jp__ja-press-release-index__2026-09.html"))
    url = "https://www.mofa.go.jp/mofaj/press/release/index.html"
    links = listing_links(text, url, PROFILES["mofa-ja"])
    assert codec == "utf-8" and len(links) > 50
    assert all(
        link.url.startswith("https://www.mofa.go.jp/mofaj/") and "_index" not in link.url
        for link in links
    )  # press releases, not the archive's month indexes
    doc = normalise_html(text, url, PROFILES["mofa-ja"])
    assert doc.title == "報道発表"
    for boilerplate in ("このページのトップへ戻る", "報道発表へ戻る", "印刷", "サイトマップ"):
        assert boilerplate not in doc.text


def test_state_readout_fragment_is_a_trilateral_meeting_of_the_day_before() -> None:
    html = sample(
        "state.gov__item-content-fragment-us-japan-rok-trilateral-fm-meeting__2026-07-08.html"
    ).decode("utf-8")
    doc = normalise_html(
        f"<html><body><main>{html}</main></body></html>",
        "https://www.state.gov/x/",
        PROFILES["state"],
    )
    meeting = extract_meeting(doc, "state")
    assert meeting is not None
    assert (meeting.date, meeting.kind) == ("2026-07-07", "trilateral")
    assert meeting.participants == ("Marco Rubio", "Motegi Toshimitsu", "Cho Hyun")
    assert meeting.location == "Ankara"
    assert "filter" not in doc.text and doc.published == "2026-07-08"


def test_defense_home_page_drops_its_chrome() -> None:
    doc = _doc(
        "defense.gov__homepage__browser-saved-2020-11.html", "https://www.defense.gov/", "defense"
    )
    assert doc.blocks and "An official website of the United States Government" not in doc.text
