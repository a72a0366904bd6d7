"""Benchmark: a year of history stays fast (issue 15).

    python -m bench.year [--dir bench/out/year] [--out bench/results-year.json] [--runs N]
    python -m bench.year --commands-only [--dir bench/out/year]

Builds the archive a year of 6-hourly checks leaves (`bench.year_archive`: 500 pages, 1,460
runs, ~5% of the pages revised each week, 300 meetings), then measures its size and its growth
per unchanged check, the wall time of `monitor meetings`, `history`, `diff`, `verify` and `export`
as subprocesses, warm (and net of the interpreter's and the CLI's start-up, taken as `monitor
--version`'s time; and the archive's part of the first three, in process), searches through
`monitor.archive.search`, and, when `monitor.serve.app` exists, the server's pages over HTTP
(uvicorn on 127.0.0.1 in a thread). Prints a table; writes the JSON."""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from bench.year_archive import HOST, MEETINGS, PAGES, RUNS, SOURCES, Year
from monitor.archive import Archive
from monitor.archive import search as S
from monitor.archive.meetings import list_meetings, meetings_with_sites
from monitor.config import parse_config

HERE = Path(__file__).resolve().parent
TARGETS = {"command_ms": 200, "verify_s": 60, "export_s": 60, "growth_bytes": 200, "page_ms": 200}


# --- measuring ----------------------------------------------------------------------------------


def size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def build(root: Path, runs: int) -> dict[str, Any]:
    if root.exists():
        shutil.rmtree(root)
    started = time.perf_counter()
    archive = Archive.open(root, lock=True)
    year = Year(archive, runs)
    for r in range(runs):
        year.run(r)
        if r % 146 == 0:
            print(f"  run {r}/{runs}: {time.perf_counter() - started:.0f} s", flush=True)
    archive.close()
    built = time.perf_counter() - started
    before = size(root)
    archive = Archive.open(root, lock=True)
    year.archive = archive
    quiet = 40
    for r in range(runs, runs + quiet):
        year.run(r, quiet=True)
    archive.close()
    checks = quiet * PAGES
    with Archive.open(root, lock=False, readonly=True) as archive:
        stats = archive.stats()
    fts = {name: size for name, size in pages_of(root) if name.startswith("search_")}
    return {
        "build_s": round(built, 1),
        "rows": stats,
        "size_bytes": before,
        "index_bytes": (root / "index.sqlite").stat().st_size,
        "growth_per_unchanged_check_bytes": round((size(root) - before) / checks, 1),
        "unchanged_checks_measured": checks,
        "search_tables_bytes": fts,
        "catch_up_s": catch_up_time(root),
    }


def pages_of(root: Path) -> list[tuple[str, int]]:
    """The index's tables and indexes with the bytes they take (SQLite's dbstat)."""
    with contextlib.closing(sqlite3.connect(root / "index.sqlite")) as db:
        return list(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"))


def catch_up_time(root: Path) -> float:
    """Seconds a writer's open takes to index every version of an archive written before
    search existed (the index emptied here to make one)."""
    with contextlib.closing(sqlite3.connect(root / "index.sqlite")) as db, db:
        db.execute("DELETE FROM search_versions")
    started = time.perf_counter()
    Archive.open(root, lock=True).close()
    return round(time.perf_counter() - started, 1)


def timed(fn: Callable[[], object], times: int) -> float:
    """The median wall time of `fn` in milliseconds."""
    out = []
    for _ in range(times):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(out), 1)


def write_config(where: Path) -> Path:
    sources = [
        {"id": sid, "url": HOST + path, "kind": "listing", "profile": profile}
        for sid, (path, profile, _) in SOURCES.items()
    ]
    data = {"archive": {"dir": "snapshots"}, "reports": {"dir": "reports"}, "sources": sources}
    data["timezone"] = "UTC"
    path = where / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def commands(where: Path, page_url: str, *, export: bool = True) -> dict[str, float]:
    """Each command's median wall time, warm: one untimed call first (the OS's file cache, and
    the user's cache of the validated config, `monitor.config_cache`, as every call but the
    first after an edit of config.yaml finds them). `export`: also time `export`, which writes
    out.json and out.warc.gz in `where`."""
    exe = str(Path(sys.executable).parent / "monitor")

    def cli(*args: str) -> Callable[[], None]:
        def go() -> None:
            proc = subprocess.run([exe, *args], cwd=where, capture_output=True, text=True)
            assert proc.returncode == 0, (args, proc.stderr[-500:])

        return go

    out: dict[str, float] = {}
    for name, args, times in [
        ("start-up (monitor --version)", ("--version",), 5),
        ("validate-config", ("validate-config",), 5),
        ("meetings", ("meetings",), 5),
        ("meetings --json", ("meetings", "--json"), 5),
        ("history", ("history", page_url), 5),
        ("diff", ("diff", page_url), 5),
        ("verify", ("verify",), 1),
        ("export", ("export", "--json", "out.json", "--warc", "out.warc.gz"), 1),
    ]:
        if name == "export" and not export:
            continue
        cli(*args)()
        out[name] = timed(cli(*args), times)
    return out


def commands_only(where: Path) -> int:
    """`--commands-only`: the commands against the archive already in `where`, which is only
    read; nothing is built or written (export is left out)."""
    with Archive.open(where / "snapshots", lock=False, readonly=True) as archive:
        busiest = max(archive.pages(role="page"), key=lambda p: len(archive.versions(p.id)))
    result = commands(where, busiest.url, export=False)
    start = result["start-up (monitor --version)"]
    print(f"{'command (warm, median of 5)':<44}{'ms':>10}{'net of start-up':>18}")
    for name, ms in result.items():
        print(f"{name:<44}{ms:>10}{ms - start:>18.1f}")
    return 0


