"""What an operator sees day to day (issue 14): failures that go on are shown by every report and
the index, with since when; a removed page is retired; `check-now --json` says what failed."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from monitor.archive import Archive
from monitor.archive.schema import SCHEMA
from monitor.demo import pages as P
from monitor.models import instant
from monitor.report import shown
from monitor.schedule import source_states
from monitor.testing.localsite import LocalSite, Page
from tests.conftest import monitor, types
from tests.smtp import SMTPServer, email_config, text_part
from tests.support import (
    PARAS,
    make_config,
    mofa,
    readout,
    site_source,
    state_feed,
    write_config,
)

SIX = ("a", "b", "c", "d", "e", "f")


def six_sources(site: LocalSite) -> list[dict[str, str]]:
    for sid in SIX:
        site[f"/{sid}.html"] = readout(f"Readout {sid}.")
    return [dict(site_source(site, f"/{sid}.html", sid, profile="state")) for sid in SIX]


def read(path: Path | str | None) -> str:
    return Path(str(path)).read_text(encoding="utf-8")


# --- 1. ongoing failures are shown by every report and the index -----------------------------


def test_five_of_six_sources_down_is_never_just_no_changes(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    config = make_config(tmp_path, six_sources(site))
    run = runner(config)
    run()
    for sid in SIX[:5]:
        site[f"/{sid}.html"] = Page("down", status=503)
    second = run()
    assert second.events == () and len(second.failures) == 5
    started = shown(instant(second.started_at), config.zone)  # as a reader sees it
    later = run()  # the failures go on: the report says so, since the first failed check
    html, text = read(later.report), read(Path(str(later.report)).with_suffix(".txt"))
    assert later.events == ()
    assert "No changes. 5 sources failing: see Health below." in html
    assert "Failing now (5 pages of 5 sources)" in html and "HTTP 503" in html
    assert html.count(f"failing since {started} (2 checks in a row)") == 5
    assert f"* State · a: failing since {started}" in text and "HEALTH" in text  # by site
    assert "· f:" not in text  # the healthy source is not listed
    index = read(tmp_path / "reports" / "index.html")
    assert "Failing now (5 pages of 5 sources)" in index
    assert index.count("no changes; 5 sources failing") == 2  # each run's line, as its report

    assert types(run()) == ["source_failing"] * 5  # told after the third failed check
    site["/a.html"] = readout("Readout a.")  # then back
    back = run()
    assert types(back) == ["source_recovered"]
    index = read(tmp_path / "reports" / "index.html")
    assert "Failing now (4 pages of 4 sources)" in index
    assert "Recovered in the latest run" in index and "<b>State · a</b> works again" in index
    assert "1 source recovered; 4 sources failing" in index
    assert "baseline: archive initialised (6 pages, 0 meetings)" in index


def test_the_digest_carries_what_is_failing(
    site: LocalSite, smtp: SMTPServer, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa()
    site["/down.html"] = readout("Readout.")
    sources = [site_source(site), site_source(site, "/down.html", "down", profile="state")]
    config = make_config(tmp_path, sources, email=email_config(smtp))
    run = runner(config)
    run(email=True)
    site["/down.html"] = Page("down", status=500)
    site["/fm.html"] = mofa([PARAS[0], "The two ministers confirmed closer cooperation."])
    changed = run(email=True)
    assert types(changed) == ["page_changed"] and len(smtp.messages) == 1
    digest = text_part(smtp.messages[0])
    assert "[-close-]{+closer+}" in digest
    health = digest.partition("HEALTH")[2]
    since = shown(instant(changed.started_at), config.zone)
    assert f"* State · down: failing since {since} (1 check in a row): " in health
    assert "HTTP 500" in health and "mofa-fm" not in health


# --- 2. a removed page is retired -------------------------------------------------------------


def listing(*paths: str, nonce: int = 0) -> str:
    return P.mofa_listing("Relations", [("March 2", [(p, p) for p in paths])], nonce=nonce)


def test_a_removed_page_is_retired_and_comes_back_when_listed_again(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/index.html"] = listing("/fm.html", "/tel.html")
    site["/fm.html"], site["/tel.html"] = mofa(), mofa(nonce=1)
    config = make_config(tmp_path, [site_source(site, "/index.html", "l", kind="listing")])
    run = runner(config)
    run()
    site["/tel.html"] = Page("<h1>Not Found</h1>", status=404)
    reports = [run() for _ in range(3)]
    assert [types(r) for r in reports] == [[], [], ["page_removed"]]
    assert [len(r.failures) for r in reports] == [1, 1, 0]  # removed: news, not a failure
    hits = site.hits("/tel.html")
    for _ in range(2):  # retired: no longer fetched, and the run succeeds
        quiet = run()
        assert quiet.events == () and quiet.failures == ()
    assert site.hits("/tel.html") == hits and site.hits("/fm.html") == hits + 2
    text = read(Path(str(quiet.report)).with_suffix(".txt"))
    assert "Removed pages, no longer checked (1)" in text and site.url("/tel.html") in text
    with sqlite3.connect(tmp_path / "snapshots" / "index.sqlite") as db:  # still archived
        (versions,) = db.execute(
            "SELECT COUNT(*) FROM versions v JOIN pages p ON p.id = v.page_id WHERE p.url = ?",
            (site.url("/tel.html"),),
        ).fetchone()
    assert versions == 1
    with Archive(tmp_path / "snapshots") as archive:  # `monitor sources`, serve's home: ok
        (state,) = source_states(config, archive, datetime(2026, 3, 2, tzinfo=UTC))
    assert state.status == "ok"

    site["/index.html"] = listing("/fm.html", nonce=1)  # the listing drops it ...
    assert run().events == () and site.hits("/tel.html") == hits
    site["/tel.html"] = mofa(nonce=1)  # ... and lists it again: checked again
    site["/index.html"] = listing("/fm.html", "/tel.html", nonce=2)
    again = run()
    assert types(again) == ["source_recovered"] and site.hits("/tel.html") == hits + 1
    assert "Removed pages" not in read(Path(str(again.report)).with_suffix(".txt"))
    run()
    assert site.hits("/tel.html") == hits + 2  # tracked again


def test_a_forgotten_feed_item_is_recorded_again_once_it_comes_back(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    one = ("https://www.state.gov/a/", "Readout A", ["The Secretary met a partner."])
    two = ("https://www.state.gov/b/", "Readout B", ["The Deputy spoke with a partner."])
    edited = (two[0], two[1], ["The Deputy spoke with two partners."])
    site["/feed/"] = state_feed([one, two])
    run = runner(
        make_config(tmp_path, [site_source(site, "/feed/", "st", profile="state", kind="feed")])
    )
    run()
    with Archive.open(tmp_path / "snapshots") as archive:
        (page,) = [p for p in archive.pages() if p.url == two[0]]
        archive.retire([page.id], datetime(2026, 3, 1, 12, tzinfo=UTC))
    site["/feed/"] = state_feed([one, edited], nonce=1)  # still in the feed: not recorded
    assert run().events == ()
    site["/feed/"] = state_feed([one], nonce=2)
    assert run().events == ()
    site["/feed/"] = state_feed([one, edited], nonce=3)  # back: recorded, compared as before
    back = run()
    assert types(back) == ["page_changed"] and back.events[0].data["url"] == two[0]
    with Archive.open(tmp_path / "snapshots") as archive:
        assert not archive.health().retired


def test_an_archive_without_retired_at_opens_and_gains_it(tmp_path: Path) -> None:
    root = tmp_path / "snapshots"
    root.mkdir()
    with sqlite3.connect(root / "index.sqlite") as db:  # the first schema: no added columns
        db.executescript(SCHEMA)
        db.execute(
            "INSERT INTO pages (url, source_id, role, first_seen) VALUES "
            "('https://example.org/a', 's', 'discovered', '2026-03-01T09:00:00Z')"
        )
    with Archive.open(root, lock=False, readonly=True) as old:
        assert "pages.retired_at" in old.outdated
        assert old.pages()[0].retired_at is None  # read as never retired
    with Archive.open(root) as archive:
        assert archive.pages()[0].retired_at is None and not archive.health().retired


def test_forget_retires_a_page_by_hand(site: LocalSite, tmp_path: Path) -> None:
    site["/index.html"] = listing("/fm.html", "/tel/")
    site["/fm.html"], site["/tel/"] = mofa(), mofa(nonce=1)
    write_config(tmp_path, [site_source(site, "/index.html", "l", kind="listing")])
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    hits = site.hits("/tel/")

    gone = monitor(tmp_path, "forget", site.url("/tel"))  # without its trailing slash
    assert gone.returncode == 0, gone.stderr
    said = f"{site.url('/tel/')} (l): no longer checked; its versions stay archived"
    assert gone.stdout.strip() == said
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    assert site.hits("/tel/") == hits and site.hits("/fm.html") == 2
    listed = monitor(tmp_path, "history", "l").stdout  # the listing's pages, the forgotten marked
    (tel,) = [line for line in listed.splitlines() if site.url("/tel/") in line]
    assert "(not checked since 20" in tel
    assert "not checked" not in next(x for x in listed.splitlines() if "/fm.html" in x)

    unknown = monitor(tmp_path, "forget", site.url("/nope.html"))
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == (
        f"monitor: {site.url('/nope.html')}: no such page in the archive {tmp_path / 'snapshots'}"
    )
    source = monitor(tmp_path, "forget", site.url("/index.html"))
    assert source.returncode == 2 and "the URL of source l" in source.stderr
    assert len(source.stderr.splitlines()) == 1


def test_forget_waits_for_the_archive_lock(site: LocalSite, tmp_path: Path) -> None:
    site["/index.html"], site["/fm.html"] = listing("/fm.html"), mofa()
    write_config(tmp_path, [site_source(site, "/index.html", "l", kind="listing")])
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    with Archive.open(tmp_path / "snapshots"):  # a run holds it
        held = monitor(tmp_path, "forget", site.url("/fm.html"))
    assert held.returncode == 1 and "is locked by" in held.stderr
    with Archive.open(tmp_path / "snapshots", lock=False, readonly=True) as archive:
        assert all(p.retired_at is None for p in archive.pages())


# --- 4. check-now --json says what failed -----------------------------------------------------


def test_check_now_json_lists_failures(site: LocalSite, tmp_path: Path) -> None:
    site["/fm.html"] = mofa()
    site["/down.html"] = Page("down", status=500)
    write_config(
        tmp_path, [site_source(site), site_source(site, "/down.html", "down", profile="state")]
    )
    first = monitor(tmp_path, "check-now", "--json", "--no-email")
    out = json.loads(first.stdout)
    assert first.returncode == 1
    assert list(out)[:6] == [
        "started_at",
        "finished_at",
        "sources_checked",
        "pages_checked",
        "report",
        "events",
    ]
    (failure,) = out["failures"]
    assert failure == {
        "source": "down",
        "url": site.url("/down.html"),
        "error": failure["error"],
        "since": failure["since"],
    }
    assert out["started_at"] <= failure["since"] <= out["finished_at"]
    assert "HTTP 500" in failure["error"] and failure["since"].endswith("Z")
    assert first.stderr.strip() == f"failed: down: {failure['error']}"

    second = json.loads(monitor(tmp_path, "check-now", "--json", "--no-email").stdout)
    assert second["failures"][0]["since"] == failure["since"]  # the streak's first failure
    site["/down.html"] = readout("Readout.")
    fine = monitor(tmp_path, "check-now", "--json", "--no-email")
    assert fine.returncode == 0 and json.loads(fine.stdout)["failures"] == []
    assert fine.stderr == ""
