"""The only place that composes the stages: fetch -> normalise -> archive -> diff -> events."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from monitor import meetings as meeting_stage
from monitor.archive import Archive, PageRow, VersionRow, text_digest
from monitor.archive.meetings import rebuild_meetings, record_meeting
from monitor.archive.stored import archived_text, item_document, item_raw, renormalise
from monitor.config import Config, SourceConfig
from monitor.diff import diff_documents
from monitor.errors import ArchiveDamaged, ArchiveError, ContentError, FetchError, MonitorError
from monitor.events import ArchiveDamaged as ArchiveDamagedEvent
from monitor.events import (
    Baseline,
    PageAdded,
    PageChanged,
    PageRemoved,
    SourceFailing,
    SourceRecovered,
)
from monitor.fetch import Fetcher, HostTurn
from monitor.fetch.urls import UrlPolicy
from monitor.models import Document, FetchResult, LeftOut, Link, RunReport
from monitor.normalise import listing_document, listing_links, rules_key
from monitor.normalise.feeds import FeedItem, newest_first, parse_feed
from monitor.normalise.patterns import user_search
from monitor.pipeline.prepare import Job, Prepared, Preparer, default_workers
from monitor.sites import Profile, profile_for
from monitor.testing import crash

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Progress = Callable[[str, str], None]
# A return to the version before the previous one is a flip-flop, not news, when the previous
# one stood less than this or was seen by one check only; a retraction of text that stood is news.
FLAP_SPAN = timedelta(hours=24)
REMIND_EVERY = timedelta(days=1)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SourceRun:
    """What one source's check did; owned by the pipeline while the run lasts."""

    source: SourceConfig
    profile: Profile
    silent: bool  # baseline: archive without alerting
    rules: str  # rules_key of the source's profile, selector and ignore patterns
    pages: int = 0
    meetings: int = 0
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
    failures: list[tuple[str, str]] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)
    left_out: list[LeftOut] = field(default_factory=list)  # new pages beyond a max_pages
    _now: tuple[datetime, str] | None = None  # the clock's last reading and its text

    def now(self) -> str:
        """The clock as text; formatted once per distinct reading (several times a page)."""
        when = self.clock()
        if self._now is None or self._now[0] != when:
            self._now = (when, iso(when))
        return self._now[1]

    def tick(self, what: str, url: str) -> None:
        if self.progress is not None:
            self.progress(what, url)


def source_profile(source: SourceConfig) -> Profile:
    return profile_for(source.url, source.profile)


