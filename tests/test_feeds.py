"""Feeds: items are pages of their own, known by their guid, recorded so that no kill loses an
edit; only http(s) items, no DTD, at most `max_pages` pages per source."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest

from monitor.errors import ContentError
from monitor.normalise import feeds
from monitor.testing.localsite import LocalSite, Page
from tests.conftest import monitor, of_type, types
from tests.support import RSS, make_config, site_source, write_config

FEED_URL = "https://www.state.gov/rss-feed/press-releases/feed/"


@dataclass(frozen=True)
class Item:
    link: str
    title: str
    paras: tuple[str, ...] = ("The Deputy Secretary spoke with a partner.",)
    guid: str | None = None
    date: str = "Mon, 02 Mar 2026 10:00:00 +0000"


def rss(items: list[Item], *, head: str = "", nonce: int = 0) -> str:
    """A State-like RSS feed; `head` goes between the XML declaration and <rss>."""
    out = []
    for it in items:
        guid = f'<guid isPermaLink="false">{it.guid}</guid>' if it.guid else ""
        body = "".join(f"<p>{p}</p>" for p in it.paras)
        out.append(
            f"<item><title>{it.title}</title><link>{escape(it.link)}</link>{guid}"
            f"<pubDate>{it.date}</pubDate><description><![CDATA[{body}]]></description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{head}<rss version="2.0"><channel>'
        f"<title>Press Releases</title><link>https://www.state.gov</link>"
        f"<lastBuildDate>Mon, 02 Mar 2026 10:{nonce:02d}:00 +0000</lastBuildDate>"
        f"{''.join(out)}</channel></rss>"
    )


def serve(site: LocalSite, items: list[Item], nonce: int = 0, **kw: Any) -> None:
    site["/feed/"] = Page(rss(items, nonce=nonce, **kw), content_type=RSS)


def feed_source(site: LocalSite, **extra: Any) -> dict[str, Any]:
    return site_source(site, "/feed/", "press", profile="state", kind="feed", **extra)


def item_pages(tmp_path: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(tmp_path / "snapshots" / "index.sqlite") as db:
        rows = db.execute("SELECT url, guid FROM pages WHERE role='item' ORDER BY id").fetchall()
    db.close()
    return [(r[0], r[1]) for r in rows]


# --- 5. an item's edit survives a kill between the items and the feed -------------------------


def check_now(tmp_path: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    proc = monitor(tmp_path, "check-now", "--json", "--no-email", env=env)
    if env:
        assert proc.returncode == -9 and proc.stdout == "", proc.stderr
        return {}
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.mark.parametrize("point", ["after-commit:1", "after-commit:2"])
def test_an_item_edit_survives_a_kill_after_the_feeds_commit(
    site: LocalSite, tmp_path: Path, point: str
) -> None:
    """Killed right after the feed's own commit (the first commit of the run on the old code,
    the second on the new) or between: the edit of a known item is reported exactly once, even
    once the item has left the feed."""
    one = Item(site.url("/a/"), "Call with a Partner", ("The Deputy spoke with a partner.",))
    two = Item(site.url("/b/"), "Japan National Day", ("We congratulate Japan.",))
    serve(site, [one, two])
    write_config(tmp_path, [feed_source(site)])
    assert [e["type"] for e in check_now(tmp_path)["events"]] == ["baseline"]
    edited = Item(one.link, "Call with a Close Partner", ("The Deputy spoke with a close ally.",))
    serve(site, [edited, two], nonce=1)
    check_now(tmp_path, env={"MONITOR_CRASHPOINT": point})
    assert monitor(tmp_path, "verify").returncode == 0
    after = check_now(tmp_path)["events"]
    serve(site, [two], nonce=2)  # the edited item leaves the feed
    later = check_now(tmp_path)["events"]
    changed = [e for e in after + later if e["type"] == "page_changed"]
    assert [(e["url"], e["title"]) for e in changed] == [(one.link, edited.title)]
    reports = [p.read_text() for p in (tmp_path / "reports").glob("run-*.txt")]
    assert sum(r.count("close ally") for r in reports) == 1


# --- 11. max_pages holds for feeds; what was left out is said -----------------------------------


def dated(n: int) -> Item:
    return Item(
        f"https://www.state.gov/r{n:02d}/",
        f"Release {n}",
        (f"Release number {n} of the day.",),
        date=f"Mon, 02 Mar 2026 {n:02d}:00:00 +0000",
    )


def test_max_pages_holds_for_a_feed_and_the_rest_is_said(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    serve(site, [dated(n) for n in range(20)])  # oldest first
    run = runner(make_config(tmp_path, [feed_source(site, max_pages=6)]))
    first = run()
    assert of_type(first, "baseline")[0]["pages"] == 6  # the feed and its five newest items
    assert [u for u, _ in item_pages(tmp_path)] == [dated(n).link for n in range(15, 20)]
    out = first.to_json()["left_out"]
    assert [(x["source"], x["max_pages"], x["kept"], x["count"]) for x in out] == [
        ("press", 6, "newest", 15)
    ]
    assert out[0]["urls"][0] == dated(0).link
    text = Path(first.report or "").with_suffix(".txt").read_text(encoding="utf-8")
    assert "LEFT OUT (max_pages)" in text and "press: 15 new page(s) not archived" in text
    serve(site, [dated(n) for n in range(25)], nonce=1)  # five more: still over the limit
    second = run()
    assert types(second) == [] and len(item_pages(tmp_path)) == 5
    assert second.to_json()["left_out"][0]["count"] == 20
    html = Path(second.report or "").read_text(encoding="utf-8")
    assert "Left out (max_pages)" in html and "20 new page(s)" in html


def test_a_listing_says_what_max_pages_left_out(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    from monitor.demo import pages as P

    links = [(f"/p{i}.html", f"Record {i}") for i in range(5)]
    site["/index.html"] = P.mofa_listing("Records", [("March", links)])
    for i in range(5):
        site[f"/p{i}.html"] = P.mofa_page(f"Record {i}", "March 2, 2026", [f"Text {i}."])
    source = site_source(site, "/index.html", "l", kind="listing", max_pages=3)
    report = runner(make_config(tmp_path, [source]))()
    assert report.left_out[0].urls == tuple(site.url(f"/p{i}.html") for i in (2, 3, 4))
    assert report.to_json()["left_out"][0]["kept"] == "first"


def test_nothing_left_out_keeps_the_json_contract(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    serve(site, [dated(1)])
    report = runner(make_config(tmp_path, [feed_source(site)]))()
    assert "left_out" not in report.to_json()


def test_newest_first_keeps_feed_order_for_ties_and_undated_items() -> None:
    _, items = feeds.parse_feed(
        rss(
            [
                Item("https://x.org/a", "a", date=""),
                dated(3),
                Item("https://x.org/b", "b", date="2026-03-02T12:00:00+09:00"),  # 03:00 UTC
                dated(4),
                Item("https://x.org/c", "c", date=""),
            ]
        ),
        FEED_URL,
    )
    assert [i.title for i in feeds.newest_first(items)] == ["Release 4", "Release 3", "b", "a", "c"]


# --- 14. only http(s) items become pages ---------------------------------------------------------


HOSTILE = ["javascript:alert(document.cookie)", "file:///etc/passwd", "data:text/html,<b>x</b>"]


def test_only_http_items_become_pages(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    good = Item("https://www.state.gov/a/", "Call with a Partner")
    serve(site, [good])
    run = runner(make_config(tmp_path, [feed_source(site)]))
    run()
    new = Item("https://www.state.gov/b/", "Japan National Day", ("We congratulate Japan.",))
    bad = [Item(link, f"Hostile {n}", ("Hostile text.",)) for n, link in enumerate(HOSTILE)]
    serve(site, [*bad, new, good], nonce=1)
    report = run()
    assert [(e["type"], e["url"]) for e in of_type(report, "page_added")] == [
        ("page_added", new.link)
    ]
    assert [u for u, _ in item_pages(tmp_path)] == [good.link, new.link]


def test_parse_feed_drops_items_that_are_not_web_links() -> None:
    entries = "".join(
        f"<entry><id>urn:x:{n}</id><title>t{n}</title><link href={quoteattr(link)}/></entry>"
        for n, link in enumerate([*HOSTILE, "/relative/", "http:///nohost"])
    )
    atom = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>{entries}</feed>'
    _, items = feeds.parse_feed(atom, FEED_URL)
    assert [(i.url, i.guid) for i in items] == [("https://www.state.gov/relative/", "urn:x:3")]
    _, items = feeds.parse_feed(rss([Item(link, "t") for link in HOSTILE]), FEED_URL)
    assert items == []


# --- 15. no DTD, no entities, wherever they are declared ---------------------------------------


PADDED = "<!--" + " padding " * 1000 + "-->"  # past the old 500/5,000-character guard
ENTITY = '<!DOCTYPE rss [<!ENTITY big "EXPANDED-ENTITY-TEXT">]>'


@pytest.mark.parametrize(
    "head", [PADDED + ENTITY, ENTITY, "<!DOCTYPE rss>", PADDED + '<!DOCTYPE rss SYSTEM "x.dtd">']
)
def test_a_feed_with_a_dtd_is_refused_in_one_line(head: str) -> None:
    text = rss([Item("https://www.state.gov/a/", "&big;" if "big" in head else "t")], head=head)
    with pytest.raises(ContentError) as caught:
        feeds.parse_feed(text, FEED_URL)
    message = str(caught.value)
    assert message.startswith(FEED_URL + ": ") and "\n" not in message
    assert "DTD" in message and "EXPANDED" not in message


def test_entities_never_reach_the_archive(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    serve(site, [Item("https://www.state.gov/a/", "Title &big;")], head=PADDED + ENTITY)
    report = runner(make_config(tmp_path, [feed_source(site)]))()
    assert [(s, e.split(": ", 1)[1]) for s, e in report.failures] == [
        ("press", "feed declares a DTD or XML entities; refused")
    ]
    assert item_pages(tmp_path) == []
    blobs = tmp_path / "snapshots" / "blobs"
    assert not any(b"EXPANDED" in p.read_bytes() for p in blobs.rglob("*") if p.is_file())


# --- 20. an item is known by its guid; a changed link is a change of that item ------------------


MEETING = (
    "Secretary of State Marco Rubio met today with Japanese Foreign Minister Motegi in Tokyo.",
)


def test_a_changed_link_under_the_same_guid_is_a_change(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    guid = "https://www.state.gov/?p=247220"
    title = "Secretary Rubio's Meeting with Japanese Foreign Minister Motegi"
    old = Item("https://www.state.gov/availability-18/", title, MEETING, guid)
    serve(site, [old])
    run = runner(make_config(tmp_path, [feed_source(site)]))
    assert types(run()) == ["baseline"]
    new = Item("https://www.state.gov/availability-19/", title + " in Tokyo", MEETING, guid)
    serve(site, [new], nonce=1)
    report = run()
    assert types(report) == ["page_changed"]
    assert of_type(report, "page_changed")[0]["url"] == new.link
    assert item_pages(tmp_path) == [(new.link, guid)]
    with sqlite3.connect(tmp_path / "snapshots" / "index.sqlite") as db:
        sources = db.execute("SELECT url FROM meeting_sources").fetchall()
        urls = db.execute(
            "SELECT final_url FROM versions v JOIN pages p ON p.id=v.page_id "
            "WHERE p.role='item' ORDER BY v.seq"
        ).fetchall()
    db.close()
    assert sources == [(new.link,)]  # the meeting's source moved with its item
    assert urls == [(old.link,), (new.link,)]  # each version keeps the link it had
    serve(site, [Item(old.link.replace("18", "20"), new.title, MEETING, guid)], nonce=2)
    assert run().events == ()  # a link change alone: the item moves, nothing to tell


def test_items_stored_by_url_in_an_older_archive_are_adopted(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    guid = "https://www.state.gov/?p=1"
    item = Item("https://www.state.gov/a-18/", "Call with a Partner", guid=guid)
    serve(site, [item])
    run = runner(make_config(tmp_path, [feed_source(site)]))
    run()
    with sqlite3.connect(tmp_path / "snapshots" / "index.sqlite") as db:
        db.execute("ALTER TABLE pages DROP COLUMN guid")  # as archived before guids were kept
    db.close()
    serve(site, [Item(item.link, "Call with a Close Partner", guid=guid)], nonce=1)
    assert types(run()) == ["page_changed"]
    assert item_pages(tmp_path) == [(item.link, guid)]
    serve(site, [Item("https://www.state.gov/a-19/", "A Call with a Partner", guid=guid)], nonce=2)
    report = run()
    assert types(report) == ["page_changed"]
    assert item_pages(tmp_path) == [("https://www.state.gov/a-19/", guid)]


def test_a_guid_given_twice_identifies_neither(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    a = Item("https://www.state.gov/a/", "A", ("Text A.",), "same")
    b = Item("https://www.state.gov/b/", "B", ("Text B.",), "same")
    serve(site, [a, b])
    run = runner(make_config(tmp_path, [feed_source(site)]))
    run()
    assert item_pages(tmp_path) == [(a.link, None), (b.link, None)]
    serve(site, [b, a], nonce=1)
    assert run().events == ()


def test_an_atom_entry_is_known_by_its_alternate_link_and_id() -> None:
    entry = (
        "<entry><id> tag:state.gov,2026:1 </id><title>A</title>"
        '<link rel="self" href="https://www.state.gov/feed/1.xml"/>'
        '<link rel="alternate" href="https://www.state.gov/a/"/></entry>'
    )
    atom = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>{entry}</feed>'
    _, items = feeds.parse_feed(atom, FEED_URL)
    assert [(i.url, i.guid) for i in items] == [
        ("https://www.state.gov/a/", "tag:state.gov,2026:1")
    ]
