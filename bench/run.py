"""Benchmark: monitor against urlwatch and against a bare aiohttp fetch, on one local fixture site.

    python -m bench.run --pages 1000            # N = 1,000 (urlwatch included)
    python -m bench.run --pages 10000 --no-urlwatch

Needs urlwatch in a separate venv (`--urlwatch PATH`, default bench/out/uw/bin/urlwatch; made
with `python -m venv bench/out/uw && bench/out/uw/bin/pip install urlwatch cssselect lxml`).
Prints pages/s, ratios, peak RSS, archive size and detected/missed/false changes."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = 10  # urlwatch's fixed worker count; everyone gets the same


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Site:
    def __init__(self, pages: int, etag: bool, latency: float) -> None:
        self.port = free_port()
        args = [
            sys.executable,
            "-m",
            "bench.site",
            "--port",
            str(self.port),
            "--pages",
            str(pages),
            "--latency",
            str(latency),
        ] + ([] if etag else ["--no-etag"])
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"
        self.base = f"http://127.0.0.1:{self.port}"

    def mutate(self, fraction: float, new: int, seed: int) -> dict[str, list[str]]:
        req = urllib.request.Request(
            f"{self.base}/_mutate?fraction={fraction}&new={new}&seed={seed}",
            method="POST",
            data=b"",
        )
        with urllib.request.urlopen(req) as resp:
            data: dict[str, list[str]] = json.load(resp)
        return {k: [self.base + p for p in v] for k, v in data.items()}

    def count(self) -> int:
        with urllib.request.urlopen(f"{self.base}/_state") as resp:
            return int(json.load(resp)["pages"])

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_kb(root: int) -> tuple[int, int]:
    """Memory of `root` and all its descendants (page workers, their fork server): the sum of
    their resident sets, which counts pages they share once per process, and the sum of their
    proportional set sizes (PSS), which counts a shared page once in all."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(rss.get(pid, 0) for pid in tree), sum(_pss_kb(pid) for pid in tree)