class Checker:
    """Checks pages of one run and records what changed."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.archive = run.archive

    # --- failures ---------------------------------------------------------------------------

    def fail(self, sr: SourceRun, page: PageRow, error: str, status: int | None = None) -> None:
        """Record a failed check. After `failures_before_alert` in a row: `page_removed` when an
        archived page answers 404/410 (told once), else `source_failing` (reminded daily)."""
        run, now = self.run, self.run.now()
        failures = page.failures + 1
        log.info("%s: %s", sr.source.id, error)  # the CLI lists failures; the daemon logs INFO
        with self.archive.transaction():
            self.archive.record_check(page.id, run.run_id, now, "failed", error)
            self.archive.update_page(page.id, failures=failures, last_error=error)
            alerted = page.failing_alerted_at
            due = alerted is None or (
                run.clock() - datetime.fromisoformat(alerted.replace("Z", "+00:00")) >= REMIND_EVERY
            )
            gone = status in (404, 410) and self.archive.latest_version(page.id) is not None
            if failures >= run.config.failures_before_alert and gone and alerted is None:
                self.archive.add_event(
                    run.run_id,
                    PageRemoved(sr.source.id, page.url, page.title or "", error),
                    now,
                )
                self.archive.update_page(page.id, failing_alerted_at=now)
            elif failures >= run.config.failures_before_alert and due and not gone:
                self.archive.add_event(
                    run.run_id,
                    SourceFailing(sr.source.id, page.url, error, failures),
                    now,
                )
                self.archive.update_page(page.id, failing_alerted_at=now)
        run.failures.append((sr.source.id, error))

    def succeeded(self, sr: SourceRun, page: PageRow) -> None:
        """Inside a transaction: clear the failure count; say so if an alert went out."""
        if not page.failing:
            return
        if page.failing_alerted_at is not None:
            self.archive.add_event(
                self.run.run_id,
                SourceRecovered(sr.source.id, page.url, "", page.failures),
                self.run.now(),
            )
        self.archive.update_page(page.id, failures=0, failing_alerted_at=None, last_error=None)

    # --- pages ------------------------------------------------------------------------------

    async def fetch(self, sr: SourceRun, page: PageRow, *, conditional: bool) -> FetchResult | None:
        self.run.tick("fetch", page.url)
        self.run.pages_checked += 1
        try:
            return await self.run.fetcher.fetch(
                page.url,
                etag=page.etag if conditional else None,
                last_modified=page.last_modified if conditional else None,
                allow=self.run.policy.allows,
            )
        except FetchError as exc:
            self.fail(sr, page, str(exc), exc.status)
            return None

    def not_modified(self, sr: SourceRun, page: PageRow) -> None:
        run = self.run
        if not page.failing:  # nothing to clear
            self.archive.record_quiet_check(page.id, run.run_id, run.now(), "not-modified")
            return
        with self.archive.transaction():
            self.archive.record_check(page.id, run.run_id, run.now(), "not-modified")
            self.succeeded(sr, page)

    async def check_page(self, sr: SourceRun, url: str, role: str) -> bool:
        self.run.checked.add(url)
        # the host's turn first, holding nothing: a slow host queues only its own pages
        async with self.run.fetcher.turn(url) as turn, self.run.in_flight:
            return await self._check_page(sr, url, role, turn)

    async def _check_page(self, sr: SourceRun, url: str, role: str, turn: HostTurn) -> bool:
        page = self.archive.ensure_page(url, sr.source.id, role, self.run.now())
        previous = self.archive.latest_version(page.id)
        result = await self.fetch(sr, page, conditional=previous is not None)
        turn.release()  # the host serves the next page while this one is parsed and recorded
        if result is None:
            return False
        if result.not_modified:
            self.not_modified(sr, page)
            return True
        rules = sr.rules
        archive_config = self.run.config.archive
        prepared = await self.run.preparer(
            Job(
                url=url,
                body=result.body,
                content_type=result.content_type,
                profile=sr.profile.name,
                selector=sr.source.selector,
                ignore=tuple(sr.source.ignore),
                unchanged_sha=previous.text_sha if previous and previous.rules == rules else None,
                blobs=str(self.archive.blobs.root),
                fsync=archive_config.fsync,
            )
        )
        try:
            if prepared.not_content is not None:
                self.fail(sr, page, prepared.not_content)
                return False
            if prepared.store_error is not None:
                raise ArchiveError(prepared.store_error)
            self.commit(sr, page, prepared, result.body, result, extract=True)
        except ArchiveError as exc:
            # disk full, database busy: nothing was half-written; the next run tries again
            log.error("%s: %s", sr.source.id, exc)
            self.run.failures.append((sr.source.id, str(exc)))
            return False
        return True

    def commit(
        self,
        sr: SourceRun,
        page: PageRow,
        new: Prepared,
        raw: bytes,
        result: FetchResult | None,
        *,
        extract: bool,
        alert: bool = True,
    ) -> None:
        """Archive the page if its content changed, with the events it causes, in one
        transaction."""
        run, archive, now = self.run, self.archive, self.run.now()
        rules = sr.rules
        previous = archive.latest_version(page.id)
        sha = new.text_sha
        same_rules = previous is not None and previous.rules == rules
        old_doc: Document | None = None
        damage: str | None = None  # the previous version could not be read back
        if previous is not None and same_rules:
            unchanged = previous.text_sha == sha  # the common case: no blob read at all
            if not unchanged:
                old_doc, damage = self.previous_document(sr, page, previous)
        elif previous is not None:
            old_doc, damage = self.previous_document(sr, page, previous)
            unchanged = old_doc is not None and text_digest(old_doc) == sha
        else:
            unchanged = False
        etag = result.etag if result else None
        modified = result.last_modified if result else None
        if unchanged and same_rules and not page.failing:
            archive.record_quiet_check(
                page.id, run.run_id, now, "unchanged", (etag, modified, new.title)
            )
            return
        headers = dict(result.headers) if result else {}
        encoding = new.encoding or (result.encoding if result else None)
        if encoding:
            headers["x-monitor-encoding"] = encoding
        with archive.transaction():
            if damage is None:
                self.succeeded(sr, page)
            archive.update_page(page.id, etag=etag, last_modified=modified, title=new.title)
            if unchanged and same_rules:
                archive.record_check(page.id, run.run_id, now, "unchanged")
                return
            version = archive.add_version(
                page.id,
                fetched_at=now,
                raw=raw,
                doc=None if new.stored else new.document(archive.blobs),
                stored=new.stored,
                rules=rules,
                status=result.status if result else None,
                content_type=result.content_type if result else "text/html",
                final_url=result.final_url if result else page.url,
                headers=headers,
                text_sha=sha,
            )
            if damage is not None:
                self.rebaselined(sr, page, version, damage)
            else:
                archive.record_check(page.id, run.run_id, now, "new-version")
            sr.pages += 1
            if unchanged:
                return  # same content under new rules: archived, not news
            flap = previous is not None and self.flip_flop(page, previous, sha, now)
            notify = alert and not sr.silent and not flap
            if notify and previous is not None and damage is None:
                old_doc = old_doc or archive.document(previous)
                self.changed_event(
                    sr, page, old_doc, new.document(archive.blobs), previous, version
                )
            elif notify and previous is None and page.role != "page":
                archive.add_event(
                    run.run_id,
                    PageAdded(sr.source.id, page.url, new.title),
                    now,
                    version_id=version.id,
                )
            if extract:
                self.meeting(sr, new, notify=not sr.silent)

    def previous_document(
        self, sr: SourceRun, page: PageRow, previous: VersionRow
    ) -> tuple[Document | None, str | None]:
        """The previous version's document under today's rules (read again from its raw
        response if it is damaged), or (None, what is damaged): never a document of garbage."""
        try:
            return renormalise(self.archive, previous, page, sr.source, sr.profile), None
        except ArchiveDamaged as exc:
            return None, str(exc)

    def rebaselined(self, sr: SourceRun, page: PageRow, version: VersionRow, damage: str) -> None:
        """Inside a transaction: the previous version could not be read back, so `version`, the
        page as it is now, becomes its baseline, compared with nothing. Told once
        (`archive_damaged`) and counted as a failed check of the page, so that `source_failing`
        follows if it goes on."""
        log.warning("%s: %s; %s archived afresh", sr.source.id, damage, page.url)
        if not sr.silent:
            self.archive.add_event(
                self.run.run_id,
                ArchiveDamagedEvent(sr.source.id, page.url, damage),
                self.run.now(),
                version_id=version.id,
            )
        self.fail(sr, page, f"archive damaged: {damage}")

    def flip_flop(self, page: PageRow, previous: VersionRow, sha: str, now: str) -> bool:
        """A -> B -> A where B stood less than FLAP_SPAN or for one check only."""
        before = self.archive.version(page.id, previous.seq - 1) if previous.seq > 1 else None
        if before is None or before.text_sha != sha:
            return False
        since = previous.fetched_at
        stood = self.run.clock() - datetime.fromisoformat(since.replace("Z", "+00:00"))
        return stood < FLAP_SPAN or self.archive.checks_between(page.id, since, now) <= 1

    def changed_event(
        self,
        sr: SourceRun,
        page: PageRow,
        old: Document,
        new: Document,
        previous: VersionRow,
        version: VersionRow,
    ) -> None:
        diff = diff_documents(old, new)
        if diff.empty:
            return
        self.archive.add_event(
            self.run.run_id,
            PageChanged(
                sr.source.id,
                page.url,
                new.title,
                diff.added,
                diff.removed,
                diff.trivial,
                diff.speakers,
            ),
            self.run.now(),
            version_id=version.id,
            old_version_id=previous.id,
            queue=not diff.trivial or self.run.config.alert_trivial,  # mailed only if asked
        )

    def meeting(self, sr: SourceRun, new: Prepared, *, notify: bool) -> None:
        found = (
            meeting_stage.extract_meeting(new.document(self.archive.blobs), sr.profile.name)
            if new.meeting is False
            else new.meeting
        )
        if found is None:
            return
        sr.meetings += 1
        event = record_meeting(self.archive, found, sr.source.id, self.run.now(), sr.profile.name)
        if event is not None and notify:
            self.archive.add_event(self.run.run_id, event, self.run.now())

    # --- listings and feeds -----------------------------------------------------------------

    def follows(self, sr: SourceRun, url: str, text: str) -> bool:
        follow = sr.source.follow
        if follow is None:
            follow = sr.source.kind == "listing"
        if follow is False:
            return False
        if isinstance(follow, str) and not user_search(follow, f"{text} {url}"):  # RE2
            return False
        return self.run.policy.allows(url)

    async def fetch_index(self, sr: SourceRun, role: str) -> tuple[PageRow, FetchResult | None]:
        """A listing's or feed's own page: (its row, the response or None when it failed)."""
        page = self.archive.ensure_page(sr.source.url, sr.source.id, role, self.run.now())
        previous = self.archive.latest_version(page.id)
        result = await self.fetch(sr, page, conditional=previous is not None)
        if result is None:
            sr.failed = f"{role} failed"
        elif result.not_modified:
            self.not_modified(sr, page)
        return page, result

    async def check_listing(self, sr: SourceRun) -> None:
        try:
            page, result = await self.fetch_index(sr, "listing")
            if result is None:
                return
            if result.not_modified:  # links a killed run archived but never got to
                stored = self.archived(page).links
                await self.follow_links(sr, [(link.url, link.text) for link in stored])
                return
            try:
                links = listing_links(result.text, sr.source.url, sr.profile, sr.source.selector)
            except ContentError as exc:
                self.fail(sr, page, str(exc))
                sr.failed = str(exc)
                return
            doc = listing_document(sr.source.url, sr.source.id, links)
            self.commit(sr, page, Prepared.of(doc), result.body, result, extract=False, alert=False)
            await self.follow_links(sr, [(link.url, link.text) for link in links])
        finally:  # pages found earlier are checked even when the listing is down
            await self.recheck(sr, exclude={sr.source.url})

    def archived(self, page: PageRow) -> Document:
        """A listing's or feed's archived document (its links); empty when there is none, or
        when it cannot be read back (see `refetch`)."""
        version = self.archive.latest_version(page.id)
        try:
            return self.archive.document(version) if version else Document(page.url, "", ())
        except ArchiveDamaged as exc:
            self.refetch(page, exc)
            return Document(page.url, "", ())

    def refetch(self, page: PageRow, damage: ArchiveDamaged) -> None:
        """A 304 said nothing changed since a version the archive cannot read back: its
        validators are dropped, so that the next check fetches the page whole and archives it
        afresh (or finds its version sound again)."""
        log.warning("%s: %s; fetched whole at the next check", page.url, damage)
        self.archive.update_page(page.id, etag=None, last_modified=None)

    def archived_items(self, page: PageRow) -> list[FeedItem]:
        """The items of a feed's archived response."""
        version = self.archive.latest_version(page.id)
        if version is None:
            return []
        try:
            return parse_feed(archived_text(self.archive.raw(version), version), page.url)[1]
        except (ContentError, LookupError):
            return []
        except ArchiveDamaged as exc:
            self.refetch(page, exc)
            return []

    async def follow_links(self, sr: SourceRun, links: list[tuple[str, str]]) -> None:
        known = {p.url for p in self.archive.pages(sr.source.id)}
        fresh = [url for url, text in links if url not in known and self.follows(sr, url, text)]
        budget = max(0, sr.source.max_pages - len(known))
        targets = list(dict.fromkeys(fresh))
        self.leave_out(sr, targets[budget:], "first")
        targets = targets[:budget]
        await asyncio.gather(*(self.check_page(sr, url, "discovered") for url in targets))

    async def recheck(self, sr: SourceRun, exclude: set[str]) -> None:
        """Pages found earlier by this source are tracked like configured pages."""
        pages = [
            p
            for p in self.archive.pages(sr.source.id, "discovered")
            if p.url not in exclude and p.url not in self.run.checked
        ]
        await asyncio.gather(*(self.check_page(sr, p.url, "discovered") for p in pages))

    async def check_feed(self, sr: SourceRun) -> None:
        try:
            page, result = await self.fetch_index(sr, "feed")
            if result is None:
                return
            if result.not_modified:  # an archive whose feed an older run recorded before its items
                recorded = self.record_items(sr, self.archived_items(page), new_only=True)
                await self.follow_links(sr, [(i.url, i.title) for i in recorded])
                return
            try:
                title, items = parse_feed(result.text, sr.source.url)
            except ContentError as exc:
                self.fail(sr, page, str(exc))
                sr.failed = str(exc)
                return
            # the items first, the feed and its validators last: a run killed in between finds
            # the feed changed (not 304) next time and records every item again
            recorded = self.record_items(sr, items)
            doc = listing_document(sr.source.url, title, [Link(i.url, i.title) for i in items])
            self.commit(sr, page, Prepared.of(doc), result.body, result, extract=False, alert=False)
            await self.follow_links(sr, [(i.url, i.title) for i in recorded])
        finally:
            await self.recheck(sr, exclude={sr.source.url})

    def record_items(
        self, sr: SourceRun, items: list[FeedItem], *, new_only: bool = False
    ) -> list[FeedItem]:
        """Each item as a page of its own, known by its guid when the feed gives one (else by its
        link); new items beyond `max_pages` are left out, the newest kept. `new_only`: only
        items with no page yet. Returns the items recorded."""
        items = distinct_items(items)
        by_guid = self.archive.pages_by_guid(sr.source.id)
        by_url = {p.url: p for p in self.archive.pages(sr.source.id)}

        def stored(item: FeedItem) -> PageRow | None:
            return by_guid.get(item.guid or "") or by_url.get(item.url)

        fresh = [item for item in items if stored(item) is None]
        budget = max(0, sr.source.max_pages - len(by_url))
        kept = {id(item) for item in newest_first(fresh)[:budget]}
        self.leave_out(sr, [item.url for item in fresh if id(item) not in kept], "newest")
        recorded = []
        for item in items:
            page = stored(item)
            if (page is None and id(item) not in kept) or (page is not None and new_only):
                continue
            adopt = page is not None and item.guid is not None and item.guid not in by_guid
            self.feed_item(sr, item, self.item_page(sr, item, page, adopt=adopt))
            recorded.append(item)
        return recorded

    def item_page(
        self, sr: SourceRun, item: FeedItem, page: PageRow | None, *, adopt: bool
    ) -> PageRow:
        """The item's page: created, moved to the item's new link (same guid), or given the guid
        it was stored without (`adopt`: archives from before guids were kept)."""
        archive = self.archive
        if page is None:
            return archive.ensure_page(item.url, sr.source.id, "item", self.run.now(), item.guid)
        if page.url != item.url:  # found by its guid under its old link
            if archive.page(item.url, sr.source.id) is None:
                return archive.move_page(page, item.url)
            return archive.ensure_page(item.url, sr.source.id, "item", self.run.now())
        if adopt and item.guid is not None:
            archive.set_guid(page.id, item.guid)  # a no-op when it has another
        return page

    def feed_item(self, sr: SourceRun, item: FeedItem, page: PageRow) -> None:
        self.run.pages_checked += 1
        try:
            doc = item_document(item, sr.profile, sr.source.ignore)
        except ContentError as exc:  # this item alone
            self.fail(sr, page, str(exc))
            return
        self.commit(sr, page, Prepared.of(doc), item_raw(item), None, extract=True)

    def leave_out(self, sr: SourceRun, urls: list[str], kept: str) -> None:
        if urls:
            log.info(
                "%s: %d new page(s) left out (max_pages %d)",
                sr.source.id,
                len(urls),
                sr.source.max_pages,
            )
            left = LeftOut(sr.source.id, sr.source.max_pages, tuple(urls), kept)
            self.run.left_out.append(left)

    async def check_source(self, sr: SourceRun) -> None:
        log.debug("checking %s (%s)", sr.source.id, sr.source.url)
        if sr.source.kind == "listing":
            await self.check_listing(sr)
        elif sr.source.kind == "feed":
            await self.check_feed(sr)
        elif not await self.check_page(sr, sr.source.url, "page"):
            sr.failed = "page failed"


