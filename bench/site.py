"""The benchmark's fixture site: N official-looking pages of 30-120 KB with boilerplate and a
per-request nonce in the footer, listing pages, optional latency, ETag support, and a mutate
step that edits a fraction of the pages and adds new ones. Runs in its own process:

    python -m bench.site --port 8765 --pages 1000 [--no-etag] [--latency 0.02]

POST /_mutate?fraction=0.05&new=10&seed=1 edits pages and answers with the edited and added
URLs as JSON; GET /_state answers the page count."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
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


class Http(asyncio.Protocol):
    """A minimal HTTP/1.1 keep-alive server. The pages are built once per version and the
    nonce spliced in, so the server spends ~0.1 ms a request and the clients being measured
    get the machine's cores (a ThreadingHTTPServer took ~1 ms and capped every client)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            self.buffer = self.buffer[length:]
            response = self.site.respond(method, target, headers.get("if-none-match"))
            if self.site.latency:
                asyncio.get_running_loop().call_later(self.site.latency, self.send, response)
            else:
                self.send(response)

    def send(self, response: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(response)


def _response(status: str, body: bytes, tag: str | None, ctype: str) -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
    if tag:
        head += f"ETag: {tag}\r\n"
    return head.encode() + b"\r\n" + body


class Site:
    def __init__(self, corpus: Corpus, etag: bool, latency: float) -> None:
        self.corpus = corpus
        self.etag = etag
        self.latency = latency
        self.cache: dict[tuple[int, int], tuple[bytes, bytes]] = {}

    def page(self, i: int) -> bytes:
        key = (i, self.corpus.version(i))
        if key not in self.cache:
            head, tail = self.corpus.page(i, 0).split(b"Request 0 served at ", 1)
            self.cache[key] = (head, tail[tail.index(b"</p>") :])
        head, tail = self.cache[key]
        nonce = b"Request %d served at %.6f" % (random.randint(0, 10**9), time.time())
        return head + nonce + tail

    def respond(self, method: str, target: str, if_none_match: str | None) -> bytes:
        path = urlsplit(target).path
        html = "text/html; charset=utf-8"
        if method == "POST":
            query = parse_qs(urlsplit(target).query)
            result = self.corpus.mutate(
                float(query.get("fraction", ["0.05"])[0]),
                int(query.get("new", ["0"])[0]),
                int(query.get("seed", ["1"])[0]),
            )
            return _response("200 OK", json.dumps(result).encode(), None, "application/json")
        if path == "/_state":
            body = json.dumps({"pages": self.corpus.count}).encode()
            return _response("200 OK", body, None, "application/json")
        if path.startswith("/index/") and path.endswith(".html"):
            n = int(path[7:-5])
            tag = f'"l{n}-{self.corpus.count}"' if self.etag else None
            if tag and if_none_match == tag:
                return _response("304 Not Modified", b"", tag, html)
            return _response("200 OK", self.corpus.listing(n, random.randint(0, 10**9)), tag, html)
        if path.startswith("/p/") and path.endswith(".html"):
            i = int(path[3:-5])
            if i < self.corpus.count:
                tag = f'"p{i}-{self.corpus.version(i)}"' if self.etag else None
                if tag and if_none_match == tag:
                    return _response("304 Not Modified", b"", tag, html)
                return _response("200 OK", self.page(i), tag, html)
        return _response("404 Not Found", b"not found", None, "text/plain")


async def serve(port: int, site: Site) -> None:
    server = await asyncio.get_running_loop().create_server(
        lambda: Http(site), "127.0.0.1", port, backlog=1024
    )
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--no-etag", action="store_true")
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    asyncio.run(serve(args.port, Site(Corpus(args.pages), not args.no_etag, args.latency)))


if __name__ == "__main__":
    main()
