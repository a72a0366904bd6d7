"""reports/versions/: the archived versions a report points to, each a page of its own, with the
versions before and after it, the run that fetched it and the changes from the one before; and
the names of the sites sources are on ("MOFA (ja)", "State", "DoD")."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import urlsplit

from monitor.archive import Archive, VersionRow
from monitor.config import Config
from monitor.errors import ArchiveError
from monitor.models import Document
from monitor.report.files import write_atomic
from monitor.report.view import environment
from monitor.sites import site_label

log = logging.getLogger(__name__)


class _Sourced(Protocol):
    @property
    def sources(self) -> Sequence[_Named]: ...


class _Named(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def profile(self) -> str | None: ...


def site_names(config: _Sourced) -> dict[str, str]:
    """Each source's site as a reader knows it: its profile's ("MOFA (en)", "DoD"), else its
    host (`config`: a `Config`, or the reading commands' `Settings`)."""
    out = {}
    for source in config.sources:
        label = site_label(source.url, source.profile)
        out[source.id] = label or (urlsplit(source.url).netloc or source.url)
    return out


def version_name(version: VersionRow) -> str:
    return f"{version.page_id}-{version.seq}.html"


class VersionPages:
    """Writes the page of each version a report links to, once; writing one rewrites the page
    of the version before it, which gains its link to the next. `run_id` is the run writing
    (its report is not published yet, but will be)."""

    def __init__(self, archive: Archive, config: Config, run_id: int) -> None:
        self.archive = archive
        self.reports = config.reports_dir
        self.dir = self.reports / "versions"
        self.zone = config.zone
        self.base_url = config.serve.base_url
        self.run_id = run_id
        self._docs: dict[int, Document] = {}  # the documents this report has read already

    def href(self, version: VersionRow, doc: Document) -> str:
        """Where `version`'s page is, relative to the reports directory; written if it is not
        there yet."""
        self._docs[version.id] = doc
        if not (self.dir / version_name(version)).exists():
            self._write(version, doc)
            before = self.archive.version(version.page_id, version.seq - 1)
            if before is not None and (self.dir / version_name(before)).exists():
                self._rewrite(before)  # it gains its "next" link
        return f"versions/{version_name(version)}"

    def _rewrite(self, version: VersionRow) -> None:
        doc = self._docs.get(version.id)
        try:
            self._write(version, doc or self.archive.document(version))
        except (ArchiveError, OSError) as exc:  # the page stays as it was, without "next"
            log.warning("%s: not rewritten: %s", self.dir / version_name(version), exc)

    def _page(self, page_id: int, seq: int) -> str | None:
        name = f"{page_id}-{seq}.html"
        return name if seq >= 1 and (self.dir / name).exists() else None

    def _write(self, version: VersionRow, doc: Document) -> None:
        pid, seq = version.page_id, version.seq
        run = self.archive.found_by(version)
        report = f"run-{run:06d}.html" if run is not None else None
        if report and run != self.run_id and not (self.reports / report).exists():
            report = None  # pruned (reports.keep), or never written
        serve = f"{self.base_url}/pages/{pid}" if self.base_url else None
        html = (
            environment()
            .get_template("version.html")
            .render(
                doc=doc,
                version=version,
                zone=self.zone,
                previous=self._page(pid, seq - 1),
                next=self._page(pid, seq + 1),
                run=run,
                report=f"../{report}" if report else None,
                compare=f"{serve}/compare/{seq - 1}/{seq}" if serve and seq > 1 else None,
                served=f"{serve}/versions/{seq}" if serve else None,
            )
        )
        write_atomic(self.dir / version_name(version), html)
