"""Fetch stage: polite async HTTP with conditional GET, retries, a byte cap and redirects.

One HTTP stack: aiohttp's client, its connection pool and C parser, and its one family of
errors (httpx on its own transport fetched 374 pages/s where aiohttp fetched 909: see
bench/RESULTS.md)."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import socket
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from monitor import USER_AGENT
from monitor.config import FetchConfig
from monitor.errors import FetchError
from monitor.fetch.inflate import ACCEPT_ENCODING, EncodingError, Inflater
from monitor.fetch.urls import AddressRefused, UrlPolicy
from monitor.models import FetchResult
from monitor.text import clean_url

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
BODY_STATUS = frozenset({200, 203})  # 203: a proxy's copy of the page, a page all the same
EMPTY_STATUS = {204: "No Content", 205: "Reset Content"}
MAX_REDIRECTS = 10

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


class HostTurn:
    """A page's place in its host's queue. It is waited for holding nothing else, so that a slow
    host delays only its own pages, and given back (`release`) as soon as the response is in, so
    that the host serves the next page while this one is parsed and recorded."""

    def __init__(self, slot: asyncio.Semaphore) -> None:
        self._slot = slot
        self._held = False

    async def __aenter__(self) -> HostTurn:
        await self._slot.acquire()
        self._held = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def release(self) -> None:
        if self._held:
            self._held = False
            self._slot.release()


class _GuardedResolver(AbstractResolver):
    """Resolves host names for aiohttp through `UrlPolicy.connectable`: a name that leads to a
    private address is refused at the moment of connecting, and the connection goes to exactly
    the addresses that were judged (no second lookup to rebind)."""

    def __init__(self, policy: UrlPolicy) -> None:
        self._policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = asyncio.get_running_loop()
        addresses = await loop.run_in_executor(None, self._policy.connectable, host, port)
        out = []
        for address in addresses:
            af = socket.AF_INET6 if ":" in address else socket.AF_INET
            if family in (socket.AF_UNSPEC, af):
                flags = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV
                out.append(
                    ResolveResult(
                        hostname=host, host=address, port=port, family=af, proto=0, flags=flags
                    )
                )
        return out

    async def close(self) -> None:
        pass


class Fetcher:
    """One shared client; bounded concurrency overall (requests on the wire) and per host. With a
    `policy`, host names are resolved through it: see UrlPolicy.connectable."""

    def __init__(
        self,
        config: FetchConfig,
        *,
        sleep: Sleep = asyncio.sleep,
        verify: bool = True,
        policy: UrlPolicy | None = None,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._policy = policy
        self._all = asyncio.Semaphore(config.concurrency)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(config.per_host)
        )
        # pages wait here for their host (see turn); _hosts bounds the requests themselves,
        # redirects to other hosts and the listings' own pages included
        self._queues: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(config.per_host)
        )
        self._headers = {
            "User-Agent": config.user_agent or USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "en,ja;q=0.8",
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        # connect and every read wait at most `timeout`; the whole request twice that (_get)
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=config.timeout, sock_read=config.timeout
        )
        self._verify = verify
        self._client: aiohttp.ClientSession | None = None

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
        if self._client is not None:
            await self._client.close()
            self._client = None

    def _session(self) -> aiohttp.ClientSession:
        """The session, made on first use (it needs a running loop); names resolved by the
        policy; bodies kept as sent (Inflater undoes their encoding under the byte cap)."""
        if self._client is None:
            connector = aiohttp.TCPConnector(
                limit=self.config.concurrency,
                keepalive_timeout=5.0,
                ssl=self._verify,
                resolver=_GuardedResolver(self._policy) if self._policy is not None else None,
            )
            self._client = aiohttp.ClientSession(
                connector=connector, auto_decompress=False, trust_env=False
            )
        return self._client

    def turn(self, url: str) -> HostTurn:
        """A place in the queue of `url`'s host, for a page to wait in before it takes a global
        slot (the pipeline's): only requests actually on the wire hold the global limits."""
        return HostTurn(self._queues[(urlsplit(url).hostname or "").lower()])

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
                    ) from retry.__cause__
                delay = retry.delay
                if delay is not None and delay > self.config.max_retry_after:
                    raise FetchError(
                        url,
                        f"{retry.reason}; Retry-After {delay:.0f}s exceeds max_retry_after",
                        status=retry.status,
                    ) from retry.__cause__
                if delay is None:
                    delay = self.config.backoff * (2**attempt)
                log.debug("retrying %s in %.1fs: %s", url, delay, retry.reason)
                await self._sleep(delay)
        raise AssertionError("unreachable")

    async def _attempt(
        self, url: str, etag: str | None, last_modified: str | None, allow: Allow | None
    ) -> FetchResult:
        headers = {}
        # a validator a server sent with a control character cannot be sent back: ask afresh
        if etag and etag.isprintable():
            headers["If-None-Match"] = etag
        if last_modified and last_modified.isprintable():
            headers["If-Modified-Since"] = last_modified
        redirects: list[str] = []
        current = url
        started = time.monotonic()
        while True:
            status, resp_headers, body = await self._get(current, headers)
            if status in REDIRECT_STATUS and "location" in resp_headers:
                location = resp_headers["location"]
                try:
                    target = clean_url(urljoin(current, location))  # a server's text
                except ValueError as exc:  # no URL at all ("http://[::1")
                    raise FetchError(url, f"redirect to invalid URL {location!r}") from exc
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
        return _result(
            url, current, status, resp_headers, body, tuple(redirects), time.monotonic() - started
        )

    async def _get(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        host = (urlsplit(url).hostname or "").lower()
        async with self._hosts[host], self._all:  # waiting for a busy host holds no global slot
            try:
                async with asyncio.timeout(self.config.timeout * 2):
                    return await self._stream(url, headers)
            except aiohttp.ClientError as exc:
                raise _classify(url, exc) from exc
            except TimeoutError as exc:
                raise _Retry(f"timed out after {self.config.timeout * 2:.0f}s") from exc

    async def _stream(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        cap = self.config.max_bytes
        try:
            target = URL(url)
        except ValueError as exc:
            raise FetchError(url, f"invalid URL: {exc}") from exc
        async with self._session().get(
            target,
            headers={**self._headers, **headers},
            allow_redirects=False,
            timeout=self._timeout,
        ) as resp:
            resp_headers = {k.lower(): header_text(v) for k, v in resp.headers.items()}
            declared = resp_headers.get("content-length", "")
            if resp.status not in BODY_STATUS:
                # a short body read to the end (undecoded) keeps the connection alive
                if resp.status != 304 and declared.isdigit() and 0 < int(declared) <= 65536:
                    await resp.read()
                return resp.status, resp_headers, b""
            if declared.isdigit() and int(declared) > cap:
                raise FetchError(url, f"body of {int(declared)} bytes exceeds max_bytes {cap}")
            return resp.status, resp_headers, await _read(url, resp, cap)


def _result(
    url: str,
    final: str,
    status: int,
    headers: dict[str, str],
    body: bytes,
    redirects: tuple[str, ...],
    elapsed: float,
) -> FetchResult:
    """The response as a FetchResult, or the retry or failure its status calls for."""
    if status in RETRY_STATUS:
        delay = retry_after(headers.get("retry-after")) if status in (429, 503) else None
        raise _Retry(f"HTTP {status}", delay, status)
    if status >= 400:
        raise FetchError(url, f"HTTP {status}", status=status)
    if status in EMPTY_STATUS:
        reason = f"HTTP {status} {EMPTY_STATUS[status]}: the server sent no page"
        raise FetchError(url, reason, status=status)
    if status not in BODY_STATUS and status != 304:
        raise FetchError(url, f"unexpected HTTP {status}", status=status)
    content_type = headers.get("content-type", "")
    return FetchResult(
        url=url,
        final_url=final,
        status=status,
        headers=headers,
        body=body if status in BODY_STATUS else b"",
        content_type=content_type,
        redirects=redirects,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        elapsed=elapsed,
    )


async def _read(url: str, resp: aiohttp.ClientResponse, cap: int) -> bytes:
    """The body with its Content-Encoding undone, in steps of at most 64 KB: decoding stops as
    soon as the decoded size passes `cap`, so a bomb costs no more memory than the cap."""
    try:
        inflater = Inflater(resp.headers.get("content-encoding", ""))
    except EncodingError as exc:
        raise FetchError(url, f"refused: {exc}") from exc
    chunks: list[bytes] = []
    size = wire = 0

    def take(pieces: Iterator[bytes]) -> None:
        nonlocal size
        for piece in pieces:
            size += len(piece)
            if size > cap:
                raise FetchError(url, f"body exceeds max_bytes {cap}")
            chunks.append(piece)

    try:
        async for raw in resp.content.iter_chunked(65536):
            wire += len(raw)
            if wire > cap:
                raise FetchError(url, f"body exceeds max_bytes {cap}")
            take(inflater.feed(raw))
        take(inflater.finish())
    except EncodingError as exc:
        raise FetchError(url, str(exc)) from exc
    return b"".join(chunks)


def header_text(value: str) -> str:
    """A header value as text. aiohttp hands bytes that are not UTF-8 on as lone surrogates,
    which no database or terminal takes: such a value is read as Latin-1, byte for byte, as
    HTTP/1.1 headers historically are."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("latin-1")
    return value


def _classify(url: str, exc: aiohttp.ClientError) -> _Retry | FetchError:
    """A transient failure to retry, or a permanent one naming the URL."""
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.os_error, AddressRefused):
        return FetchError(url, f"refused: {exc.os_error}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return _Retry(f"ConnectError: {exc.os_error.strerror or exc.os_error}")
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return _Retry(f"timeout ({type(exc).__name__})")
    if isinstance(exc, aiohttp.InvalidURL):
        return FetchError(url, f"invalid URL: {exc}")
    if isinstance(
        exc,
        aiohttp.ClientConnectionError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError,
    ):
        return _Retry(_describe(exc))
    return FetchError(url, _describe(exc))


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    return f"{name}: {text}" if text else name
