from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from monitor.archive import Archive
from monitor.demo import pages as P
from monitor.testing.localsite import LocalSite, Page
from tests import support
from tests.conftest import of_type, types
from tests.support import (
    MEETING_TIMED,
    ON_SECURITY,
    make_config,
    site_source,
    state_feed,
    telephone_talk,
)

PARAS = (MEETING_TIMED, ON_SECURITY)


def mofa(paras: Sequence[str] = PARAS, nonce: int = 0) -> str:
    return support.mofa(paras, nonce=nonce)


def test_baseline_then_edit_then_nothing(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa()
    run = runner(make_config(tmp_path, [site_source(site)]))
    first = run()
    assert types(first) == ["baseline"]
    assert of_type(first, "baseline")[0] == {
        "type": "baseline",
        "source": "mofa-fm",
        "pages": 1,
        "meetings": 1,
        "meeting_ids": ["2026-03-02-foreign-ministers"],
    }
    site["/fm.html"] = mofa([PARAS[0], PARAS[1].replace("close", "very close")], nonce=3)
    second = run()
    changed = of_type(second, "page_changed")
    assert len(changed) == 1 and types(second) == ["page_changed"]
    assert changed[0]["added"] == 1 and changed[0]["removed"] == 0 and not changed[0]["trivial"]
    html = Path(second.report or "").read_text(encoding="utf-8")
    assert ">very</ins>" in html.replace(" </ins>", "</ins>")
    third = run()
    assert third.events == () and not third.failures


def test_footer_timestamp_nav_and_related_changes_are_silent(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/s.html"] = P.state_page("Readout", "Readout", "March 2, 2026", PARAS, nonce=1)
    run = runner(make_config(tmp_path, [site_source(site, "/s.html", "st", profile="state")]))
    run()
    for nonce in (2, 3, 4):
        site["/s.html"] = P.state_page("Readout", "Readout", "March 2, 2026", PARAS, nonce=nonce)
        assert run().events == ()
    with sqlite3.connect(tmp_path / "snapshots" / "index.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 1
        assert db.execute("SELECT COUNT(*) FROM checks").fetchone()[0] == 4


def test_etag_304_costs_no_parse_and_no_version(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa()
    run = runner(make_config(tmp_path, [site_source(site)]))
    run()
    assert run().events == ()
    assert site.requests[-1].headers.get("if-none-match")
    with sqlite3.connect(tmp_path / "snapshots" / "index.sqlite") as db:
        assert [r[0] for r in db.execute("SELECT outcome FROM checks ORDER BY id")] == [
            "new-version",
            "not-modified",
        ]


def test_failures_alert_after_three_then_recover(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa()
    run = runner(make_config(tmp_path, [site_source(site)]))
    run()
    site["/fm.html"] = Page("down", status=500)
    reports = [run() for _ in range(4)]
    assert [types(r) for r in reports] == [[], [], ["source_failing"], []]
    assert all(r.failures for r in reports)
    failing = of_type(reports[2], "source_failing")[0]
    assert failing["source"] == "mofa-fm" and "HTTP 500" in failing["error"]
    # still failing a day later: one reminder
    reminder = run(advance_hours=24)
    assert types(reminder) == ["source_failing"]
    site["/fm.html"] = mofa()
    back = run()
    assert types(back) == ["source_recovered"] and not back.failures
    assert run().events == ()


def test_a_failure_never_reads_as_removed_content(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa()
    run = runner(make_config(tmp_path, [site_source(site)]))
    run()
    site["/fm.html"] = (
        "<html><head><title>Service Unavailable</title></head><body>"
        "<h1>Service Unavailable</h1></body></html>"
    )
    report = run()
    assert report.events == () and report.failures
    site["/fm.html"] = "<html><body><p>layout changed</p></body></html>"
    report = run()
    assert report.events == () and "no main content" in report.failures[0][1]
    site["/fm.html"] = mofa()
    assert run().events == ()


def test_normaliser_rule_change_is_not_a_page_change(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa([*PARAS, "Updated 10:31"])
    run = runner(make_config(tmp_path, [site_source(site)]))
    run()
    site["/fm.html"] = mofa([*PARAS, "Updated 10:45"])
    run2 = runner(make_config(tmp_path, [site_source(site, ignore=[r"^Updated \d+:\d+$"])]))
    assert run2().events == ()
    site["/fm.html"] = mofa([PARAS[0], "Changed.", "Updated 11:00"])
    assert types(run2()) == ["page_changed"]


def test_flip_flopping_page_reports_once(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    a, b = mofa(), mofa([PARAS[0], "A different second paragraph entirely."])
    site["/fm.html"] = a
    run = runner(make_config(tmp_path, [site_source(site)]))
    run()
    seen = []
    for i in range(6):
        site["/fm.html"] = b if i % 2 == 0 else a
        seen.append(types(run()))
    assert seen[0] == ["page_changed"] and all(s == [] for s in seen[1:])


def test_listing_follows_new_links_and_reports_new_meeting(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/index.html"] = P.mofa_listing("Relations", [("March 2", [("/fm.html", "FM Meeting")])])
    site["/fm.html"] = mofa()
    run = runner(
        make_config(tmp_path, [site_source(site, "/index.html", "mofa-us", kind="listing")])
    )
    first = run()
    assert of_type(first, "baseline")[0]["pages"] == 2 and site.hits("/fm.html") == 1
    site["/index.html"] = P.mofa_listing(
        "Relations",
        [("March 9", [("/tel.html", "Telephone Talk")]), ("March 2", [("/fm.html", "FM Meeting")])],
        nonce=2,
    )
    site["/tel.html"] = telephone_talk()
    second = run()
    assert sorted(types(second)) == ["meeting_new", "page_added"]
    meeting = of_type(second, "meeting_new")[0]["meeting"]
    assert meeting["kind"] == "telephone-talk" and meeting["date"] == "2026-03-09"
    assert meeting["participants"] == ["Motegi Toshimitsu", "Marco Rubio"]
    assert site.hits("/fm.html") == 2  # discovered pages are re-checked like any page
    # a link that leaves the listing is not a removed page
    site["/index.html"] = P.mofa_listing("Relations", [("March 9", [("/tel.html", "Tel")])])
    assert run().events == ()


def test_listing_never_follows_other_hosts(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    site["/index.html"] = P.mofa_listing(
        "Relations",
        [
            (
                "March 2",
                [
                    ("http://elsewhere.invalid/x.html", "Outside"),
                    ("http://10.0.0.1/y.html", "Private"),
                    ("/fm.html", "Inside"),
                ],
            )
        ],
    )
    site["/fm.html"] = mofa()
    run = runner(make_config(tmp_path, [site_source(site, "/index.html", "l", kind="listing")]))
    assert of_type(run(), "baseline")[0]["pages"] == 2
    with sqlite3.connect(tmp_path / "snapshots" / "index.sqlite") as db:
        urls = {r[0] for r in db.execute("SELECT url FROM pages")}
    assert urls == {site.url("/index.html"), site.url("/fm.html")}


def test_same_meeting_on_two_sites_is_one_meeting(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    """A listing gains a 2+2 page while a republisher posts the same meeting: one meeting_new
    with both sources."""
    site["/mofa/index.html"] = P.mofa_listing("Relations", [("March 2", [("/mofa/fm.html", "FM")])])
    site["/mofa/fm.html"] = mofa()
    site["/mirage/"] = P.miragenews_listing("Mirage News", [("/mirage/ferry.html", "Ferry")])
    site["/mirage/ferry.html"] = P.miragenews_page(
        "Ferry Terminal Opens", "March 1, 2026", ["A ferry terminal opened."]
    )
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
    site["/mofa/index.html"] = P.mofa_listing(
        "Relations",
        [
            ("March 20", [("/mofa/scc.html", "Security Consultative Committee")]),
            ("March 2", [("/mofa/fm.html", "FM")]),
        ],
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
        "Mirage News",
        [("/mirage/scc.html", "U.S.-Japan 2+2 Joint Statement"), ("/mirage/ferry.html", "Ferry")],
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
    new = of_type(report, "meeting_new")
    assert len(new) == 1 and not of_type(report, "meeting_source_added")
    meeting = new[0]["meeting"]
    assert meeting["date"] == "2026-03-20" and meeting["kind"] == "2+2"
    assert set(meeting["sources"]) == {site.url("/mofa/scc.html"), site.url("/mirage/scc.html")}
    assert set(meeting["participants"]) == {
        "Motegi Toshimitsu",
        "Koizumi Shinjiro",
        "Marco Rubio",
        "Pete Hegseth",
    }
    assert meeting["location"] == "Washington"
    assert len(of_type(report, "page_added")) == 2


def test_shift_jis_page_with_era_date(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    html = P.mofa_page(
        "日米外相電話会談",
        "令和8年2月20日",
        [
            "2月20日、午前9時から約20分間、茂木敏充外務大臣は、マルコ・ルビオ米国国務長官と電話会談を"
            "行いました。"
        ],
        lang="ja",
        charset="Shift_JIS",
    )
    site["/mofaj/index.html"] = Page(
        P.mofa_listing(
            "報道発表", [("2月20日付", [("/mofaj/tel.html", "日米外相電話会談")])], lang="ja"
        ).encode("utf-8")
    )
    site["/mofaj/other.html"] = "x"
    run = runner(
        make_config(
            tmp_path,
            [site_source(site, "/mofaj/index.html", "ja", profile="mofa-ja", kind="listing")],
        )
    )
    run()
    site["/mofaj/index.html"] = Page(
        P.mofa_listing(
            "報道発表",
            [
                (
                    "2月20日付",
                    [
                        ("/mofaj/tel.html", "日米外相電話会談"),
                        ("/mofaj/new.html", "日米外相電話会談（2回目）"),
                    ],
                )
            ],
            lang="ja",
        ).encode("utf-8")
    )
    site["/mofaj/new.html"] = Page(html.encode("cp932"), content_type="text/html")
    report = run()
    meeting = of_type(report, "meeting_new")[0]["meeting"]
    assert meeting == {
        **meeting,
        "date": "2026-02-20",
        "kind": "telephone-talk",
        "title": "日米外相電話会談",
        "duration": "20 minutes",
        "participants": ["Motegi Toshimitsu", "Marco Rubio"],
    }


def test_feed_items_are_pages_of_their_own(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    one = (
        "https://www.state.gov/a/",
        "Rubio And Motegi Before Their Meeting",
        ["SECRETARY RUBIO: Good to see you, Foreign Minister Motegi of Japan."],
    )
    two = ("https://www.state.gov/b/", "Call with a Partner", ["The Deputy spoke with a partner."])
    site["/feed/"] = state_feed([one, two])
    run = runner(
        make_config(
            tmp_path, [site_source(site, "/feed/", "state-press", profile="state", kind="feed")]
        )
    )
    assert of_type(run(), "baseline")[0]["pages"] == 3
    # reorder + new lastBuildDate + hidden nonce: nothing
    site["/feed/"] = state_feed([two, one], nonce=5)
    assert run().events == ()
    # an edited title is a change of that item; a new item is a page_added
    three = (
        "https://www.state.gov/c/",
        "Readout of Secretary of War Hegseth's Meeting With Japanese Minister of Defense Koizumi",
        ["Secretary Hegseth met Defense Minister Koizumi of Japan yesterday in Tokyo."],
    )
    edited = (one[0], one[1].replace("And", "and"), one[2])
    site["/feed/"] = state_feed([three, edited, two], nonce=6)
    report = run()
    assert sorted(types(report)) == ["meeting_new", "page_added", "page_changed"]
    assert of_type(report, "page_changed")[0]["url"] == "https://www.state.gov/a/"
    assert of_type(report, "meeting_new")[0]["meeting"]["date"] == "2026-03-01"


def test_one_bad_source_never_aborts_the_run(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa()
    run = runner(
        make_config(
            tmp_path,
            [
                site_source(site),
                {"id": "dead", "url": "http://127.0.0.1:9/x"},
                site_source(site, "/nope", "404", profile=None),
            ],
        )
    )
    report = run()
    assert {s for s, _ in report.failures} == {"dead", "404"}
    assert of_type(report, "baseline") == [
        {
            "type": "baseline",
            "source": "mofa-fm",
            "pages": 1,
            "meetings": 1,
            "meeting_ids": ["2026-03-02-foreign-ministers"],
        }
    ]


def test_selected_sources_only(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa()
    site["/other.html"] = mofa(nonce=1)
    run = runner(
        make_config(tmp_path, [site_source(site), site_source(site, "/other.html", "other")])
    )
    report = run(source_ids=["other"])
    assert report.sources_checked == 1 and site.hits("/fm.html") == 0


@pytest.mark.parametrize("charset", ["cp932", "euc_jp"])
def test_japanese_encodings_do_not_read_as_changes(
    site: LocalSite, tmp_path: Path, runner, charset: str
) -> None:  # type: ignore[no-untyped-def]
    html = P.mofa_page(
        "日米外相会談",
        "令和8年3月2日",
        ["茂木外務大臣はルビオ国務長官と会談した。"],
        lang="ja",
        charset="x",
    )
    site["/ja.html"] = Page(html.replace('charset="x"', "").encode("utf-8"))
    run = runner(make_config(tmp_path, [site_source(site, "/ja.html", "ja", profile="mofa-ja")]))
    run()
    site["/ja.html"] = Page(
        html.replace('charset="x"', "").encode(charset), content_type="text/html"
    )
    assert run().events == ()


def test_pdf_joint_statement_found_on_a_listing(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    site["/scc/index.html"] = P.mofa_listing("SCC", [("March 2", [("/scc/old.html", "Old")])])
    site["/scc/old.html"] = mofa()
    run = runner(
        make_config(tmp_path, [site_source(site, "/scc/index.html", "scc", kind="listing")])
    )
    run()
    site["/scc/index.html"] = P.mofa_listing(
        "SCC",
        [
            ("March 20", [("/files/100001.pdf", "Joint Statement (PDF)")]),
            ("March 2", [("/scc/old.html", "Old")]),
        ],
    )
    site["/files/100001.pdf"] = Page(
        P.pdf_document(
            "Joint Statement of the Japan-U.S. Security Consultative Committee",
            [
                "Joint Statement of the Japan-U.S. Security Consultative Committee",
                "March 20, 2026",
                "On March 20, 2026, Foreign Minister Motegi and Defense Minister Koizumi met",
                "Secretary of State Rubio and Secretary of Defense Hegseth in Tokyo for the 2+2.",
            ],
        ),
        content_type="application/pdf",
    )
    report = run()
    meeting = of_type(report, "meeting_new")[0]["meeting"]
    assert (meeting["date"], meeting["kind"], meeting["location"]) == ("2026-03-20", "2+2", "Tokyo")
    assert len(meeting["participants"]) == 4
    assert run().events == ()


def test_urls_never_become_archive_paths(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    tricky = ["/a/../../../../etc/passwd", "/%2e%2e/%2e%2e/x.html?f=../../y", "/b/..%2f..%2fz"]
    site["/index.html"] = P.mofa_listing("R", [("March 2", [(u, "x") for u in tricky])])
    for u in ("/etc/passwd", "/%2e%2e/%2e%2e/x.html?f=../../y", "/b/..%2f..%2fz"):
        site[u] = mofa()
    run = runner(make_config(tmp_path, [site_source(site, "/index.html", "l", kind="listing")]))
    run()
    import re

    for path in (tmp_path / "snapshots").rglob("*"):
        rel = path.relative_to(tmp_path / "snapshots").as_posix()
        assert re.fullmatch(
            r"blobs(/[0-9a-f]{2}(/[0-9a-f]{62}\.zst)?|/\.tmp(/\d+-\d+)?)?|index\.sqlite(-wal|-shm)?|"
            r"monitor\.lock",
            rel,
        ), rel
    assert not (tmp_path / "etc").exists()


def test_a_page_gone_for_good_is_removed_once(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa()
    run = runner(make_config(tmp_path, [site_source(site)]))
    run()
    site["/fm.html"] = Page("<h1>Gone</h1>", status=410)
    seen = [types(run(advance_hours=12)) for _ in range(5)]
    assert seen == [[], [], ["page_removed"], [], []]
    report = tmp_path / "reports" / "run-000004.txt"  # baseline, then the third failed check
    assert "REMOVED PAGES (1)" in report.read_text(encoding="utf-8")
    site["/fm.html"] = mofa()
    assert types(run()) == ["source_recovered"]


def test_meetings_found_again_when_the_rules_change(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    """An archive whose meetings an older extractor found (here: one it invented) has them found
    again, silently, from the pages it holds."""
    one = (
        "https://www.state.gov/a/",
        "Secretary Rubio's Meeting with Japanese Foreign Minister Motegi",
        [
            "Secretary of State Marco Rubio met today with Japanese Foreign Minister Motegi "
            "in Tokyo."
        ],
    )
    two = ("https://www.state.gov/b/", "Japan National Day", ["We congratulate Japan."])
    site["/feed/"] = state_feed([one, two])
    config = make_config(
        tmp_path, [site_source(site, "/feed/", "state-press", profile="state", kind="feed")]
    )
    run = runner(config)
    run()
    db = sqlite3.connect(tmp_path / "snapshots" / "index.sqlite")
    with db:
        db.execute(
            "INSERT INTO meetings (id, date, kind, title, location, participants, first_seen) "
            "VALUES ('2026-03-02-other', '2026-03-02', 'other', 'Japan National Day', NULL, "
            "'[]', 'x')"
        )
        db.execute(
            "INSERT INTO meeting_sources VALUES ('2026-03-02-other', ?, 'state-press', 'x', NULL)",
            (two[0],),
        )
        db.execute("DELETE FROM meta WHERE key='meetings'")
    assert run().events == ()  # found again, not reported again
    rows = db.execute(
        "SELECT m.title, s.url FROM meetings m JOIN meeting_sources s ON s.meeting_id=m.id"
    ).fetchall()
    assert rows == [(one[1], one[0])]
    assert db.execute("SELECT value FROM meta WHERE key='meetings'").fetchone() == ("2",)
    db.close()


def test_a_configured_page_a_listing_links_to_is_one_page_fetched_once(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    """The listing links to /fm.html, which the config names as a source of its own: it is
    checked as that source only, not also as the listing's page (found trying it afresh)."""
    site["/index.html"] = P.mofa_listing(
        "Relations", [("March 2", [("/fm.html", "FM"), ("/other.html", "Other")])]
    )
    site["/fm.html"] = mofa()
    site["/other.html"] = support.mofa(["On March 2, the ministers spoke."], title="Other")
    sources = [site_source(site, "/index.html", "list", kind="listing"), site_source(site)]
    run = runner(make_config(tmp_path, sources))
    first = run()
    assert site.hits("/fm.html") == 1 and first.pages_checked == 3
    baseline = sum(e.data["pages"] for e in first.events if e.type == "baseline")
    assert baseline == 3
    run()
    assert site.hits("/fm.html") == 2  # once a run
    with Archive(tmp_path / "snapshots") as archive:
        assert sorted((p.url.rsplit("/", 1)[1], p.source_id) for p in archive.pages()) == [
            ("fm.html", "mofa-fm"),
            ("index.html", "list"),
            ("other.html", "list"),
        ]
