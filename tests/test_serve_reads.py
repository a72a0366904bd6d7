"""What keeps `monitor serve`'s pages fast without changing them: one page read by its id and the
newest events of one type read by the archive (not by scanning in Python), and every template
compiled when the application starts rather than by its first request."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.archive import Archive
from monitor.models import Event
from monitor.serve import app as serve_app
from monitor.serve import views
from monitor.serve.views import NotFound
from tests.support import make_config

T = datetime(2026, 3, 1, tzinfo=UTC)


def test_a_page_is_read_by_its_id(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "s") as archive:
        first = archive.ensure_page("https://x.org/a", "s", "page", T)
        second = archive.ensure_page("https://x.org/b", "s", "page", T)
    with Archive.open(tmp_path / "s", lock=False, readonly=True) as archive:
        assert archive.page_by_id(second.id) == second == views.page_by_id(archive, second.id)
        assert archive.page_by_id(first.id) == first
        assert archive.page_by_id(second.id + 1) is None
        try:
            views.page_by_id(archive, 99999)
        except NotFound as exc:
            assert str(exc) == "no page 99999"
        else:
            raise AssertionError("no NotFound")


def test_newest_revisions_are_the_newest_page_changed_events_whatever_came_after(
    tmp_path: Path,
) -> None:
    """Read by type in the archive: a revision older than the newest 1,000 events of other kinds
    is still shown (the scan of the newest 1,000 events missed it)."""
    with Archive.open(tmp_path / "s") as archive, archive.transaction():
        for n in range(12):
            data = {"source": "s", "url": f"https://x.org/{n}", "title": f"Page {n}"}
            archive.add_event(1, Event("page_changed", data), T + timedelta(minutes=n))
        for n in range(1_001):
            data = {"source": "s", "url": f"https://x.org/new/{n}"}
            archive.add_event(1, Event("page_added", data), T + timedelta(hours=1))
    with Archive.open(tmp_path / "s", lock=False, readonly=True) as archive:
        shown = views.newest_revisions(archive)
        assert [title for _, _, title in shown] == [f"Page {n}" for n in range(11, 1, -1)]
        assert shown[0] == (T + timedelta(minutes=11), "https://x.org/11", "Page 11")
        assert [e.type for e in archive.events_of_type("page_added", 3)] == ["page_added"] * 3
        assert archive.events_of_type("meeting_new", 10) == []


def test_the_templates_are_compiled_when_the_application_starts(tmp_path: Path) -> None:
    serve_app.templates.cache_clear()  # a fresh environment: nothing compiled yet
    env = serve_app.templates()
    assert env.cache is not None

    def compiled() -> set[str]:
        assert env.cache is not None
        return {name for _, name in env.cache}

    assert not {n for n in compiled() if n.startswith("serve/")}
    source = {"id": "mofa", "url": "http://127.0.0.1:9/fm.html", "profile": "mofa"}
    application = serve_app.create_app(make_config(tmp_path, [source]))

    async def start_and_stop() -> None:
        async with application.router.lifespan_context(application):
            pass

    asyncio.run(start_and_stop())
    served = {n for n in env.list_templates() if n.startswith("serve/")}
    assert "serve/compare.html" in served and "serve/home.html" in served
    assert served | {"_macros.html"} <= compiled()
