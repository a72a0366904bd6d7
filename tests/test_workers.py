"""Page workers: a run whose pages are parsed and stored by worker processes records exactly what
a single-process run records."""

from __future__ import annotations

import os
import signal
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from monitor.archive import Archive, verify
from monitor.demo import pages as P
from monitor.pipeline import prepare
from monitor.testing.localsite import LocalSite
from tests.conftest import make_config, of_type, types

PAGES = 24


def paragraphs(i: int, edited: bool) -> list[str]:
    first = (
        f"On March {i % 27 + 1}, Mr. MOTEGI Toshimitsu, Minister for Foreign Affairs of Japan, "
        "held a telephone talk with Secretary of State Marco Rubio of the United States."
        if i == 0
        else f"Record {i}: the officials reviewed maritime cooperation and exercises."
    )
    second = f"Follow-up item {i} on supply chains was {'revised' if edited else 'noted'}."
    return [first, second]


def publish(site: LocalSite, edited: set[int], nonce: int) -> None:
    links = [(f"/p/{i}.html", f"Record {i}") for i in range(PAGES)]
    site["/index.html"] = P.mofa_listing("Relations", [("March", links)], nonce=nonce)
    for i in range(PAGES):
        title = "Japan-U.S. Foreign Ministers' Telephone Talk" if i == 0 else f"Record {i}"
        site[f"/p/{i}.html"] = P.mofa_page(
            title, "March 9, 2026", paragraphs(i, i in edited), nonce=nonce
        )


def archive_rows(root: Path) -> list[tuple[object, ...]]:
    db = sqlite3.connect(root / "snapshots" / "index.sqlite")
    try:
        return db.execute(
            "SELECT p.url, v.seq, v.raw_sha, v.doc_sha, v.text_sha, v.headers FROM versions v "
            "JOIN pages p ON p.id = v.page_id ORDER BY p.url, v.seq"
        ).fetchall()
    finally:
        db.close()


def scenario(site: LocalSite, root: Path, runner, workers: int) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    """Baseline, three edits, a quiet run; returns the archived versions."""
    publish(site, set(), nonce=1)
    source = {"id": "mofa-us", "url": site.url("/index.html"), "kind": "listing", "profile": "mofa"}
    run = runner(make_config(root, [source], workers=workers))
    first = run()
    assert of_type(first, "baseline")[0]["pages"] == PAGES + 1
    assert of_type(first, "baseline")[0]["meetings"] == 1
    publish(site, {3, 11, 20}, nonce=2)
    second = run()
    changed = sorted(e["url"] for e in of_type(second, "page_changed"))
    assert changed == sorted(site.url(f"/p/{i}.html") for i in (3, 11, 20))
    assert types(second) == ["page_changed"] * 3
    assert run().events == ()
    with Archive.open(root / "snapshots") as archive:
        assert verify(archive) == []
    rows = archive_rows(root)
    assert len(rows) == PAGES + 1 + 3
    return [r[:5] for r in rows]  # not the headers: the server's Date differs


def test_workers_record_what_one_process_records(
    site: LocalSite, tmp_path: Path, runner, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(prepare, "INLINE_JOBS", 3)  # the pool starts within this small run
    monkeypatch.setattr(prepare, "START_IN_BACKGROUND", False)  # and is used once it is up
    started: list[int] = []
    close = prepare.Preparer.close

    async def spy_close(self: prepare.Preparer) -> None:
        started.append(self.pooled)
        await close(self)

    monkeypatch.setattr(prepare.Preparer, "close", spy_close)
    pooled = scenario(site, tmp_path / "pool", runner, workers=2)
    # workers prepared every page after the first three of each run; the quiet run fetched 304s
    assert started == [PAGES - 3, PAGES - 3, 0]
    inline = scenario(site, tmp_path / "inline", runner, workers=0)
    assert started[3:] == [0, 0, 0]
    assert pooled == inline  # same pages, same versions, same blobs


def test_a_killed_worker_loses_no_page(
    site: LocalSite, tmp_path: Path, runner, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A worker killed mid-run (the OOM killer, an operator): its pages are prepared in-process
    and the run records every page, once."""
    monkeypatch.setattr(prepare, "INLINE_JOBS", 3)
    monkeypatch.setattr(prepare, "START_IN_BACKGROUND", False)
    pool_for_run = prepare.Preparer._pool_for_run
    killed: list[int] = []

    async def kill_one_worker(self: prepare.Preparer) -> ProcessPoolExecutor | None:
        # the moment the workers are up (however long they took to start), the first of them
        # dies before it is given a page: no race with the pages already in flight. The pool
        # keeps its processes private; the test reaches for them to play the OOM killer.
        pool = await pool_for_run(self)
        if pool is not None and not killed:
            victim = next(iter(pool._processes.values()))
            os.kill(victim.pid or 0, signal.SIGKILL)
            victim.join()
            killed.append(victim.pid or 0)
        return pool

    monkeypatch.setattr(prepare.Preparer, "_pool_for_run", kill_one_worker)
    publish(site, set(), nonce=1)
    source = {"id": "mofa-us", "url": site.url("/index.html"), "kind": "listing", "profile": "mofa"}
    run = runner(make_config(tmp_path, [source], workers=2))
    first = run()
    assert len(killed) == 1  # one worker died mid-run
    assert not first.failures and of_type(first, "baseline")[0]["pages"] == PAGES + 1
    assert len(archive_rows(tmp_path)) == PAGES + 1
    with Archive.open(tmp_path / "snapshots") as archive:
        assert verify(archive) == []
    publish(site, {5}, nonce=2)
    assert types(run()) == ["page_changed"]