def distinct_items(items: list[FeedItem]) -> list[FeedItem]:
    """Each item once: a guid the feed gives two items identifies neither (they are known by
    their links), and a link given twice is one page (the first item)."""
    repeated = {g for g, n in Counter(i.guid for i in items if i.guid).items() if n > 1}
    out, links = [], set()
    for item in items:
        if item.url in links:
            continue
        links.add(item.url)
        out.append(replace(item, guid=None) if item.guid in repeated else item)
    return out


async def _check_all(run: Run, sources: list[SourceConfig]) -> list[SourceRun]:
    checker = Checker(run)
    srs = []
    for source in sources:
        baselined = run.archive.ensure_source(source.id, source.url, source.kind)
        profile = source_profile(source)
        rules = rules_key(profile, source.selector, source.ignore)
        srs.append(SourceRun(source, profile, silent=not baselined, rules=rules))

    async def one(sr: SourceRun) -> None:
        try:
            await checker.check_source(sr)
        except MonitorError as exc:  # ArchiveError too: the archive refused this source's write
            sr.failed = str(exc)
            run.failures.append((sr.source.id, str(exc)))
        log.info(
            "%s: %d new version(s)%s",
            sr.source.id,
            sr.pages,
            f", failed: {sr.failed}" if sr.failed else "",
        )
        if sr.silent and sr.failed is None:
            with run.archive.transaction():
                run.archive.set_baseline(sr.source.id, run.now())
                run.archive.add_event(
                    run.run_id,
                    Baseline(sr.source.id, sr.pages, sr.meetings),
                    run.now(),
                )

    await asyncio.gather(*(one(sr) for sr in srs))
    return srs


