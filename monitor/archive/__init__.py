"""Archive stage: the open archive (`index`), its SQLite connection (`db`), schema and rows
(`schema`), sources and pages (`pages`), versions and checks (`versions`), runs, events and the
outbox (`runs`), content-addressed blobs (`blobs`), meetings and their sources (`meetings`),
pages read back from what was stored (`stored`), the integrity check (`verify`) and full-text
search (`search`)."""

from __future__ import annotations

from monitor.archive import search
from monitor.archive.health import Health
from monitor.archive.index import Archive
from monitor.archive.schema import PageRow, VersionRow, canonical
from monitor.archive.verify import verify
from monitor.models import text_digest  # what the archive keys a version's content by

__all__ = [
    "Archive",
    "Health",
    "PageRow",
    "VersionRow",
    "canonical",
    "search",
    "text_digest",
    "verify",
]
