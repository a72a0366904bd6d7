"""Archive stage: the SQLite index and its rows (`index`), content-addressed blobs (`blobs`),
meetings and their sources (`meetings`), and pages read back from what was stored (`stored`)."""

from __future__ import annotations

from monitor.archive.index import Archive, PageRow, VersionRow, canonical, verify
from monitor.models import text_digest  # what the archive keys a version's content by

__all__ = ["Archive", "PageRow", "VersionRow", "canonical", "text_digest", "verify"]