def in_process(root: Path, page_url: str) -> dict[str, float]:
    """The archive's part of `meetings`, `history` and `diff`: what the commands do once the
    interpreter has started and imported them, each with its own read-only open."""
    from monitor.diff import diff_documents

    def meetings() -> None:
        with Archive.open(root, lock=False, readonly=True) as archive:
            meetings_with_sites(archive)

    def history() -> None:
        with Archive.open(root, lock=False, readonly=True) as archive:
            page = archive.page(page_url)
            assert page is not None
            archive.versions(page.id)

    def diff() -> None:
        with Archive.open(root, lock=False, readonly=True) as archive:
            page = archive.page(page_url)
            assert page is not None
            old, new = archive.versions(page.id)[-2:]
            diff_documents(archive.document(old), archive.document(new))

    return {"meetings": timed(meetings, 5), "history": timed(history, 5), "diff": timed(diff, 5)}


QUERIES = ["Senkaku", "cooperation", "日米会談", "尖閣諸島", "会談", "US", '"maritime security"']


def searches(root: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    with Archive.open(root, lock=False, readonly=True) as archive:
        for q in QUERIES:
            out[f"search {q}"] = timed(functools.partial(S.search, archive, q), 5)
            out[f"count {q}"] = timed(functools.partial(S.count, archive, q), 5)
        out["first_last_seen Senkaku Islands"] = timed(
            lambda: S.first_last_seen(archive, "Senkaku Islands"), 5
        )
        out["search_meetings Aoki"] = timed(lambda: S.search_meetings(archive, "Aoki"), 5)
        out["open + search 会談"] = timed(lambda: opened_search(root, "会談"), 5)
    return out


def opened_search(root: Path, q: str) -> None:
    with Archive.open(root, lock=False, readonly=True) as archive:
        S.search(archive, q)


@contextlib.contextmanager
def serving(config_path: Path) -> Iterator[str]:
    import uvicorn

    from monitor.serve.app import create_app

    config = parse_config(yaml.safe_load(config_path.read_text()), base_dir=str(config_path.parent))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def pages(config_path: Path, paths: dict[str, str]) -> dict[str, Any]:
    try:
        import monitor.serve.app  # noqa: F401
    except ImportError as exc:
        return {"skipped": f"monitor.serve.app not importable: {exc}"}
    out: dict[str, Any] = {}
    with serving(config_path) as base:
        for name, path in paths.items():

            def get(path: str = path) -> None:
                with urllib.request.urlopen(base + path) as resp:
                    assert resp.status == 200
                    resp.read()

            try:
                out[f"{name} (first)"] = timed(get, 1)
                out[name] = timed(get, 5)
            except OSError as exc:  # urllib's HTTPError too
                out[name] = f"failed: {exc}"
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", type=Path, default=HERE / "out" / "year")
    ap.add_argument("--out", type=Path, default=HERE / "results-year.json")
    ap.add_argument("--runs", type=int, default=RUNS, help="fewer, for a quick try")
    ap.add_argument(
        "--commands-only",
        action="store_true",
        help="only time the commands against the archive already built in --dir (read only)",
    )
    args = ap.parse_args()
    if args.commands_only:
        return commands_only(args.dir)
    args.dir.mkdir(parents=True, exist_ok=True)
    root = args.dir / "snapshots"
    print(f"building a year: {PAGES} pages, {args.runs} runs, {MEETINGS} meetings in {root}")
    result: dict[str, Any] = {"archive": build(root, args.runs)}
    config_path = write_config(args.dir)
    with Archive.open(root, lock=False, readonly=True) as archive:
        busiest = max(archive.pages(role="page"), key=lambda p: len(archive.versions(p.id)))
        top = len(archive.versions(busiest.id))
        meeting = list_meetings(archive)[-1].id
        result["search_index"] = S.coverage(archive).__dict__
    result["commands_ms"] = commands(args.dir, busiest.url)
    result["in_process_ms"] = in_process(root, busiest.url)
    result["search_ms"] = searches(root)
    result["serve_ms"] = pages(
        config_path,
        {
            "home /": "/",
            "meeting /meetings/<id>": f"/meetings/{meeting}",
            "compare /pages/<id>/compare/<a>/<b>": f"/pages/{busiest.id}/compare/1/{top}",
            "search /search?q=Senkaku": "/search?q=Senkaku",
            "search /search?q=会談": "/search?q=%E4%BC%9A%E8%AB%87",
        },
    )
    result["targets"] = TARGETS
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    table(result)
    return 0


def table(result: dict[str, Any]) -> None:
    a = result["archive"]
    print(f"\narchive: {a['size_bytes'] / 1e6:.1f} MB ({a['index_bytes'] / 1e6:.1f} MB index)")
    print(f"  rows: {a['rows']}")
    fts = sum(a["search_tables_bytes"].values()) / 1e6
    print(f"  search tables: {fts:.1f} MB; indexing it all at a writer's open: {a['catch_up_s']} s")
    growth = a["growth_per_unchanged_check_bytes"]
    print(f"  growth per unchanged check: {growth} B (target < {TARGETS['growth_bytes']} B)")
    start = result["commands_ms"]["start-up (monitor --version)"]
    print(f"\n{'measure':<44}{'ms':>10}{'net of start-up':>18}")
    for name, ms in result["commands_ms"].items():
        print(f"{name:<44}{ms:>10}{ms - start:>18.1f}")
    for name, ms in result["in_process_ms"].items():
        print(f"{name + ' (in process, archive part)':<44}{ms:>10}")
    for section in ("search_ms", "serve_ms"):
        for name, ms in result[section].items():
            print(f"{name:<44}{ms!s:>10}")


if __name__ == "__main__":
    sys.exit(main())
