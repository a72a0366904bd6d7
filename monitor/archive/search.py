"""Full-text search of the archive: every version's text (its title and blocks) and every meeting
(title, participants, place), in SQLite FTS5 with the trigram tokenizer, so that Japanese, which
has no spaces between words, is searchable as English is. A query's words (or "quoted phrases")
are substrings to find, case aside: one of three characters or more is looked up in the index;
a shorter one (会談, "US") is read row by row in the same table. Hits come back with a snippet as
segments of plain text, each marked as a hit or not: the caller escapes them itself (no HTML is
ever made here).

A version is indexed in the transaction that adds it (`add`); an archive written before search
existed is indexed when a writer next opens it (`catch_up`). Meetings are kept indexed by
triggers, whatever writes them. A reader never indexes: `coverage` says how much is searchable."""

from __future__ import annotations

import logging
import re
import sqlite3
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from monitor.errors import ArchiveError
from monitor.models import Document, instant

if TYPE_CHECKING:
    from monitor.archive.db import Index
    from monitor.archive.index import Archive

log = logging.getLogger(__name__)

# the text a meeting is found by: "title · participants · location"
MEETING_TEXT = (
    "{m}title || COALESCE(' · ' || (SELECT group_concat(value, ', ') FROM "
    "json_each({m}participants)), '') || COALESCE(' · ' || {m}location, '')"
)
# one indexed column each, no positions and no lengths kept (detail=none, columnsize=0; no
# ranking needs them): about a third of the size, and half the work to write, of FTS5's
# defaults; a word is then found with LIKE, which the trigram index serves
SCHEMA = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS search_versions USING fts5(
    title UNINDEXED, text, tokenize='trigram', detail=none, columnsize=0);
CREATE VIRTUAL TABLE IF NOT EXISTS search_meetings USING fts5(
    meeting_id UNINDEXED, text, tokenize='trigram', detail=none, columnsize=0);
CREATE TRIGGER IF NOT EXISTS search_version_gone AFTER DELETE ON versions BEGIN
    DELETE FROM search_versions WHERE rowid = old.id;
END;
CREATE TRIGGER IF NOT EXISTS search_meeting_added AFTER INSERT ON meetings BEGIN
    INSERT INTO search_meetings (rowid, meeting_id, text)
    VALUES (new.rowid, new.id, {MEETING_TEXT.format(m="new.")});
END;
CREATE TRIGGER IF NOT EXISTS search_meeting_changed AFTER UPDATE ON meetings BEGIN
    DELETE FROM search_meetings WHERE rowid = old.rowid;
    INSERT INTO search_meetings (rowid, meeting_id, text)
    VALUES (new.rowid, new.id, {MEETING_TEXT.format(m="new.")});
END;
CREATE TRIGGER IF NOT EXISTS search_meeting_gone AFTER DELETE ON meetings BEGIN
    DELETE FROM search_meetings WHERE rowid = old.rowid;
