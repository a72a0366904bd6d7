"""Full-text search of archives written by real runs on the local site: English and Japanese
(a word of three characters or more through the trigram index, of one or two with LIKE), hits
highlighted as plain-text segments, a phrase's first and last appearance across versions, hostile
text kept as text, an archive written before search existed indexed when a writer opens it, and
search on an archive opened read-only."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.archive import Archive
from monitor.archive import search as S
from monitor.demo import pages as P
from monitor.models import Block
from monitor.testing.localsite import LocalSite
from tests import support
from tests.support import MEETING, make_config, site_source

JA_TITLE = "日米外相会談"
JA_TEXT = "3月2日、茂木外務大臣はルビオ国務長官と会談した。"
SECURITY = "The two ministers confirmed close cooperation on regional security."
SENKAKU = "The two ministers confirmed close cooperation on the Senkaku Islands."


def ja_page() -> str:
    return P.mofa_page(JA_TITLE, "令和8年3月2日", [JA_TEXT], lang="ja")


def archive_of(site: LocalSite, tmp_path: Path, runner, *pages: tuple[str, str, str]) -> Path:  # type: ignore[no-untyped-def]
    """The archive of one run over `pages` (path, source id, profile): its directory."""
    sources = [site_source(site, path, sid, profile=profile) for path, sid, profile in pages]
    runner(make_config(tmp_path, sources))()
    return tmp_path / "snapshots"


def reader(root: Path) -> Archive:
    return Archive.open(root, lock=False, readonly=True)


def text(segments: S.Segments) -> str:
    return "".join(t for t, _ in segments)


def versions(hits: list[S.Hit]) -> list[int]:
    return [h.version_id for h in hits]


def marked(segments: S.Segments) -> list[str]:
    return [t for t, hit in segments if hit]


@pytest.fixture
def bilingual(site: LocalSite, tmp_path: Path, runner) -> Path:  # type: ignore[no-untyped-def]
    site["/fm.html"] = support.mofa()
    site["/ja.html"] = ja_page()
    return archive_of(
        site, tmp_path, runner, ("/fm.html", "mofa-fm", "mofa"), ("/ja.html", "ja", "mofa-ja")
    )


def test_english_hit_highlighted_and_its_meeting(bilingual: Path, site: LocalSite) -> None:
    with reader(bilingual) as archive:
        hits = S.search(archive, "rubio")  # case aside
        assert [(h.url, h.source_id, h.seq, h.versions, h.latest) for h in hits] == [
            (site.url("/fm.html"), "mofa-fm", 1, 1, True)
        ]
        hit = hits[0]
        assert hit.title == support.TITLE and hit.fetched_at.utcoffset() is not None
        assert hit.version_id == archive.version(hit.page_id, 1).id  # type: ignore[union-attr]
        assert marked(hit.snippet) == ["Rubio"]
        assert "Secretary of State Marco Rubio of the United States" in text(hit.snippet)
        assert S.count(archive, "Rubio") == S.Counts(pages=1, versions=1, meetings=1)
        assert versions(S.search(archive, "Rubio Tokyo")) == [hit.version_id]  # every word
        assert versions(S.search(archive, '"Rubio of the United"')) == [hit.version_id]
        assert S.search(archive, '"Tokyo Rubio"') == [] and S.search(archive, "Rubio Osaka") == []
        (meeting,) = S.search_meetings(archive, "rubio")
        assert meeting.meeting_id == "2026-03-02-foreign-ministers" and marked(meeting.snippet)
        people = "Motegi Toshimitsu, Marco Rubio"
        assert text(meeting.snippet) == f"{meeting.title} · {people} · Tokyo"


def test_japanese_hits_long_and_two_characters(bilingual: Path, site: LocalSite) -> None:
    with reader(bilingual) as archive:
        (title_hit,) = S.search(archive, JA_TITLE)  # through the trigram index
        assert title_hit.url == site.url("/ja.html") and title_hit.title == JA_TITLE
        assert marked(title_hit.snippet) == [JA_TITLE]  # found in the title only
        (word,) = S.search(archive, "会談")  # two characters: LIKE on the same table
        assert word.page_id == title_hit.page_id
        assert marked(word.snippet) == ["会談"] and "ルビオ国務長官と会談した" in text(word.snippet)
        assert [h.page_id for h in S.search(archive, "茂木外務大臣")] == [word.page_id]
        assert S.count(archive, "会談 ルビオ").pages == 1  # a short and a long word together
        assert S.search(archive, "会議") == []


def test_first_and_last_seen_across_three_versions(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    run = runner(make_config(tmp_path, [site_source(site)]))
    for nonce, paras in enumerate([(MEETING, support.COOPERATION), (MEETING, SENKAKU)]):
        site["/fm.html"] = support.mofa(paras, nonce=nonce)
        run()
    site["/fm.html"] = support.mofa((MEETING, SECURITY), nonce=5)
    run()
    with reader(tmp_path / "snapshots") as archive:
        seqs = [v.seq for v in archive.versions(1)]
        assert seqs == [1, 2, 3]
        first, last = S.first_last_seen(archive, "confirmed close cooperation")
        assert first is not None and last is not None
        assert (first.seq, last.seq, last.latest, last.versions) == (1, 3, True, 3)
        assert first.fetched_at < last.fetched_at
        first, last = S.first_last_seen(archive, "senkaku islands")  # said once, then dropped
        assert first == last and last is not None and (last.seq, last.latest) == (2, False)
        assert marked(last.snippet) == ["Senkaku Islands"]
        assert S.first_last_seen(archive, "Okinawa") == (None, None)
        (hit,) = S.search(archive, "cooperation")  # one hit per page: its newest version
        assert (hit.seq, hit.versions) == (3, 3)
        assert S.count(archive, "cooperation") == S.Counts(pages=1, versions=3, meetings=0)


HOSTILE = '<script>alert("x")</script> <img src=x onerror=alert(1)> 100%_done & "quoted"'


def test_hostile_text_comes_back_as_plain_text(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = support.mofa((MEETING, HOSTILE))  # escaped in the page: its text is this
    root = archive_of(site, tmp_path, runner, ("/fm.html", "mofa-fm", "mofa"))
    with reader(root) as archive:
        (hit,) = S.search(archive, "script")
        assert HOSTILE in text(hit.snippet)  # as plain text, for the caller to escape
        assert marked(hit.snippet) == ["script", "script"]
        assert versions(S.search(archive, "<img src=x")) == [hit.version_id]
        assert marked(S.search(archive, "%_")[0].snippet) == ["%_"]  # no LIKE wildcards
        assert S.search(archive, "%") and S.search(archive, "z%") == []
        for query in ['"', 'NEAR(" OR *', "AND", "title:x", "'; DROP TABLE versions; --", "  "]:
            S.search(archive, query)  # the query's text is text, never query syntax
            S.first_last_seen(archive, query)
        assert versions(S.search(archive, '"quoted"')) == [hit.version_id]
        assert archive.versions(hit.page_id)


def forget_search(root: Path, keep: int = 0) -> None:
    """Makes the archive as one written before search existed: no search tables (keep=0), or
    all but `keep` versions missing from the index."""
    with sqlite3.connect(root / "index.sqlite") as db:
        if keep:
            db.execute("DELETE FROM search_versions WHERE rowid > ?", (keep,))
            return
        for name in ("search_versions", "search_meetings"):
            db.execute(f"DROP TABLE {name}")
        for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            db.execute(f"DROP TRIGGER {trigger}")
    db.close()


def test_an_archive_written_without_the_index_is_indexed_when_a_writer_opens_it(
    bilingual: Path, caplog: pytest.LogCaptureFixture
) -> None:
    forget_search(bilingual)
    with reader(bilingual) as archive:  # a reader works, and says the index is incomplete
        assert S.coverage(archive) == S.Coverage(versions=2, indexed=0)
        assert not S.coverage(archive).complete
        assert S.search(archive, "Rubio") == [] and S.search_meetings(archive, "Rubio") == []
    with caplog.at_level(logging.INFO, logger="monitor.archive.search"):
        Archive.open(bilingual, lock=True).close()
        Archive.open(bilingual, lock=True).close()  # nothing left: nothing said
    said = [r.getMessage() for r in caplog.records if r.name == "monitor.archive.search"]
    assert said == ["search: indexing 2 archived version(s) not yet searchable"]
    with reader(bilingual) as archive:
        assert S.coverage(archive).complete
        assert [h.seq for h in S.search(archive, "Rubio")] == [1]
        assert len(S.search(archive, "会談")) == 1
        assert [m.meeting_id for m in S.search_meetings(archive, "Motegi")] == [
            "2026-03-02-foreign-ministers"
        ]


def test_catch_up_in_batches_and_at_the_next_run(site: LocalSite, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    pages = [(f"/p{i}.html", f"p{i}", "mofa") for i in range(5)]
    for path, _, _ in pages:
        site[path] = support.mofa()
    root = archive_of(site, tmp_path, runner, *pages)
    forget_search(root, keep=1)
    with Archive.open(root, lock=False) as archive:
        assert S.coverage(archive) == S.Coverage(versions=5, indexed=1)
        assert S.catch_up(archive, batch=2) == 4
        assert S.coverage(archive).complete and S.catch_up(archive) == 0
        assert S.count(archive, "Rubio").pages == 5
        every = versions(S.search(archive, "Rubio"))
        assert every == sorted(every, reverse=True)  # newest first (all fetched at once here)
        assert versions(S.search(archive, "Rubio", limit=2, offset=3)) == every[3:5]
    forget_search(root, keep=2)
    runner(make_config(tmp_path, [site_source(site, p, s, profile=f) for p, s, f in pages]))()
    with reader(root) as archive:
        assert S.coverage(archive).complete and S.count(archive, "Rubio").pages == 5


def test_a_new_version_is_searchable_once_written_and_meetings_follow_their_rows(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = support.mofa()
    run = runner(make_config(tmp_path, [site_source(site)]))
    run()
    site["/fm.html"] = support.mofa((MEETING, SENKAKU), nonce=1)
    run()
    root = tmp_path / "snapshots"
    with Archive.open(root, lock=False) as archive, reader(root) as watching:
        assert [h.seq for h in S.search(archive, "Senkaku")] == [2]
        assert [h.seq for h in S.search(watching, "Senkaku")] == [2]
        latest = archive.latest_version(1)
        assert latest is not None
        doc = archive.document(latest)
        with archive.transaction():  # written here: searchable at once, here and elsewhere
            archive.add_version(
                1,
                fetched_at=latest.fetched_at + timedelta(hours=1),
                raw=b"<p>again</p>",
                doc=replace(doc, blocks=(*doc.blocks, Block("paragraph", "Senkaku, again."))),
                rules=latest.rules,
                status=200,
                content_type="text/html",
                final_url=None,
                headers={},
            )
        assert [(h.seq, h.versions) for h in S.search(archive, "Senkaku")] == [(3, 2)]
        assert [(h.seq, h.versions) for h in S.search(watching, "Senkaku")] == [(3, 2)]
        assert S.count(watching, "again").versions == 1
        with archive.transaction():
            archive.db.execute("UPDATE meetings SET location = 'Yokohama'")
        assert S.search_meetings(archive, "Tokyo") == []
        assert len(S.search_meetings(archive, "Yokohama")) == 1
        with archive.transaction():
            archive.db.execute("DELETE FROM meeting_sources")
            archive.db.execute("DELETE FROM meetings")
        assert S.search_meetings(archive, "Yokohama") == []


def files(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def test_search_on_an_archive_opened_read_only_writes_nothing(bilingual: Path) -> None:
    before = files(bilingual)
    with reader(bilingual) as archive:
        assert archive.readonly and S.coverage(archive).complete
        assert S.catch_up(archive) == 0  # a reader never indexes
        assert len(S.search(archive, "会談")) == 1 and len(S.search(archive, "Rubio")) == 1
        assert S.first_last_seen(archive, "Rubio")[0] is not None
    assert files(bilingual) == before
