"""Sources from the command line: `sources`, `add` and `remove` edit config.yaml in place with
its comments kept and nothing written when the result would be invalid; `preview` shows what
a source would keep without touching the archive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from monitor.demo import pages as P
from monitor.testing.localsite import LocalSite
from tests.support import MEETING, RSS, TITLE, mofa, site_source, write_config

COMMENTED = """\
# Japan-U.S. meetings: the sources we read every morning
sources:
  # MOFA first: it publishes within the hour
  - id: mofa-fm   # the foreign ministers' page
    url: "{url}"
    profile: mofa

archive:
  dir: snapshots  # beside this file
"""


def monitor(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # the environment as os.environ has it: readline, once imported in this process, puts
    # COLUMNS=80 in the C-level environment a child would otherwise inherit (tables fit it)
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_add_and_remove_keep_the_files_comments_and_validate_first(
    site: LocalSite, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(COMMENTED.format(url=site.url("/fm.html")))
    added = monitor(tmp_path, "add", site.url("/news/feed.xml"), "--kind", "feed")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == (
        "added source 127-0-0-1-news-feed-xml (feed, profile generic): "
        + site.url("/news/feed.xml")
    )
    text = config.read_text()
    for comment in ("# Japan-U.S. meetings", "# MOFA first", "# the foreign ministers' page"):
        assert comment in text
    assert "dir: snapshots  # beside this file" in text
    # a second add of the same URL, an invalid one, or a taken id: refused, the file untouched
    before = config.read_bytes()
    again = monitor(tmp_path, "add", site.url("/news/feed.xml"))
    assert again.returncode == 2 and "already watched" in again.stderr
    bad = monitor(tmp_path, "add", "ftp://example.org/x", "--id", "x")
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "monitor: config.yaml: sources[2].url: 'ftp://example.org/x' is not an http(s) URL"
    )
    taken = monitor(tmp_path, "add", site.url("/other.html"), "--id", "mofa-fm")
    assert taken.returncode == 2 and "'mofa-fm' exists already" in taken.stderr
    assert config.read_bytes() == before
    removed = monitor(tmp_path, "remove", "mofa-fm")
    assert removed.returncode == 0, removed.stderr
    assert [s["id"] for s in json.loads(monitor(tmp_path, "sources", "--json").stdout)] == [
        "127-0-0-1-news-feed-xml"
    ]
    assert "# Japan-U.S. meetings" in config.read_text()
    last = monitor(tmp_path, "remove", "127-0-0-1-news-feed-xml")
    assert last.returncode == 2 and "the only source" in last.stderr


def test_sources_lists_state_after_a_check(site: LocalSite, tmp_path: Path) -> None:
    site["/fm.html"] = mofa()
    site["/down.html"] = P.mofa_page("x", "March 2, 2026", ["x"])
    site.pages["/down.html"].status = 503
    write_config(
        tmp_path,
        [site_source(site), site_source(site, "/down.html", "down")],
        timezone="Asia/Tokyo",
    )
    monitor(tmp_path, "check-now", "--no-email", "--json")
    states = json.loads(monitor(tmp_path, "sources", "--json").stdout)
    by_id = {s["id"]: s for s in states}
    assert by_id["mofa-fm"]["status"] == "ok" and by_id["mofa-fm"]["profile"] == "mofa"
    assert by_id["down"]["status"] == "failing (1 page(s))"
    assert by_id["mofa-fm"]["last_check"].endswith("Z") and by_id["mofa-fm"]["schedule"] == "6h"
    assert by_id["mofa-fm"]["next_run"] > by_id["mofa-fm"]["last_check"]
    table = monitor(tmp_path, "sources")
    assert table.returncode == 0 and "JST" in table.stdout  # times in the configured zone


def test_preview_shows_text_meeting_links_and_items_and_archives_nothing(
    site: LocalSite, tmp_path: Path
) -> None:
    site["/fm.html"] = mofa()
    site["/list.html"] = P.mofa_listing(
        "Japan-U.S. Relations",
        [("March", [("/fm.html", TITLE), ("http://elsewhere.test/x", "Out")])],
    )
    site["/feed.xml"] = site_feed = P.state_feed(
        [(site.url("/fm.html"), TITLE, "Mon, 02 Mar 2026 10:00:00 +0000", [MEETING])]
    )
    assert site_feed
    site["/feed.xml"].content_type = RSS
    shown = monitor(tmp_path, "preview", site.url("/fm.html"), "--profile", "mofa", "--json")
    page = json.loads(shown.stdout)
    assert page["kind"] == "page" and page["title"] == TITLE
    assert any(MEETING[:40] in block["text"] for block in page["text"])
    assert (
        page["meeting"]["kind"] == "foreign-ministers" and page["meeting"]["date"] == "2026-03-02"
    )
    listing = monitor(tmp_path, "preview", site.url("/list.html"), "--kind", "listing")
    assert listing.returncode == 0, listing.stderr
    assert f"+ {TITLE} <{site.url('/fm.html')}>" in listing.stdout
    assert "- Out <http://elsewhere.test/x>" in listing.stdout  # another host: not followed
    read = monitor(tmp_path, "preview", site.url("/feed.xml"), "--profile", "state", "--json")
    feed = json.loads(read.stdout)
    assert feed["kind"] == "feed" and [i["url"] for i in feed["links"]] == [site.url("/fm.html")]
    assert feed["meeting"]["date"] == "2026-03-02"
    assert not (tmp_path / "snapshots").exists()
    missing = monitor(tmp_path, "preview", site.url("/nothing.html"))
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"monitor: {site.url('/nothing.html')}: HTTP 404"

    # a URL the config names: previewed with that source's profile and kind, unless told
    write_config(tmp_path, [site_source(site, "/list.html", "list", kind="listing")])
    configured = json.loads(monitor(tmp_path, "preview", site.url("/list.html"), "--json").stdout)
    assert (configured["kind"], configured["profile"]) == ("listing", "mofa")
    write_config(tmp_path, [site_source(site)])
    configured = json.loads(monitor(tmp_path, "preview", site.url("/fm.html"), "--json").stdout)
    assert configured["profile"] == "mofa" and configured["meeting"]["date"] == "2026-03-02"
