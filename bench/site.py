"""The benchmark's fixture site: N official-looking pages of 30-120 KB with boilerplate and a
per-request nonce in the footer, listing pages, optional latency, ETag support, and a mutate
step that edits a fraction of the pages and adds new ones. Runs in its own process:

    python -m bench.site --port 8765 --pages 1000 [--no-etag] [--latency 0.02]

POST /_mutate?fraction=0.05&new=10&seed=1 edits pages and answers with the edited and added
URLs as JSON; GET /_state answers the page count."""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WORDS = (
    "alliance security minister cooperation region shared economic deterrence framework "
    "partnership dialogue maritime defense capability supply chain energy technology "
    "stability prosperity commitment consultation exercise command control resilience "
    "investment critical minerals shipbuilding coordination interoperability posture "
    "infrastructure cyber space nuclear extended humanitarian disaster relief"
).split()
PER_LISTING = 100


def _paragraphs(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(rng.choices(WORDS, k=rng.randint(60, 140))).capitalize() + "."
        for _ in range(count)
    ]


POOL = _paragraphs(7, 3000)


class Corpus:
    """Page i at version v is a deterministic choice of paragraphs plus its edits."""

    def __init__(self, pages: int) -> None:
        self.count = pages
        self.edits: dict[int, list[tuple[str, int, str]]] = {}
        self.lock = threading.Lock()

    def version(self, i: int) -> int:
        return len(self.edits.get(i, []))

    def paragraphs(self, i: int) -> list[str]:
        rng = random.Random(i)
        size = rng.randint(30_000, 120_000)
        paras: list[str] = []
        total = 0
        while total < size:
            p = POOL[rng.randrange(len(POOL))]
            paras.append(p)
            total += len(p) + 8
        for kind, at, text in self.edits.get(i, []):
            at %= len(paras)
            if kind == "word":
                words = paras[at].split()
                words[len(words) // 2] = text
                paras[at] = " ".join(words)
            elif kind == "add":
                paras.insert(at, text)
            elif kind == "remove" and len(paras) > 3:
                paras.pop(at)
        return paras

    def page(self, i: int, nonce: int) -> bytes:
        body = "\n".join(f"<p>{p}</p>" for p in self.paragraphs(i))
        return f"""<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<title>Meeting record {i} | Ministry of Foreign Affairs of Japan</title></head><body>
<header id="header"><a href="/">MOFA</a><form><input name="q"></form></header>
<nav id="navi-global"><ul><li><a href="/policy/">Foreign Policy</a></li><li><a href="/region/">Countries</a></li></ul></nav>
<main id="contents"><article><div id="contents-header"><h1 class="title1">Meeting record {i}</h1></div>
<div id="maincontents"><div class="social-btn-top"><span>Share</span><span>Print</span></div>
<div class="rightalign">March {i % 28 + 1}, 2026</div><div class="main-section">{body}</div></div></article></main>
<div id="pagetop"><a href="#header">Page Top</a></div>
<footer id="footer"><p>Request {nonce} served at {time.time():.6f}</p></footer></body></html>""".encode()

    def listing(self, n: int, nonce: int) -> bytes:
        start, stop = n * PER_LISTING, min(self.count, (n + 1) * PER_LISTING)
        items = "".join(
            f'<li><a href="/p/{i}.html">Meeting record {i}</a></li>' for i in range(start, stop)
        )
        return f"""<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><title>Index {n}</title></head>
<body><header id="header">MOFA</header><main id="contents"><div id="maincontents">
<ul class="link-list">{items}</ul></div></main><footer>{nonce}</footer></body></html>""".encode()

    def mutate(self, fraction: float, new: int, seed: int) -> dict[str, list[str]]:
        rng = random.Random(seed)
        with self.lock:
            chosen = rng.sample(range(self.count), max(1, int(self.count * fraction)))
            for i in chosen:
                kind = rng.choice(["word", "word", "add", "remove"])
                text = (
                    f"revised{seed}x{i}"
                    if kind == "word"
                    else f"A new paragraph {seed}-{i} on {rng.choice(WORDS)} cooperation was added."
                )
                self.edits.setdefault(i, []).append((kind, rng.randrange(10_000), text))
            added = list(range(self.count, self.count + new))
            self.count += new
        return {
            "edited": [f"/p/{i}.html" for i in chosen],
            "added": [f"/p/{i}.html" for i in added],
        }


def make_handler(corpus: Corpus, etag: bool, latency: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def send_body(
            self, body: bytes, tag: str | None, ctype: str = "text/html; charset=utf-8"
        ) -> None:
            if tag and self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.send_header("ETag", tag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if tag:
                self.send_header("ETag", tag)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if latency:
                time.sleep(latency)  # the fixture's simulated network latency
            path = urlsplit(self.path).path
            nonce = random.randint(0, 10**9)
            if path == "/_state":
                self.send_body(
                    json.dumps({"pages": corpus.count}).encode(), None, "application/json"
                )
            elif path.startswith("/index/") and path.endswith(".html"):
                n = int(path[7:-5])
                tag = f'"l{n}-{corpus.count}"' if etag else None
                self.send_body(corpus.listing(n, nonce), tag)
            elif path.startswith("/p/") and path.endswith(".html"):
                i = int(path[3:-5])
                if i >= corpus.count:
                    self.send_error(404)
                    return
                tag = f'"p{i}-{corpus.version(i)}"' if etag else None
                self.send_body(corpus.page(i, nonce), tag)
            else:
                self.send_error(404)

        def do_POST(self) -> None:
            query = parse_qs(urlsplit(self.path).query)
            result = corpus.mutate(
                float(query.get("fraction", ["0.05"])[0]),
                int(query.get("new", ["0"])[0]),
                int(query.get("seed", ["1"])[0]),
            )
            self.send_body(json.dumps(result).encode(), None, "application/json")

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--no-etag", action="store_true")
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    corpus = Corpus(args.pages)
    server = ThreadingHTTPServer(
        ("127.0.0.1", args.port), make_handler(corpus, not args.no_etag, args.latency)
    )
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