def select_sources(config: Config, ids: list[str] | None) -> list[SourceConfig]:
    if not ids:
        return list(config.sources)
    return [config.source(i) for i in ids]


def _meetings_under_current_rules(config: Config, archive: Archive) -> None:
    profiles = {s.id: source_profile(s).name for s in config.sources}

    def site_of(page: PageRow) -> str:
        return profiles.get(page.source_id) or profile_for(page.url).name

    rebuilt = rebuild_meetings(archive, site_of)
    if rebuilt and rebuilt[0]:
        log.info(
            "meetings found again under the current rules: %d meetings (were %d)",
            rebuilt[1],
            rebuilt[0],
        )


async def check(
    config: Config,
    *,
    source_ids: list[str] | None = None,
    clock: Clock = utcnow,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    progress: Progress | None = None,
    email: bool = True,
    archive: Archive | None = None,
) -> RunReport:
    """Check the (named) sources once, write the run's report, deliver mail. The daemon and
    `check-now` both call this."""
    from monitor import report as report_stage

    sources = select_sources(config, source_ids)
    own = archive is None
    archive = archive or Archive.for_config(config)
    try:
        # each output (a report, the index, the feed) may fail alone: logged, alerted, and the
        # run and its mail go on
        failed = report_stage.attempt(
            config.reports_dir, lambda: report_stage.recover(config, archive)
        )
        output_errors = [failed] if failed else []
        _meetings_under_current_rules(config, archive)
        started = run_started = clock()
        run_id = archive.start_run(iso(run_started))
        netlocs = {urlsplit(s.url).netloc for s in config.sources}
        policy = UrlPolicy(config.hosts(), netlocs, allow_private=config.fetch.allow_private)
        workers = default_workers() if config.workers is None else config.workers
        preparer = Preparer(workers)
        try:
            async with Fetcher(config.fetch, sleep=sleep, policy=policy) as fetcher:
                # a queue at each worker so fetching goes on while they parse; bounded memory
                in_flight = asyncio.Semaphore(config.fetch.concurrency + 16 * workers)
                run = Run(
                    config, archive, fetcher, clock, run_id, policy, preparer, in_flight, progress
                )
                await _check_all(run, sources)
        finally:
            await preparer.close()
        archive.flush_checks()
        raw_events = archive.unreported_events()
        events = report_stage.consolidate(raw_events, report_stage.meetings_now(archive))
        finished = clock()
        path = report_stage.report_file(config, run_id)
        failed = report_stage.attempt(
            path,
            lambda: report_stage.write_run_report(
                archive, config, run_id, events, iso(started), iso(finished), run.left_out
            ),
        )
        output_errors += [failed] if failed else []
        crash.point("report-written")
        with archive.transaction():
            archive.mark_reported([e.id for e in raw_events if e.id is not None], run_id)
            archive.finish_run(run_id, iso(finished), str(path))
        output_errors += report_stage.publish(config, archive, run_id)
        if output_errors:
            report_stage.alert_outputs(archive, run_id, output_errors, iso(finished))
        mail_error = None
        if email and config.email is not None:
            from monitor.report.notify import deliver_outbox

            try:
                await deliver_outbox(archive, config, clock=clock)
            except MonitorError as exc:
                log.error("%s (the digest stays queued for the next run)", exc)
                mail_error = str(exc)
        return RunReport(
            iso(started),
            iso(finished),
            len(sources),
            run.pages_checked,
            tuple(events),
            tuple(run.failures),
            str(path) if path.exists() else None,
            run_id,
            mail_error,
            tuple(run.left_out),
            output_errors=tuple(output_errors),
        )
    finally:
        if own:
            archive.close()
