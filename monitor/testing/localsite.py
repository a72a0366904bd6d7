"""A local web site on 127.0.0.1 serving a mutable map of pages: for the demo, the tests and
the benchmark. Supports ETag/304, custom statuses and headers, queued responses and raw
handlers for misbehaviour (resets, truncation, slow drips)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

RawHandler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Page:
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = True
    raw: RawHandler | None = None  # takes over the connection entirely

    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up early are part of the tests, not news


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]


class LocalSite:
    """`with LocalSite() as site: site["/a.html"] = Page(...); site.url("/a.html")`"""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.pages: dict[str, Page] = {}
        self.queues: dict[str, list[Page]] = {}
        self.requests: list[Request] = []
        self.etags = True
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site._serve(self)

        self.server = _Server((host, port), Handler)
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def __setitem__(self, path: str, page: Page | str | bytes) -> None:
        with self._lock:
            self.pages[path] = page if isinstance(page, Page) else Page(page)

    def __getitem__(self, path: str) -> Page:
        return self.pages[path]

    def __delitem__(self, path: str) -> None:
        with self._lock:
            del self.pages[path]

    def queue(self, path: str, *pages: Page) -> None:
        """Serve these responses, in order, before falling back to the page map."""
        with self._lock:
            self.queues.setdefault(path, []).extend(pages)

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def start(self) -> LocalSite:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread:
            self._thread.join()

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _pick(self, path: str) -> Page | None:
        with self._lock:
            self.requests.append(Request(path, {k.lower(): v for k, v in self._headers.items()}))
            queued = self.queues.get(path)
            if queued:
                return queued.pop(0)
            return self.pages.get(path)

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        self._headers = dict(handler.headers.items())
        path = handler.path.split("#")[0]
        page = self._pick(path)
        if page is None:
            page = Page(
                "<html><head><title>404 Not Found</title></head><body><h1>Not Found"
                "</h1></body></html>",
                status=404,
            )
        if page.raw is not None:
            page.raw(handler)
            return
        body = page.data()
        headers = dict(page.headers)
        if page.status == 200 and page.etag and self.etags:
            tag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers.setdefault("ETag", tag)
            if handler.headers.get("If-None-Match") == headers["ETag"]:
                handler.send_response(304)
                handler.send_header("ETag", headers["ETag"])
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
        handler.send_response(page.status)
        handler.send_header("Content-Type", page.content_type)
        if not any(k.lower() == "content-length" for k in headers):
            handler.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)
