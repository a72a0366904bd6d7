"""A run's context and tally (`Run`) and each source's (`SourceRun`), owned by the pipeline
while the run lasts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from monitor.archive import Archive
from monitor.config import Config, SourceConfig
from monitor.events import PageChanged
from monitor.fetch import Fetcher
from monitor.fetch.urls import UrlPolicy
from monitor.models import LeftOut
from monitor.pipeline.prepare import Preparer
from monitor.sites import Profile, profile_for

Clock = Callable[[], datetime]
Progress = Callable[[str, str], None]


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class SourceRun:
    """What one source's check did; owned by the pipeline while the run lasts."""

    source: SourceConfig
    profile: Profile
    silent: bool  # baseline: archive without alerting
    rules: str  # rules_key of the source's profile, selector and ignore patterns
    pages: int = 0
    meetings: set[str] = field(default_factory=set)  # the ids of the meetings its pages report
    failed: str | None = None


@dataclass
class Run:
    config: Config
    archive: Archive
    fetcher: Fetcher
    clock: Clock
    run_id: int
    policy: UrlPolicy
    preparer: Preparer
    in_flight: asyncio.Semaphore  # pages fetched and not yet recorded: bounds memory
    progress: Progress | None = None
    pages_checked: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (source, url, error)
    checked: set[str] = field(default_factory=set)
    left_out: list[LeftOut] = field(default_factory=list)  # new pages beyond a max_pages
    # the page_changed events the run recorded, each with the changes it computed: its report
    # and digest show these and never diff the pages again
    changed: list[PageChanged] = field(default_factory=list)

    def now(self) -> datetime:
        """The clock's reading (aware, UTC), as the archive takes it."""
        return self.clock()

    def tick(self, what: str, url: str) -> None:
        if self.progress is not None:
            self.progress(what, url)


def source_profile(source: SourceConfig) -> Profile:
    return profile_for(source.url, source.profile)


def select_sources(config: Config, ids: list[str] | None) -> list[SourceConfig]:
    if not ids:
        return list(config.sources)
    return [config.source(i) for i in ids]
