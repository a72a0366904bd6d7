"""`monitor serve`: the archive as a place to read. A read-only Starlette application: every
request opens the archive read-only (no lock; it runs beside the daemon and `check-now`),
renders a jinja2 template with the reports' escaping rules, and needs no JavaScript.

Stable URLs: /, /meetings, /meetings/<id>, /pages/<id>, /pages/<id>/versions/<n>,
/pages/<id>/versions/<n>/raw, /pages/<id>/compare/<a>/<b>, /search?q=…, /runs, /runs/<id>."""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import tzinfo
from pathlib import Path
from typing import Any

import anyio.to_thread
import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from monitor.archive import Archive
from monitor.config import Config
from monitor.errors import ArchiveDamaged, MonitorError
from monitor.report.view import environment
from monitor.serve import views
from monitor.serve.views import NotFound

log = logging.getLogger(__name__)

# what a served page may load: nothing but its own inline styles (no script runs, ever)
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
Handler = Callable[[Request, Archive], Response]


@functools.lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    env = environment().overlay()
    env.filters["when"] = lambda d, zone: d.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    return env


def _served(name: str) -> bool:
    return name.startswith("serve/") or name == "_macros.html"


def warm() -> None:
    """Compile every template the server renders: once a process, at start-up, so that the first
    request costs what the others do (compiling them took the first ones 0.1–0.5 s)."""
    env = templates()
    for name in env.list_templates(filter_func=_served):
        env.get_template(name)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # in a worker thread, where requests run: that also imports anyio's thread machinery and
    # starts a worker, which the first request paid for too
    await anyio.to_thread.run_sync(warm)
    yield


class Site:
    """The application's state: the config, and the archive opened per request."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.zone: tzinfo = config.zone

    @contextlib.contextmanager
    def archive(self) -> Iterator[Archive]:
        if not (self.config.archive_dir / "index.sqlite").exists():
            raise NotFound("no archive yet: run `monitor check-now` first")
        archive = Archive.for_config(self.config, lock=False, readonly=True)
        try:
            yield archive
        finally:
            archive.close()

    def page(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = templates().get_template(f"serve/{template}").render(zone=self.zone, **context)
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    def route(self, handler: Handler) -> Callable[[Request], Response]:
        """A handler given the request and the archive; a missing thing is a 404 page, a damaged
        or unreadable archive a 500 page naming the problem in one line."""

        def endpoint(request: Request) -> Response:
            try:
                with self.archive() as archive:
                    return handler(request, archive)
            except (NotFound, ValueError) as exc:
                return self.page("error.html", 404, title="Not found", message=str(exc))
            except (ArchiveDamaged, MonitorError, OSError) as exc:
                log.error("%s: %s", request.url.path, exc)
                return self.page("error.html", 500, title="Archive problem", message=str(exc))

        return endpoint


def create_app(config: Config) -> Starlette:
    site = Site(config)

    def home(request: Request, archive: Archive) -> Response:
        return site.page(
            "home.html",
            title="Japan–U.S. meetings: the archive",
            runs=archive.recent_runs(10),
            meetings=views.timeline(archive, {}).meetings[:10],
            revisions=views.newest_revisions(archive),
            sources=views.sources(archive, config),
        )

    def meetings(request: Request, archive: Archive) -> Response:
        line = views.timeline(archive, dict(request.query_params))
        return site.page("meetings.html", title="Meetings", timeline=line, filters=views.FILTERS)

    def meeting(request: Request, archive: Archive) -> Response:
        found, texts = views.meeting(archive, request.path_params["meeting_id"])
        return site.page("meeting.html", title=found.title, meeting=found, texts=texts)

    def page(request: Request, archive: Archive) -> Response:
        row = views.page_by_id(archive, request.path_params["page_id"])
        versions = archive.versions(row.id)
        return site.page("page.html", title=row.title or row.url, page=row, versions=versions)

    def version(request: Request, archive: Archive) -> Response:
        row = views.page_by_id(archive, request.path_params["page_id"])
        found = views.version_of(archive, row, request.path_params["seq"])
        last = archive.latest_version(row.id)
        return site.page(
            "version.html",
            title=f"{row.title or row.url} — version {found.seq}",
            page=row,
            version=found,
            last=last.seq if last else found.seq,
            doc=archive.document(found),
            run=archive.found_by(found),
        )

    def raw(request: Request, archive: Archive) -> Response:
        """The archived response as it came, as text: never rendered, never sniffed."""
        row = views.page_by_id(archive, request.path_params["page_id"])
        found = views.version_of(archive, row, request.path_params["seq"])
        headers = {**HEADERS, "Content-Security-Policy": "sandbox; default-src 'none'"}
        body = archive.raw(found)
        return PlainTextResponse(body.decode("utf-8", "replace"), headers=headers)

    def compare(request: Request, archive: Archive) -> Response:
        p = request.path_params
        seen = views.compare(archive, p["page_id"], p["a"], p["b"])
        return site.page("compare.html", title=f"Compare: {seen.page.title}", cmp=seen)

    def search(request: Request, archive: Archive) -> Response:
        query = request.query_params.get("q", "").strip()
        found = views.find(archive, query) if query else None
        return site.page("search.html", title=f"Search: {query}", q=query, found=found)

    def runs(request: Request, archive: Archive) -> Response:
        return site.page("runs.html", title="Runs", runs=archive.recent_runs(500))

    def run_report(request: Request, archive: Archive) -> Response:
        wanted = request.path_params["run_id"]
        for run_id, _, report, _ in archive.recent_runs(100_000):
            if run_id == wanted and report and Path(report).is_file():
                return FileResponse(report, headers=HEADERS, media_type="text/html")
        raise NotFound(f"no report of run {wanted}")

    async def not_found(request: Request, exc: Exception) -> Response:
        return site.page("error.html", 404, title="Not found", message="no such page")

    routes = [
        Route("/", site.route(home)),
        Route("/meetings", site.route(meetings)),
        Route("/meetings/{meeting_id}", site.route(meeting)),
        Route("/pages/{page_id:int}", site.route(page)),
        Route("/pages/{page_id:int}/versions/{seq:int}", site.route(version)),
        Route("/pages/{page_id:int}/versions/{seq:int}/raw", site.route(raw)),
        Route("/pages/{page_id:int}/compare/{a:int}/{b:int}", site.route(compare)),
        Route("/search", site.route(search)),
        Route("/runs", site.route(runs)),
        Route("/runs/{run_id:int}", site.route(run_report)),
    ]
    return Starlette(routes=routes, exception_handlers={404: not_found}, lifespan=lifespan)
