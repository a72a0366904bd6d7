"""Counts match what is shown (issue 14, item 10): the index counts what each report shows, a
baseline is called one, Japanese is counted in characters, the Atom feed is readable."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from monitor.demo import pages as P
from monitor.testing.localsite import LocalSite
from tests.conftest import types
from tests.support import PARAS, make_config, mofa, site_source

ATOM = "{http://www.w3.org/2005/Atom}"


def read(path: Path | str | None) -> str:
    return Path(str(path)).read_text(encoding="utf-8")


def index_line(tmp_path: Path, run_id: int) -> str:
    index = read(tmp_path / "reports" / "index.html")
    return index.partition(f'href="run-{run_id:06d}.html"')[2].partition("</tr>")[0]


def test_the_index_counts_what_each_report_shows(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    """One meeting published by two sites in one run: meeting_new and meeting_source_added
    are recorded, the report shows one new meeting, and so does the index."""
    site["/mofa/index.html"] = P.mofa_listing("Relations", [("March 2", [("/mofa/fm.html", "FM")])])
    site["/mofa/fm.html"] = mofa()
    site["/mirage/"] = P.miragenews_listing("Mirage News", [])
    run = runner(
        make_config(
            tmp_path,
            [
                site_source(site, "/mofa/index.html", "mofa-us", kind="listing"),
                site_source(site, "/mirage/", "mirage", profile="miragenews", kind="listing"),
            ],
        )
    )
    run()
    assert "baseline: archive initialised (3 pages, 1 meeting)" in index_line(tmp_path, 1)
    assert "no changes" not in index_line(tmp_path, 1)
    site["/mofa/index.html"] = P.mofa_listing(
        "Relations",
        [("March 20", [("/mofa/scc.html", "SCC")]), ("March 2", [("/mofa/fm.html", "FM")])],
    )
    site["/mofa/scc.html"] = P.mofa_page(
        'Japan-U.S. Security Consultative Committee ("2+2")',
        "March 20, 2026",
        [
            'On March 20, the Security Consultative Committee ("2+2") was held in '
            "Washington, D.C., with Foreign Minister Motegi, Defense Minister Koizumi, "
            "Secretary of State Rubio and Secretary of Defense Hegseth."
        ],
    )
    site["/mirage/"] = P.miragenews_listing(
        "Mirage News", [("/mirage/scc.html", "U.S.-Japan 2+2 Joint Statement")]
    )
    site["/mirage/scc.html"] = P.miragenews_page(
        "U.S.-Japan 2+2 Joint Statement",
        "March 21, 2026",
        [
            "Secretary Rubio and Secretary Hegseth met their Japanese counterparts Motegi "
            "and Koizumi in Washington on March 20 for the 2+2."
        ],
    )
    report = run()
    assert sorted(types(report)) == ["meeting_new", "page_added", "page_added"]
    html = read(report.report)
    assert "New meetings (1)" in html and "New pages (2)" in html
    assert "More sources for known meetings" not in html
    line = index_line(tmp_path, 2)
    assert "1 new meeting, 2 new pages" in line and "event" not in line
    assert "no changes" in index_line(tmp_path, run().run_id or 0)


def test_japanese_is_counted_in_characters(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    title, date = "日米外相会談", "令和8年3月2日"
    site["/ja.html"] = P.mofa_page(title, date, ["日米外相会談が行われた。"], lang="ja")
    run = runner(make_config(tmp_path, [site_source(site, "/ja.html", "ja", profile="mofa-ja")]))
    run()
    site["/ja.html"] = P.mofa_page(title, date, ["日米外相会談が東京で行われた。"], lang="ja")
    report = run()
    assert report.events[0].data["added"] == 3  # 東, 京, で
    html, text = read(report.report), read(Path(str(report.report)).with_suffix(".txt"))
    assert "+3 / &minus;0 characters" in html and "+3 / -0 characters" in text
    assert "words" not in text.partition("REVISED PAGES")[2].partition("[changed]")[0]


def test_count_units() -> None:
    from monitor.diff import count_unit

    assert count_unit(["東京で"]) == "characters"
    assert count_unit(["in Tokyo"]) == "words"
    assert count_unit(["東京 Tokyo"]) == "words and characters"
    assert count_unit(["", " 。"]) == "words"


def test_atom_entries_are_readable_html(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa()
    run = runner(make_config(tmp_path, [site_source(site)]))
    run()
    site["/fm.html"] = mofa([PARAS[0], "The two ministers confirmed closer cooperation."])
    run()
    feed = ET.parse(tmp_path / "reports" / "feed.atom").getroot()
    (entry,) = feed.iter(f"{ATOM}entry")
    content = entry.find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html"
    html = content.text or ""
    assert not html.lstrip().startswith("{")  # not the event's JSON
    assert html.startswith("<p><b>Japan-U.S. Foreign Ministers&#39; Meeting</b> (mofa-fm)")
    assert "was revised: +1 / &minus;1 words." in html
    assert f'<a href="{site.url("/fm.html")}">' in html
    assert (entry.findtext(f"{ATOM}title") or "").startswith("Revised: ")


def test_a_baseline_counts_a_meeting_two_sites_reported_once(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    """MOFA's page and State's readout of one meeting, archived in one first run: the index
    says one meeting, as `monitor meetings` lists it (found trying it afresh)."""
    from tests.test_serve import publish
    from tests.test_serve import sources as serve_sources

    publish(site, edited=False)
    both = [s for s in serve_sources(site) if s["id"] in ("mofa-fm", "state")]
    report = runner(make_config(tmp_path, both))()
    baselines = [e.data for e in report.events if e.type == "baseline"]
    assert [b["meetings"] for b in baselines] == [1, 1]
    assert baselines[0]["meeting_ids"] == baselines[1]["meeting_ids"]  # one meeting
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert "baseline: archive initialised (2 pages, 1 meeting)" in index
