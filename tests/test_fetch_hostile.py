"""The fetch stage against hostile servers (issue 12): decompression bombs under a memory limit,
a slow host beside a healthy one, host names that resolve to private addresses, and 2xx statuses
other than 200."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.config import FetchConfig
from monitor.demo import pages as P
from monitor.errors import FetchError
from monitor.fetch import Fetcher
from monitor.fetch.decode import decode_text
from monitor.fetch.urls import UrlPolicy
from monitor.models import FetchResult
from monitor.testing.localsite import LocalSite, Page
from tests.conftest import make_config, of_type, types

# The new names (monitor.fetch.inflate, AddressRefused, is_public) are imported in the tests
# that use them, so that every behaviour test here also runs, and fails, against the code
# before issue 12.

ROOT = Path(__file__).resolve().parent.parent
HTML = "<html><head><title>t</title></head><body><main><p>Hello</p></main></body></html>"
HELD_FOR = 5.0  # how long a held response waits at most when nothing releases it (a failure)


def fetch(url: str, *, policy: UrlPolicy | None = None, **conf: Any) -> FetchResult:
    async def go() -> FetchResult:
        config = FetchConfig.model_validate({"retries": 0, "timeout": 5.0, **conf})
        async with Fetcher(config, policy=policy) as f:
            return await f.fetch(url)

    return asyncio.run(go())


# --- 2. decompression bombs -----------------------------------------------------------------


def gzip_zeros(size: int, block: int = 1 << 20) -> bytes:
    """A gzip member of `size` zero bytes, built in O(size / block) steps: after a full flush
    every block of zeros compresses to the same bytes (about 1 KB per MB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    zero = bytes(block)
    first = packer.compress(zero) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(zero) + packer.flush(zlib.Z_FULL_FLUSH)
    assert packer.compress(zero) + packer.flush(zlib.Z_FULL_FLUSH) == again
    crc = 0
    for _ in range(size // block):
        crc = zlib.crc32(zero, crc)
    head = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    tail = packer.flush() + struct.pack("<II", crc, size & 0xFFFFFFFF)
    return head + first + again * (size // block - 1) + tail


def zstd_zeros(size: int) -> bytes:
    import zstandard

    packer = zstandard.ZstdCompressor(level=3).compressobj()
    zero = bytes(1 << 20)
    return b"".join([packer.compress(zero) for _ in range(size >> 20)] + [packer.flush()])


BOMB = 1 << 30  # decoded size of every bomb: 1 GB, twice the memory the run is given
MEMORY_LIMIT = 512 << 20

BOMBS = {
    # never offered in Accept-Encoding: 33 KB that httpx alone would inflate to 1 GB
    "zstd-not-offered": lambda: (zstd_zeros(BOMB), "zstd", "refused: Content-Encoding 'zstd'"),
    # two layers: 2.5 KB -> 1 MB -> 1 GB
    "gzip-gzip": lambda: (
        zlib.compress(gzip_zeros(BOMB), 9, wbits=31),
        "gzip, gzip",
        "refused: Content-Encoding 'gzip, gzip': more than one layer",
    ),
    # one offered layer, 1 MB -> 1 GB: decoded in steps until max_bytes is passed
    "gzip-bomb": lambda: (gzip_zeros(BOMB), "gzip", "body exceeds max_bytes 2000000"),
}


def run_limited(tmp_path: Path, config: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """`monitor -v check-now --json --no-email` in a process limited to MEMORY_LIMIT of address
    space, importing this checkout's `monitor`; each failure is logged on stderr."""
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    code = (
        "import resource, runpy, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))\n"
        "sys.argv = ['monitor', '-v', 'check-now', '--json', '--no-email']\n"
        "runpy.run_module('monitor', run_name='__main__')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bomb_fails_alone_under_a_memory_limit(name: str, site: LocalSite, tmp_path: Path) -> None:
    body, encoding, error = BOMBS[name]()
    site["/bomb.html"] = Page(body, headers={"Content-Encoding": encoding}, etag=False)
    site["/healthy.html"] = P.state_page("Readout", "Readout", "March 2, 2026", ["First."])
    config = {
        "archive": {"dir": "snapshots"},
        "reports": {"dir": "reports"},
        "fetch": {"retries": 0, "timeout": 30, "max_bytes": 2_000_000},
        "sources": [
            {"id": "bomb", "url": site.url("/bomb.html"), "profile": "state"},
            {"id": "healthy", "url": site.url("/healthy.html"), "profile": "state"},
        ],
    }
    done = run_limited(tmp_path, config)
    assert done.returncode == 1 and done.stdout, done.stderr[-2000:]  # completed, a source failed
    report = json.loads(done.stdout)
    assert report["events"] == [
        {"type": "baseline", "source": "healthy", "pages": 1, "meetings": 0, "meeting_ids": []}
    ]
    said = f" monitor.pipeline.page: bomb: {site.url('/bomb.html')}: "
    failed = [line.split(said)[1] for line in done.stderr.splitlines() if said in line]
    assert len(failed) == 1 and failed[0].startswith(error), done.stderr[-2000:]


def test_inflater_steps_are_bounded_and_only_offered_codings_decode() -> None:
    from monitor.fetch.inflate import STEP, EncodingError, Inflater

    packed = gzip_zeros(64 << 20)
    inflater = Inflater("gzip")
    pieces = [len(p) for chunk in (packed[:100], packed[100:]) for p in inflater.feed(chunk)]
    pieces += [len(p) for p in inflater.finish()]
    assert sum(pieces) == 64 << 20 and max(pieces) <= STEP
    for header in ("zstd", "br", "compress", "gzip, gzip", "gzip,deflate", "x-custom"):
        with pytest.raises(EncodingError):
            Inflater(header)
    text = b"<p>deflate</p>" * 100
    for packed_text in (zlib.compress(text), zlib.compress(text, wbits=-15)):  # zlib and raw
        inflater = Inflater("deflate")
        assert b"".join([*inflater.feed(packed_text), *inflater.finish()]) == text
    assert list(Inflater("identity").feed(b"plain")) == [b"plain"]
    with pytest.raises(EncodingError, match="undecodable gzip body"):
        list(Inflater("gzip").feed(b"not gzip at all"))
    cut = Inflater("gzip")
    assert b"".join(cut.feed(zlib.compress(text, wbits=31)[:-12])).startswith(b"<p>deflate")
    with pytest.raises(EncodingError, match="gzip body ends before its compressed stream does"):
        list(cut.finish())
    assert list(Inflater("gzip").finish()) == []  # an empty body (HEAD-like) is no error


def test_refused_encodings_name_the_url_and_error_bodies_are_never_decoded(
    site: LocalSite,
) -> None:
    site["/z"] = Page(zstd_zeros(64 << 20), headers={"Content-Encoding": "zstd"}, etag=False)
    with pytest.raises(FetchError, match=r"/z: refused: Content-Encoding 'zstd' was not offered"):
        fetch(site.url("/z"))
    # an error page's body is read undecoded (to keep the connection): a corrupt one is no matter
    garbage = b"\x28\xb5\x2f\xfd" + b"not a zstd frame" * 100
    site["/404"] = Page(garbage, status=404, headers={"Content-Encoding": "zstd"})
    with pytest.raises(FetchError, match=r"/404: HTTP 404$"):
        fetch(site.url("/404"))
    site["/gz"] = Page(zlib.compress(HTML.encode(), wbits=31), headers={"Content-Encoding": "gzip"})
    assert decode_text(fetch(site.url("/gz")).body, "text/html")[0] == HTML
    assert site.requests[-1].headers["accept-encoding"] == "gzip, deflate"


# --- 9. a slow host holds up no other -------------------------------------------------------


def answer(h: BaseHTTPRequestHandler, text: str) -> None:
    body = text.encode()
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)
    h.wfile.flush()


class Held:
    """Responses held until released: by the test once the healthy side is done, or, when that
    never happens (the bug), by the first held response after HELD_FOR seconds."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.arrived = threading.Event()
        self.by_timeout = False

    def handler(self, h: BaseHTTPRequestHandler) -> None:
        self.arrived.set()
        if not self.release.wait(HELD_FOR):
            self.by_timeout = True
            self.release.set()
        answer(h, HTML)


@pytest.fixture
def slow_site() -> Iterator[LocalSite]:
    with LocalSite(host="127.0.0.2") as s:  # another host: per-host queues are by name
        yield s


def test_fetcher_a_held_host_does_not_hold_the_global_slots(
    site: LocalSite, slow_site: LocalSite
) -> None:
    held = Held()
    for i in range(6):
        slow_site[f"/s{i}"] = Page(raw=held.handler)
    site["/ok"] = HTML

    async def go() -> tuple[bool, int]:
        async with Fetcher(FetchConfig(per_host=1, concurrency=2, timeout=30)) as f:
            slow = [asyncio.create_task(f.fetch(slow_site.url(f"/s{i}"))) for i in range(6)]
            await asyncio.to_thread(held.arrived.wait, HELD_FOR)
            healthy = await f.fetch(site.url("/ok"))
            still_held = not held.release.is_set()
            held.release.set()
            await asyncio.gather(*slow)
            return still_held, healthy.status

    assert asyncio.run(go()) == (True, 200)
    assert not held.by_timeout


def test_pipeline_a_slow_host_delays_no_healthy_source(
    site: LocalSite, slow_site: LocalSite, tmp_path: Path, runner: Any
) -> None:
    held = Held()
    slow_links = "".join(f'<li><a href="/slow/{i}.html">Meeting {i}</a></li>' for i in range(24))
    slow_site["/index.html"] = f"<html><body><main><ul>{slow_links}</ul></main></body></html>"
    for i in range(24):
        slow_site[f"/slow/{i}.html"] = Page(raw=held.handler)
    links = "".join(f'<li><a href="/ok/{i}.html">Readout {i}</a></li>' for i in range(6))

    def healthy_listing(h: BaseHTTPRequestHandler) -> None:
        held.arrived.wait(HELD_FOR)  # answered once the slow host's pages are on their way
        answer(h, f"<html><body><main><ul>{links}</ul></main></body></html>")

    site["/index.html"] = Page(raw=healthy_listing)
    done = threading.Event()
    served: list[str] = []
    lock = threading.Lock()

    def healthy(h: BaseHTTPRequestHandler) -> None:
        answer(h, P.state_page("Readout", "Readout", "March 2, 2026", [h.path]))
        with lock:
            served.append(h.path)
            if len(served) == 6 and not held.release.is_set():
                done.set()  # every healthy page answered while the slow host's are still held
                held.release.set()

    for i in range(6):
        site[f"/ok/{i}.html"] = Page(raw=healthy)
    config = make_config(
        tmp_path,
        [
            {"id": "slow", "url": slow_site.url("/index.html"), "kind": "listing"},
            {"id": "healthy", "url": site.url("/index.html"), "kind": "listing"},
        ],
        fetch={"concurrency": 4, "per_host": 2, "timeout": 30, "retries": 0},
    )
    report = runner(config)()
    assert done.is_set() and not held.by_timeout
    assert sorted(types(report)) == ["baseline", "baseline"] and not report.failures
    assert {e["source"]: e["pages"] for e in of_type(report, "baseline")} == {
        "slow": 25,
        "healthy": 7,
    }


# --- 10. host names that resolve to private addresses ---------------------------------------


def resolver(table: dict[str, list[str]]) -> Any:
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


def test_policy_judges_names_by_what_they_resolve_to() -> None:
    from monitor.fetch.urls import AddressRefused, is_public

    table = {
        "metadata.test": ["169.254.169.254"],
        "ec2-v6.test": ["fd00:ec2::254"],
        "mapped.test": ["::ffff:127.0.0.1"],
        "intranet.test": ["10.1.2.3"],
        "shared.test": ["100.100.100.200"],
        "split.test": ["93.184.216.34", "192.168.0.10"],
        "public.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    }
    policy = UrlPolicy({"public.test"}, {"127.0.0.1:8000"}, resolve=resolver(table))
    for host in table:
        if host == "public.test":
            assert policy.connectable(host, 443) == table[host]
            continue
        with pytest.raises(AddressRefused, match=rf"^{host} resolves to "):
            policy.connectable(host, 80)
    # the real resolver: localhost is loopback, whatever the name looks like to a text check
    with pytest.raises(AddressRefused, match=r"^localhost resolves to 127\.0\.0\.1"):
        UrlPolicy(set(), set()).connectable("localhost", 80)
    # a configured source's own host and port, or allow_private, may be private
    own = UrlPolicy(set(), {"localhost:8000"})
    assert "127.0.0.1" in own.connectable("localhost", 8000)
    with pytest.raises(AddressRefused):
        own.connectable("localhost", 8001)
    assert UrlPolicy(set(), set(), allow_private=True, resolve=resolver(table)).connectable(
        "metadata.test", 80
    ) == ["169.254.169.254"]
    assert not any(is_public(a) for a in ("0.0.0.0", "::", "::1", "224.0.0.1", "fe80::1%2"))


def test_policy_refuses_localhost_spellings_by_text() -> None:
    hosts = {"localhost.", "127.1", "[::ffff:7f00:1]", "169.254.169.254", "example.org"}
    policy = UrlPolicy(hosts | {"ffff:7f00:1"}, {"example.org"})
    assert not policy.allows("http://localhost.:8080/x")
    assert not policy.allows("http://169.254.169.254/latest/meta-data/")
    assert not policy.allows("http://[::ffff:7f00:1]/x")
    assert policy.allows("https://example.org/x")
    assert UrlPolicy(hosts, set(), allow_private=True).allows("http://localhost.:8080/x")


def test_fetcher_connects_only_where_the_policy_resolved(site: LocalSite) -> None:
    site["/secret"] = "secret"
    port = int(site.server.server_address[1])
    table = {"evil.test": ["127.0.0.1"]}
    guarded = UrlPolicy({"evil.test"}, set(), resolve=resolver(table))
    with pytest.raises(FetchError, match=rf"evil.test:{port}/secret: refused: evil.test resolves"):
        fetch(f"http://evil.test:{port}/secret", policy=guarded, retries=2)
    assert site.hits("/secret") == 0  # refused before connecting, and not retried
    # allowed: the connection goes to the address the injected resolver gave, not to DNS
    trusting = UrlPolicy({"evil.test"}, set(), allow_private=True, resolve=resolver(table))
    assert (
        decode_text(fetch(f"http://evil.test:{port}/secret", policy=trusting).body, "text/html")[0]
        == "secret"
    )


@pytest.fixture
def intranet(monkeypatch: pytest.MonkeyPatch) -> str:
    """A name the system resolver gives as 127.0.0.1 (as a DNS record an attacker controls
    would): socket.getaddrinfo answers for it with its answer for 127.0.0.1."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.rstrip(".").lower() == "intranet.test":
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return "intranet.test"


@pytest.mark.parametrize("allow_private", [False, True])
def test_links_and_redirects_to_a_name_on_a_private_address_are_refused(
    allow_private: bool, site: LocalSite, tmp_path: Path, runner: Any, intranet: str
) -> None:
    with LocalSite() as secret:
        secret["/secret.html"] = P.state_page("Internal", "Internal", "March 2, 2026", ["KEY"])
        hidden = f"http://{intranet}:{secret.server.server_address[1]}/secret.html"
        site["/list.html"] = f'<html><body><main><a href="{hidden}">Meeting</a></main></body>'
        site["/moved.html"] = Page(b"", status=302, headers={"Location": hidden}, etag=False)
        config = make_config(
            tmp_path,
            [
                {"id": "list", "url": site.url("/list.html"), "kind": "listing"},
                {"id": "moved", "url": site.url("/moved.html"), "profile": "state"},
            ],
            allowed_hosts=[intranet],
            fetch={"retries": 0, **({"allow_private": True} if allow_private else {})},
        )
        report = runner(config)()
        if allow_private:  # told to: a local network's pages are followed
            assert secret.hits("/secret.html") == 2 and not report.failures
            return
        assert secret.hits("/secret.html") == 0
        errors = dict(report.failures)
        assert set(errors) == {"list", "moved"}
        for error in errors.values():
            assert f"{hidden}: refused: {intranet} resolves to 127.0.0.1" in error
        assert types(report) == ["baseline"]  # the listing itself; the page failed


# --- 16. 2xx statuses other than 200 --------------------------------------------------------


def test_203_is_a_page_and_204_205_say_there_is_none(
    site: LocalSite, tmp_path: Path, runner: Any
) -> None:
    site["/a.html"] = Page(
        P.state_page("Readout", "Readout", "March 2, 2026", ["First."]), status=203
    )
    site["/list.html"] = Page('<html><body><main><a href="/b.html">B</a></main></body>', status=203)
    site["/b.html"] = Page(P.state_page("B", "B", "March 3, 2026", ["Third."]), status=203)
    result = fetch(site.url("/a.html"))
    assert (
        result.status == 203
        and b"First." in result.body
        and "First." in decode_text(result.body, result.content_type)[0]
    )
    config = make_config(
        tmp_path,
        [
            {"id": "a", "url": site.url("/a.html"), "profile": "state"},
            {"id": "list", "url": site.url("/list.html"), "kind": "listing"},
        ],
    )
    run = runner(config)
    first = run()
    assert not first.failures
    assert {e["source"]: e["pages"] for e in of_type(first, "baseline")} == {"a": 1, "list": 2}
    site["/a.html"] = Page(
        P.state_page("Readout", "Readout", "March 2, 2026", ["Second."]), status=203
    )
    site["/b.html"] = Page(P.state_page("B", "B", "March 3, 2026", ["Fourth."]), status=203)
    changed = of_type(run(), "page_changed")
    assert sorted(e["source"] for e in changed) == ["a", "list"] and all(
        e["added"] for e in changed
    )
    for status, reason in ((204, "No Content"), (205, "Reset Content")):
        site["/a.html"] = Page(b"", status=status)
        report = run()
        assert dict(report.failures)["a"] == (
            f"{site.url('/a.html')}: HTTP {status} {reason}: the server sent no page"
        )
        assert "page_changed" not in types(report) and "page_removed" not in types(report)
