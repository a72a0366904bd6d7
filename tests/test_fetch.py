from __future__ import annotations

import asyncio
import gzip
import threading
from collections.abc import Callable
from typing import Any

import pytest

from monitor.config import FetchConfig
from monitor.errors import FetchError
from monitor.fetch import Fetcher, retry_after
from monitor.fetch.decode import decode_text
from monitor.models import FetchResult
from monitor.testing.localsite import LocalSite, Page
from tests.conftest import Sleeps
from tests.faults import drip, gzip_bomb, hang, huge, redirect, reset, truncated

HTML = "<html><head><title>t</title></head><body><main><p>Hello</p></main></body></html>"


def fetch(
    url: str,
    sleeps: Sleeps | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    allow: Callable[[str], bool] | None = None,
    **conf: Any,
) -> FetchResult:
    """One fetch with test-sized retries and timeouts; `conf` overrides FetchConfig's keys."""
    config = FetchConfig.model_validate({"retries": 2, "backoff": 1.0, "timeout": 5.0, **conf})

    async def go() -> FetchResult:
        async with Fetcher(config, sleep=sleeps or Sleeps()) as f:
            return await f.fetch(url, etag=etag, last_modified=last_modified, allow=allow)

    return asyncio.run(go())


def test_ok_and_conditional_get(site: LocalSite) -> None:
    site["/a"] = HTML
    first = fetch(site.url("/a"))
    assert (
        first.status == 200
        and decode_text(first.body, first.content_type)[0] == HTML
        and first.etag
    )
    assert "monitor/" in site.requests[-1].headers["user-agent"]
    again = fetch(site.url("/a"), etag=first.etag)
    assert again.not_modified and again.body == b""
    assert site.requests[-1].headers["if-none-match"] == first.etag
    site["/a"] = HTML.replace("Hello", "Hi")
    assert fetch(site.url("/a"), etag=first.etag).status == 200


def test_compressed_page_is_decoded(site: LocalSite) -> None:
    site["/z"] = Page(gzip.compress(HTML.encode()), headers={"Content-Encoding": "gzip"})
    result = fetch(site.url("/z"))
    assert result.body == HTML.encode() and decode_text(result.body, result.content_type)[0] == HTML
    assert "gzip" in site.requests[-1].headers["accept-encoding"]


def test_4xx_fails_at_once_without_retry(site: LocalSite) -> None:
    with pytest.raises(FetchError, match=r"/missing: HTTP 404") as info:
        fetch(site.url("/missing"))
    assert info.value.status == 404 and site.hits("/missing") == 1
    site["/gone"] = Page("gone", status=410)
    with pytest.raises(FetchError, match="HTTP 410"):
        fetch(site.url("/gone"))


def test_5xx_retried_with_backoff_then_fails(site: LocalSite, sleeps: Sleeps) -> None:
    site["/x"] = Page("oops", status=503)
    with pytest.raises(FetchError, match=r"HTTP 503 \(after 3 attempts\)"):
        fetch(site.url("/x"), sleeps)
    assert site.hits("/x") == 3 and sleeps.delays == [1.0, 2.0]


def test_429_honours_retry_after(site: LocalSite, sleeps: Sleeps) -> None:
    site.queue(
        "/r", Page("slow down", status=429, headers={"Retry-After": "7"}), Page("busy", status=502)
    )
    site["/r"] = HTML
    assert decode_text(fetch(site.url("/r"), sleeps).body, "text/html")[0] == HTML
    assert sleeps.delays == [7.0, 2.0]


def test_retry_after_too_long_gives_up(site: LocalSite, sleeps: Sleeps) -> None:
    site["/r"] = Page("later", status=429, headers={"Retry-After": "86400"})
    with pytest.raises(FetchError, match="exceeds max_retry_after"):
        fetch(site.url("/r"), sleeps)
    assert sleeps.delays == []


def test_retry_after_http_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after("Sun, 01 Mar 2026 12:00:30 GMT", now) == 30.0
    assert retry_after("garbage") is None and retry_after("12") == 12.0


def test_redirects_are_followed_and_recorded(site: LocalSite) -> None:
    site["/old"] = redirect("/mid", 301)
    site["/mid"] = redirect(site.url("/new"))
    site["/new"] = HTML
    result = fetch(site.url("/old"))
    assert result.final_url == site.url("/new") and result.redirects == (
        site.url("/mid"),
        site.url("/new"),
    )


def test_redirect_loop_and_disallowed_target(site: LocalSite) -> None:
    site["/a"] = redirect("/b")
    site["/b"] = redirect("/a")
    with pytest.raises(FetchError, match="redirect loop"):
        fetch(site.url("/a"))
    site["/out"] = redirect("http://elsewhere.invalid/x")
    with pytest.raises(FetchError, match="redirect to disallowed URL http://elsewhere.invalid/x"):
        fetch(site.url("/out"), allow=lambda u: "127.0.0.1" in u)


def test_byte_cap_declared_streamed_and_gzip_bomb(site: LocalSite) -> None:
    site["/big"] = "x" * 50_000
    with pytest.raises(FetchError, match="exceeds max_bytes 10000"):
        fetch(site.url("/big"), max_bytes=10_000)
    site["/stream"] = Page(raw=huge(50_000_000))
    with pytest.raises(FetchError, match="exceeds max_bytes"):
        fetch(site.url("/stream"), max_bytes=1_000_000)
    site["/bomb"] = gzip_bomb(20_000_000)
    with pytest.raises(FetchError, match="exceeds max_bytes"):
        fetch(site.url("/bomb"), max_bytes=1_000_000)


def test_timeouts_and_broken_connections(site: LocalSite, release: threading.Event) -> None:
    site["/hang"] = Page(raw=hang(release))
    with pytest.raises(FetchError, match="(?i)timeout|timed out"):
        fetch(site.url("/hang"), timeout=0.3, retries=0)
    site["/drip"] = Page(raw=drip(release, every=0.05))
    with pytest.raises(FetchError, match="(?i)timeout|timed out"):
        fetch(site.url("/drip"), timeout=0.3, retries=0)
    site["/trunc"] = Page(raw=truncated(b"<html><body>short", 5000))
    with pytest.raises(FetchError, match="RemoteProtocolError|ReadError|payload is not completed"):
        fetch(site.url("/trunc"), retries=0)
    site["/reset"] = Page(raw=reset())
    with pytest.raises(FetchError):
        fetch(site.url("/reset"), retries=0)


def test_connection_refused_names_the_url() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError, match=rf"^http://127.0.0.1:{port}/x: ConnectError"):
        fetch(f"http://127.0.0.1:{port}/x", retries=0)


def test_per_host_concurrency_is_bounded(site: LocalSite, release: threading.Event) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()
    gate = threading.Event()

    def slowish(h):  # type: ignore[no-untyped-def]
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
            if active >= 2:
                gate.set()
        gate.wait(2)
        with lock:
            active -= 1
        body = HTML.encode()
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    for i in range(6):
        site[f"/p{i}"] = Page(raw=slowish)

    async def go() -> None:
        async with Fetcher(FetchConfig(per_host=2, concurrency=8)) as f:
            await asyncio.gather(*(f.fetch(site.url(f"/p{i}")) for i in range(6)))

    asyncio.run(go())
    assert peak == 2


def test_shift_jis_body_decodes(site: LocalSite) -> None:
    ja = "<html><body><main><p>日米外相会談</p></main></body></html>"
    site["/ja"] = Page(ja.encode("cp932"), content_type="text/html")
    result = fetch(site.url("/ja"))
    assert decode_text(result.body, result.content_type) == (ja, "cp932")
