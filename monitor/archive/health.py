"""The archive's current health, as every report and the index show it: the pages failing now
(since the first failed check of their current streak, with the last error), those that
recovered in a run, and the pages retired (removed or forgotten by hand)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from monitor.archive.db import Index
from monitor.archive.schema import stamp
from monitor.models import instant


@dataclass(frozen=True)
class Failing:
    """A page whose latest check failed."""

    source: str
    url: str
    title: str | None
    since: datetime  # the first failed check of the current streak
    error: str
    failures: int  # checks failed in a row


@dataclass(frozen=True)
class Recovered:
    """A page that works again after an alert about it (`source_recovered` in the run)."""

    source: str
    url: str
    at: datetime


@dataclass(frozen=True)
class Retired:
    """A page removed (404/410, told as `page_removed`) or forgotten: no longer checked."""

    source: str
    url: str
    title: str | None
    at: datetime
    error: str | None  # why: the last error (None when forgotten by hand)


@dataclass(frozen=True)
class Health:
    failing: tuple[Failing, ...] = ()
    recovered: tuple[Recovered, ...] = ()
    retired: tuple[Retired, ...] = ()

    @property
    def failing_sources(self) -> tuple[str, ...]:
        """The sources with a failing page, each once, in order."""
        return tuple(dict.fromkeys(f.source for f in self.failing))

    def __bool__(self) -> bool:
        return bool(self.failing or self.recovered or self.retired)


def _since(index: Index, page_id: int) -> datetime | None:
    """The first failed check after the page's last check that did not fail."""
    row = index.execute(
        "SELECT MIN(at) FROM checks WHERE page_id=? AND outcome='failed' AND at > COALESCE("
        "(SELECT MAX(at) FROM checks WHERE page_id=? AND outcome != 'failed'), '')",
        (page_id, page_id),
    ).fetchone()
    return instant(row[0]) if row and row[0] else None


def health(
    index: Index, run_id: int | None = None, sources: Collection[str] | None = None
) -> Health:
    """The pages failing now and retired (of `sources`, when given: pages of a source no longer
    configured are checked no more), and those that recovered in run `run_id`."""

    def wanted(source: str) -> bool:
        return sources is None or source in sources

    failing = []
    for r in index.execute(
        "SELECT id, source_id, url, title, failures, last_error, last_checked, first_seen "
        "FROM pages WHERE failures > 0 AND retired_at IS NULL ORDER BY source_id, id"
    ).fetchall():
        if not wanted(r["source_id"]):
            continue
        since = _since(index, r["id"]) or instant(r["last_checked"] or r["first_seen"])
        failing.append(
            Failing(
                r["source_id"], r["url"], r["title"], since, r["last_error"] or "", r["failures"]
            )
        )
    retired = [
        Retired(r["source_id"], r["url"], r["title"], instant(r["retired_at"]), r["last_error"])
        for r in index.execute(
            "SELECT source_id, url, title, retired_at, last_error FROM pages "
            "WHERE retired_at IS NOT NULL ORDER BY retired_at DESC, id"
        ).fetchall()
        if wanted(r["source_id"])
    ]
    recovered = []
    if run_id is not None:
        recovered = [
            Recovered(r["source"], r["url"], instant(r["created_at"]))
            for r in index.execute(
                "SELECT source, url, created_at FROM events WHERE run_id=? AND "
                "type='source_recovered' ORDER BY id",
                (run_id,),
            ).fetchall()
        ]
    return Health(tuple(failing), tuple(recovered), tuple(retired))


def retire(index: Index, page_ids: Collection[int], at: datetime | None) -> None:
    """Retire the pages (`at`), or bring them back to checking (None)."""
    index.executemany(
        "UPDATE pages SET retired_at=? WHERE id=?",
        [(None if at is None else stamp(at), i) for i in page_ids],
    )