END;
"""
MEETINGS_INDEXED = (
    "INSERT INTO search_meetings (rowid, meeting_id, text) "
    f"SELECT rowid, id, {MEETING_TEXT.format(m='')} FROM meetings"
)
BATCH = 200  # versions indexed per transaction when catching up
SNIPPET = 80  # characters of context either side of the first hit
TRIGRAM = 3  # the shortest word the index can look up; shorter ones are read row by row

Segments = tuple[tuple[str, bool], ...]  # a snippet: (text, is_hit) runs, plain text
Match = tuple[int, int, int, str]  # a version holding a query: id, page id, seq, fetched_at
# per open index: the versions matching its latest queries, and the state they were read in
_MEMO: weakref.WeakKeyDictionary[Index, tuple[tuple[int, int], dict[tuple[str, ...], list[Match]]]]
_MEMO = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Hit:
    """A version whose text holds the query (in `search`: the newest such version of its page),
    with how many of the page's versions hold it and whether it is the page's latest."""

    page_id: int
    url: str
    source_id: str
    role: str  # page, listing, feed or item
    title: str  # the version's title
    seq: int
    version_id: int
    fetched_at: datetime
    snippet: Segments
    versions: int = 1
    latest: bool = True


@dataclass(frozen=True)
class MeetingHit:
    meeting_id: str
    date: str
    kind: str
    title: str
    snippet: Segments  # over "title · participants · location"


@dataclass(frozen=True)
class Counts:
    pages: int  # pages with a version holding the query (what `search` lists)
    versions: int  # versions holding it
    meetings: int


@dataclass(frozen=True)
class Coverage:
    """How much of the archive is searchable: an archive written before search existed is
    indexed when a writer next opens it; a reader sees it as it is."""

    versions: int
    indexed: int

    @property
    def complete(self) -> bool:
        return self.indexed >= self.versions


# --- writing ------------------------------------------------------------------------------------


def create(db: sqlite3.Connection) -> None:
    """The search tables and the triggers that keep meetings indexed (a writer's open)."""
    db.executescript(SCHEMA)


def add(index: Index, version_id: int, doc: Document) -> None:
    """Index a version's document (inside the transaction that adds the version)."""
    index.execute(
        "INSERT INTO search_versions (rowid, title, text) VALUES (?, ?, ?)",
        (version_id, doc.title, f"{doc.title}\n{doc.text}"),
    )


def bring_up_to_date(archive: Archive) -> None:
    """`catch_up` as a writer opens the archive: a failure is logged, never fatal (what it
    could not index is indexed next time)."""
    try:
        catch_up(archive)
    except ArchiveError as exc:
        log.warning("search: the index could not be brought up to date: %s", exc)


def catch_up(archive: Archive, batch: int = BATCH) -> int:
    """Index what the index lacks: versions archived before search existed, and meetings if the
    meeting index disagrees with them. Batches of `batch` versions, each read first and written
    in one short transaction. Returns how many versions were indexed. A version whose document
    cannot be read is left out (`monitor verify` names it) and tried again next time. A reader
    indexes nothing."""
    if archive.readonly:
        return 0
    meetings = archive.index.execute("SELECT COUNT(*) FROM meetings").fetchone()[0]
    indexed = archive.index.execute("SELECT COUNT(*) FROM search_meetings").fetchone()[0]
    if meetings != indexed:  # no write at all when there is nothing to do
        with archive.transaction():
            archive.index.execute("DELETE FROM search_meetings")
            archive.index.execute(MEETINGS_INDEXED)
    missing = [
        r[0]
        for r in archive.index.execute(
            "SELECT id FROM versions v WHERE NOT EXISTS "
            "(SELECT 1 FROM search_versions s WHERE s.rowid = v.id) ORDER BY id"
        )
    ]
    if not missing:
        return 0
    log.info("search: indexing %d archived version(s) not yet searchable", len(missing))
    done = unreadable = 0
    for start in range(0, len(missing), batch):
        docs = []
        for version_id in missing[start : start + batch]:
            version = archive.version_by_id(version_id)
            try:
                if version is not None:
                    docs.append((version_id, archive.document(version)))
            except ArchiveError:
                unreadable += 1
        with archive.transaction():
            for version_id, doc in docs:
                add(archive.index, version_id, doc)
        done += len(docs)
    if unreadable:
        log.warning("search: %d version(s) could not be read, not indexed", unreadable)
    return done


# --- reading ------------------------------------------------------------------------------------


def coverage(archive: Archive) -> Coverage:
    versions = archive.index.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
    if not _has_index(archive):
        return Coverage(versions, 0)
    indexed = archive.index.execute(
        "SELECT COUNT(*) FROM versions v WHERE EXISTS "
        "(SELECT 1 FROM search_versions s WHERE s.rowid = v.id)"
    ).fetchone()[0]
    return Coverage(versions, indexed)


def search(archive: Archive, q: str, limit: int = 50, offset: int = 0) -> list[Hit]:
    """Pages whose text holds every word of `q` (a "quoted phrase" as written), newest first:
    for each, its newest version that holds it."""
    words = terms(q)
    pages: dict[int, list[Match]] = {}
    for match in _matches(archive, words):
        pages.setdefault(match[1], []).append(match)
    newest = [(max(found, key=lambda m: m[2]), len(found)) for found in pages.values()]
    newest.sort(key=lambda t: (t[0][3], t[0][0]), reverse=True)
    return [_hit(archive, m, n, words) for m, n in newest[max(0, offset) :][: max(0, limit)]]


def count(archive: Archive, q: str) -> Counts:
    words = terms(q)
    found = _matches(archive, words)
    meetings = 0
    if words and _has_index(archive):
        where, args = _where(words)
        meetings = archive.index.execute(
            f"SELECT COUNT(*) FROM search_meetings WHERE {where}", tuple(args)
        ).fetchone()[0]
    return Counts(len({m[1] for m in found}), len(found), meetings)


def first_last_seen(archive: Archive, phrase: str) -> tuple[Hit | None, Hit | None]:
    """The oldest and the newest version, of any page, whose text holds `phrase` as written
    (case aside). The newest one's `latest` tells whether its page still says it."""
    words = [phrase.strip()] if phrase.strip() else []
    found = _matches(archive, words)
    if not found:
        return None, None
    first, last = (_hit(archive, m, sum(f[1] == m[1] for f in found), words) for m in _ends(found))
    return first, last


def search_meetings(archive: Archive, q: str, limit: int = 50, offset: int = 0) -> list[MeetingHit]:
    """Meetings whose title, participants or place hold every word of `q`, newest first."""
    words = terms(q)
    if not words or not _has_index(archive):
        return []
    where, args = _where(words)
    rows = archive.index.execute(
        "SELECT m.id, m.date, m.kind, m.title, s.text "
        "FROM search_meetings s JOIN meetings m ON m.id = s.meeting_id "
        f"WHERE s.rowid IN (SELECT rowid FROM search_meetings WHERE {where}) "
        "ORDER BY m.date DESC, m.id LIMIT ? OFFSET ?",
        (*args, max(0, limit), max(0, offset)),
    ).fetchall()
    return [
        MeetingHit(
            r["id"],
            r["date"],
            r["kind"],
            r["title"],
            snippet(r["text"], words),
        )
        for r in rows
    ]


# --- queries and snippets -----------------------------------------------------------------------


def _matches(archive: Archive, words: list[str]) -> list[Match]:
    """Every version holding all `words`, read once for a query and a state of the index: the
    search page asks for the hits, their counts, and first and last seen."""
    if not words or not _has_index(archive):
        return []
    state = (archive.index.execute("PRAGMA data_version").fetchone()[0], archive.db.total_changes)
    known = _MEMO.get(archive.index)
    if known is None or known[0] != state:
        known = _MEMO[archive.index] = (state, {})
    key = tuple(words)
    if key not in known[1]:
        where, args = _where(words)
        rows = archive.index.execute(
            "SELECT id, page_id, seq, fetched_at FROM versions WHERE id IN "
            f"(SELECT rowid FROM search_versions WHERE {where})",
            tuple(args),
        )
        if len(known[1]) >= 8:
            known[1].clear()
        known[1][key] = [(r[0], r[1], r[2], r[3]) for r in rows]
    return known[1][key]


def _ends(found: list[Match]) -> tuple[Match, Match]:
    """The oldest and the newest of `found`."""
    return min(found, key=lambda m: (m[3], m[0])), max(found, key=lambda m: (m[3], m[0]))


def terms(q: str) -> list[str]:
    """The words of a query, a "quoted phrase" kept whole, each once."""
    found = [(a or b).strip() for a, b in re.findall(r'"([^"]*)"|(\S+)', q)]
    return list(dict.fromkeys(t for t in found if t))


def _where(words: list[str]) -> tuple[str, list[str]]:
    """The condition that the `text` column holds every word (case aside, ASCII's): a word of
    three characters or more is looked up in the trigram index; a shorter one, or one with a
    LIKE wildcard in it (escaped), is read row by row (SQLite 3.40's index finds no rows for a
    shorter pattern)."""
    clauses, args = [], []
    for word in words:
        if len(word) >= TRIGRAM and not re.search(r"[\\%_]", word):
            clauses.append("text LIKE ?")
            args.append(f"%{word}%")
        else:
            clauses.append("text LIKE ? ESCAPE '\\'")
            args.append("%" + re.sub(r"([\\%_])", r"\\\1", word) + "%")
    return " AND ".join(clauses), args


def snippet(text: str, words: list[str], width: int = SNIPPET) -> Segments:
    """The text around the first hit of any of `words` (case aside), `width` characters either
    side, as (text, is_hit) runs with every hit in it marked; the text's start when none is
    found."""
    text = " ".join(text.split())
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
    first = pattern.search(text)
    lo = max(0, first.start() - width) if first else 0
    hi = min(len(text), (first.end() if first else lo) + width + (0 if first else width))
    if first and lo > 0 and 0 <= (cut := text.find(" ", lo, first.start())) - lo < 20:
        lo = cut + 1  # start at a word (where words are spaced)
    if hi < len(text) and 0 <= hi - (cut := text.rfind(" ", first.end() if first else 0, hi)) < 20:
        hi = cut  # end at one
    window = text[lo:hi]
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in pattern.finditer(window):
        out.extend([(window[pos : m.start()], False), (m.group(), True)])
        pos = m.end()
    out.append((window[pos:], False))
    if lo > 0:
        out.insert(0, ("…", False))
    if hi < len(text):
        out.append(("…", False))
    return _merged(out)


def _merged(segments: list[tuple[str, bool]]) -> Segments:
    out: list[tuple[str, bool]] = []
    for text, hit in segments:
        if not text:
            continue
        if out and out[-1][1] == hit:
            out[-1] = (out[-1][0] + text, hit)
        else:
            out.append((text, hit))
    return tuple(out)


def _has_index(archive: Archive) -> bool:
    """An archive a writer has opened since search existed has one; a reader may meet one
    that has not."""
    return bool(
        archive.index.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'search_versions'"
        ).fetchone()
    )


def _hit(archive: Archive, match: Match, versions: int, words: list[str]) -> Hit:
    """The hit of a matching version: its page, whether it is the page's newest, a snippet."""
    version_id, page_id, seq, fetched_at = match
    page = archive.index.execute(
        "SELECT url, source_id, role, (SELECT MAX(seq) FROM versions WHERE page_id = p.id) "
        "FROM pages p WHERE id = ?",
        (page_id,),
    ).fetchone()
    title, text = archive.index.execute(
        "SELECT title, text FROM search_versions WHERE rowid = ?", (version_id,)
    ).fetchone()
    body = text[len(title) + 1 :]
    shown = body if re.search("|".join(map(re.escape, words)), body, re.I) else title
    return Hit(
        page_id=page_id,
        url=page[0],
        source_id=page[1],
        role=page[2],
        title=title,
        seq=seq,
        version_id=version_id,
        fetched_at=instant(fetched_at),
        snippet=snippet(shown, words),
        versions=versions,
        latest=seq == page[3],
    )
