"""Fetch stage: polite async HTTP with conditional GET, retries, a byte cap and redirects."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import aiohttp

# httpx imports its command-line client (click, rich and pygments: ~70 ms) as it is imported
# itself; the monitor never runs it. A None in sys.modules makes that import fail, which httpx
# expects (it then defines a stub `httpx.main`).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
import httpx  # noqa: E402
from httpx_aiohttp import AiohttpTransport  # noqa: E402

from monitor import USER_AGENT  # noqa: E402
from monitor.config import FetchConfig  # noqa: E402
from monitor.errors import FetchError  # noqa: E402
from monitor.models import FetchResult  # noqa: E402

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
ACCEPT_ENCODING = "gzip, deflate"  # decoded by httpx.Response without optional extras

Sleep = Callable[[float], Awaitable[None]]
Allow = Callable[[str], bool]


class _Retry(Exception):
    def __init__(self, reason: str, delay: float | None = None, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay
        self.status = status


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Fetcher:
    """One shared client; bounded concurrency overall and per host."""

    def __init__(
        self, config: FetchConfig, *, sleep: Sleep = asyncio.sleep, verify: bool = True
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._all = asyncio.Semaphore(config.concurrency)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(config.per_host)
        )
        limits = httpx.Limits(
            max_connections=config.concurrency, max_keepalive_connections=config.concurrency
        )
        # httpx's requests, responses and errors on aiohttp's connection pool and C HTTP parser,
        # sent through the transport itself: httpx's AsyncClient (URL merging, cookies, auth
        # and redirect hooks we do not use) cost twice what the transport does for a request
        # (bench/RESULTS.md). Redirects are followed by _attempt; cookies are kept by aiohttp.
        self._transport = AiohttpTransport(verify=verify, limits=limits, trust_env=False)
        self._headers = httpx.Headers(
            {
                "User-Agent": config.user_agent or USER_AGENT,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Language": "en,ja;q=0.8",
                "Accept-Encoding": ACCEPT_ENCODING,
            }
        )
        timeout = config.timeout
        self._extensions = {
            "timeout": {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
        }

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        allow: Allow | None = None,
    ) -> FetchResult:
        """Fetch `url`, following redirects that `allow` accepts. Raises FetchError."""
        attempts = self.config.retries + 1
        for attempt in range(attempts):
            try:
                return await self._attempt(url, etag, last_modified, allow)
            except _Retry as retry:
                if attempt + 1 >= attempts:
                    raise FetchError(
                        url, f"{retry.reason} (after {attempts} attempts)", status=retry.status
                    ) from None
                delay = retry.delay
                if delay is not None and delay > self.config.max_retry_after:
                    raise FetchError(
                        url,
                        f"{retry.reason}; Retry-After {delay:.0f}s exceeds max_retry_after",
                        status=retry.status,
                    ) from None
                if delay is None:
                    delay = self.config.backoff * (2**attempt)
                log.debug("retrying %s in %.1fs: %s", url, delay, retry.reason)
                await self._sleep(delay)
        raise AssertionError("unreachable")

    async def _attempt(
        self, url: str, etag: str | None, last_modified: str | None, allow: Allow | None
    ) -> FetchResult:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        redirects: list[str] = []
        current = url
        started = time.monotonic()
        while True:
            status, resp_headers, body = await self._get(current, headers)
            if status in REDIRECT_STATUS and "location" in resp_headers:
                target = urljoin(current, resp_headers["location"])
                if urlsplit(target).scheme not in ("http", "https"):
                    raise FetchError(url, f"redirect to unsupported URL {target}", status=status)
                if target in redirects or target == url:
                    raise FetchError(url, f"redirect loop at {target}", status=status)
                if len(redirects) >= MAX_REDIRECTS:
                    raise FetchError(url, f"more than {MAX_REDIRECTS} redirects", status=status)
                if allow is not None and not allow(target):
                    raise FetchError(url, f"redirect to disallowed URL {target}", status=status)
                redirects.append(target)
                current = target
                continue
            break
        return self._result(
            url, current, status, resp_headers, body, tuple(redirects), time.monotonic() - started
        )

    def _result(
        self,
        url: str,
        final: str,
        status: int,
        headers: dict[str, str],
        body: bytes,
        redirects: tuple[str, ...],
        elapsed: float,
    ) -> FetchResult:
        if status in RETRY_STATUS:
            delay = retry_after(headers.get("retry-after")) if status in (429, 503) else None
            raise _Retry(f"HTTP {status}", delay, status)
        if status >= 400:
            raise FetchError(url, f"HTTP {status}", status=status)
        if status not in (200, 203, 304):
            raise FetchError(url, f"unexpected HTTP {status}", status=status)
        content_type = headers.get("content-type", "")
        return FetchResult(
            url=url,
            final_url=final,
            status=status,
            headers=headers,
            body=body if status != 304 else b"",
            content_type=content_type,
            redirects=redirects,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            elapsed=elapsed,
        )

    async def _get(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        host = (urlsplit(url).hostname or "").lower()
        async with self._all, self._hosts[host]:
            try:
                async with asyncio.timeout(self.config.timeout * 2):
                    return await self._stream(url, headers)
            except TimeoutError:
                raise _Retry(f"timed out after {self.config.timeout * 2:.0f}s") from None
            except httpx.HTTPError as exc:
                raise _classify(url, exc) from None
            except aiohttp.ClientError as exc:  # raised past the transport's own mapping
                raise _classify(url, exc) from None

    async def _stream(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        cap = self.config.max_bytes
        sent = self._headers.copy()  # normalised once: a third of building a request
        sent.update(headers)
        request = httpx.Request("GET", url, headers=sent, extensions=self._extensions)
        resp = await self._transport.handle_async_request(request)
        try:
            resp_headers = {k.lower(): v for k, v in resp.headers.items()}
            declared = resp_headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap and resp.status_code == 200:
                raise FetchError(url, f"body of {int(declared)} bytes exceeds max_bytes {cap}")
            if resp.status_code != 200:
                # a short body read to the end keeps the connection alive; a 304 has none
                if resp.status_code != 304 and declared.isdigit() and 0 < int(declared) <= 65536:
                    await resp.aread()
                return resp.status_code, resp_headers, b""
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.aiter_bytes():  # Content-Encoding undone by httpx
                size += len(chunk)
                if size > cap:
                    raise FetchError(url, f"body exceeds max_bytes {cap}")
                chunks.append(chunk)
            return resp.status_code, resp_headers, b"".join(chunks)
        finally:
            await resp.aclose()


def _classify(url: str, exc: Exception) -> _Retry | FetchError:
    """A transient failure to retry, or a permanent one naming the URL. The transport maps
    aiohttp's errors onto httpx's (coarsely: a refused connection becomes a ConnectTimeout), so the
    aiohttp error it was raised from is looked at first."""
    cause = exc.__cause__ if isinstance(exc.__cause__, aiohttp.ClientError) else exc
    if isinstance(cause, aiohttp.ClientConnectorError):
        return _Retry(f"ConnectError: {cause.os_error.strerror or cause.os_error}")
    if isinstance(cause, aiohttp.ServerTimeoutError | httpx.TimeoutException):
        return _Retry(f"timeout ({type(cause).__name__})")
    if isinstance(
        cause,
        aiohttp.ClientConnectionError
        | aiohttp.ClientPayloadError
        | httpx.NetworkError
        | httpx.RemoteProtocolError,
    ):
        return _Retry(_describe(cause))
    if isinstance(cause, httpx.DecodingError):
        return FetchError(url, f"undecodable body: {cause}")
    return FetchError(url, _describe(cause))


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    return f"{name}: {text}" if text else name