def timed(args: list[str], cwd: Path) -> tuple[float, int, str, tuple[int, int]]:
    """Run a command; (seconds, its peak RSS in MB, stdout, the peak RSS and PSS sums of its
    process tree in MB, sampled every 50 ms)."""
    started = time.perf_counter()
    peak_tree = 0
    peak_pss = 0
    done = threading.Event()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)

        def sample() -> None:
            nonlocal peak_tree, peak_pss
            while not done.wait(0.05):
                rss, pss = _tree_kb(proc.pid)
                peak_tree, peak_pss = max(peak_tree, rss), max(peak_pss, pss)

        sampler = threading.Thread(target=sample)
        sampler.start()
        _, _status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    own = usage.ru_maxrss // 1024
    return elapsed, own, text, (max(peak_tree // 1024, own), peak_pss // 1024)


def two_rounds(
    cmd: list[str],
    work: Path,
    mutate: Callable[[], dict[str, list[str]]],
    changed_by: Callable[[str], set[str]],
    store: Path,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Run a client's check, `mutate` the site, run it again; its figures (pages/s are the
    caller's, which knows how many pages each round checked) and the mutation made. Detection
    is scored from `changed_by`, the URLs the second run's output says changed."""
    first_s, first_rss, _, first_tree = timed(cmd, work)
    mutation = mutate()
    second_s, second_rss, out, second_tree = timed(cmd, work)
    changed, edited = changed_by(out), set(mutation["edited"])
    figures = {
        "first_s": first_s,
        "recheck_s": second_s,
        "peak_rss_mb": max(first_rss, second_rss),
        "peak_tree_rss_mb": max(first_tree[0], second_tree[0]),
        "peak_tree_pss_mb": max(first_tree[1], second_tree[1]),
        "archive_bytes": dir_size(store),
        "detected": len(edited & changed),
        "missed": len(edited - changed),
        "false": len(changed - edited),
    }
    return figures, mutation


def dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def monitor_round(
    site: Site, work: Path, pages: int, seed: int, workers: int | None
) -> dict[str, Any]:
    listings = (pages + 99) // 100 + 1
    config = {
        "archive": {"dir": "snapshots"},
        "reports": {"dir": "reports"},
        "fetch": {"concurrency": CONCURRENCY, "per_host": CONCURRENCY, "retries": 1, "timeout": 60},
        **({} if workers is None else {"workers": workers}),
        "sources": [
            {
                "id": f"index-{n}",
                "url": f"{site.base}/index/{n}.html",
                "kind": "listing",
                "profile": "mofa",
                "max_pages": 1000,
            }
            for n in range(listings)
        ],
    }
    work.mkdir(parents=True, exist_ok=True)
    (work / "config.yaml").write_text(json.dumps(config))
    cmd = [sys.executable, "-m", "monitor", "check-now", "--json", "--no-email"]
    added: set[str] = set()

    def changed_by(out: str) -> set[str]:
        events = json.loads(out)["events"]
        added.update(e["url"] for e in events if e["type"] == "page_added")
        return {e["url"] for e in events if e["type"] == "page_changed"}

    figures, mutation = two_rounds(
        cmd,
        work,
        lambda: site.mutate(0.05, max(1, pages // 100), seed),
        changed_by,
        work / "snapshots",
    )
    return {
        **figures,
        "first_pps": pages / figures["first_s"],
        "recheck_pps": (pages + len(mutation["added"])) / figures["recheck_s"],
        "added_detected": len(added & set(mutation["added"])),
        "added": len(mutation["added"]),
    }


async def fetch_only(urls: list[str], client: str) -> float:
    """Seconds to GET every URL at the benchmark's concurrency with a bare client: aiohttp (the
    monitor's HTTP stack) or, for comparison when it is installed, httpx's AsyncClient."""
    sem = asyncio.Semaphore(CONCURRENCY)
    started = time.perf_counter()
    if client == "httpx":
        import httpx  # not a dependency of the monitor: pip install httpx to compare

        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        async with httpx.AsyncClient(limits=limits, timeout=60) as hx:

            async def one_httpx(url: str) -> None:
                async with sem:
                    (await hx.get(url)).read()

            await asyncio.gather(*(one_httpx(u) for u in urls))
        return time.perf_counter() - started
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(url: str) -> None:
            async with sem, session.get(url) as resp:
                await resp.read()

        await asyncio.gather(*(one(u) for u in urls))
    return time.perf_counter() - started


def urlwatch_round(site: Site, work: Path, pages: int, seed: int, exe: str) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    jobs = "\n---\n".join(
        f"name: p{i}\nurl: {site.base}/p/{i}.html\nfilter:\n  - css: '#maincontents'\n  - html2text"
        for i in range(pages)
    )
    (work / "urls.yaml").write_text(jobs + "\n")
    (work / "config.yaml").write_text(
        "display: {new: true, error: true, unchanged: false}\n"
        "report:\n  text: {line_length: 75, details: true, footer: false, minimal: false}\n"
        "  stdout: {enabled: true, color: false}\n  email: {enabled: false}\n"
        "  html: {diff: unified}\n  markdown: {details: true, footer: false, minimal: false}\n"
    )
    cmd = [
        exe,
        "--urls",
        "urls.yaml",
        "--config",
        "config.yaml",
        "--cache",
        "cache.db",
        "--hooks",
        "hooks.py",
    ]
    by_name = {f"p{i}": f"{site.base}/p/{i}.html" for i in range(pages)}

    def changed_by(out: str) -> set[str]:
        names = {
            line.split("CHANGED: ", 1)[1].split()[0]
            for line in out.splitlines()
            if "CHANGED: " in line
        }
        return {by_name.get(name, name) for name in names}

    figures, _ = two_rounds(
        cmd, work, lambda: site.mutate(0.05, 0, seed), changed_by, work / "cache.db"
    )
    return {
        **figures,
        "first_pps": pages / figures["first_s"],
        "recheck_pps": pages / figures["recheck_s"],
    }


def diff_1mb() -> float:
    from monitor.diff import diff_documents
    from monitor.models import Block, Document
    from tests.test_diff import _transcript

    paras = _transcript(3, 1_000_000)
    edited = list(paras)
    for i in range(0, len(edited), 40):
        edited[i] = edited[i].replace(" the ", " a ", 1) + " Added sentence."
    del edited[100:110]
    a = Document("u", "T", tuple(Block("paragraph", p) for p in paras))
    b = Document("u", "T", tuple(Block("paragraph", p) for p in edited))
    started = time.perf_counter()
    diff_documents(a, b)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description="monitor vs urlwatch vs fetch-only")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--no-urlwatch", action="store_true")
    parser.add_argument("--urlwatch", default=str(ROOT / "bench/out/uw/bin/urlwatch"))
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=None, help="the monitor's `workers`")
    args = parser.parse_args()
    n = args.pages
    results: dict[str, Any] = {
        "pages": n,
        "concurrency": CONCURRENCY,
        "cpus": os.cpu_count(),
        "workers": args.workers,
    }
    with tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp:
        work = Path(tmp)
        for etag in (True, False):
            site = Site(n, etag, args.latency)
            try:
                key = "monitor_etag" if etag else "monitor_no_etag"
                results[key] = monitor_round(site, work / key, n, 3, args.workers)
                if etag:
                    urls = [f"{site.base}/p/{i}.html" for i in range(n)]
                    results["fetch_only_pps"] = n / asyncio.run(fetch_only(urls, "aiohttp"))
                    with contextlib.suppress(ImportError):
                        results["fetch_only_httpx_pps"] = n / asyncio.run(fetch_only(urls, "httpx"))
            finally:
                site.stop()
            if not args.no_urlwatch and shutil.which(args.urlwatch):
                site = Site(n, etag, args.latency)
                try:
                    key = "urlwatch_etag" if etag else "urlwatch_no_etag"
                    results[key] = urlwatch_round(site, work / key, n, 3, args.urlwatch)
                finally:
                    site.stop()
    results["diff_1mb_s"] = diff_1mb()
    m, f = results["monitor_etag"], results["fetch_only_pps"]
    results["ratios"] = {"first_vs_fetch_only": m["first_pps"] / f}
    if "urlwatch_etag" in results:
        u, un = results["urlwatch_etag"], results["urlwatch_no_etag"]
        results["ratios"].update(
            {
                "first_vs_urlwatch": m["first_pps"] / u["first_pps"],
                "recheck_etag_vs_urlwatch": m["recheck_pps"] / u["recheck_pps"],
                "recheck_no_etag_vs_urlwatch": results["monitor_no_etag"]["recheck_pps"]
                / un["recheck_pps"],
                "rss_vs_urlwatch": m["peak_rss_mb"] / max(u["peak_rss_mb"], 1),
                "tree_rss_vs_urlwatch": m["peak_tree_rss_mb"] / max(u["peak_tree_rss_mb"], 1),
                "tree_pss_vs_urlwatch": m["peak_tree_pss_mb"] / max(u["peak_tree_pss_mb"], 1),
                "archive_vs_urlwatch_cache": m["archive_bytes"] / max(u["archive_bytes"], 1),
            }
        )
    text = json.dumps(results, indent=2, default=lambda x: round(x, 3))
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
