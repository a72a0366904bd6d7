"""One page: fetched (`PageChecker`), then recorded (`Recorder`): a new version when its content
changed, with the events it causes, in one transaction; failures and recoveries per
`alerts`."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from monitor import meetings as meeting_stage
from monitor.archive import Archive, PageRow, VersionRow, text_digest
from monitor.archive.meetings import record_meeting
from monitor.archive.stored import renormalise
from monitor.diff import diff_documents
from monitor.errors import ArchiveDamaged, ArchiveError, FetchError
from monitor.events import ArchiveDamaged as ArchiveDamagedEvent
from monitor.events import (
    PageAdded,
    PageChanged,
    PageRemoved,
    SourceFailing,
    SourceRecovered,
    TypedEvent,
)
from monitor.fetch import HostTurn
from monitor.models import Document, FetchResult
from monitor.pipeline import alerts
from monitor.pipeline.prepare import Job, Prepared
from monitor.pipeline.run import Clock, Run, SourceRun

log = logging.getLogger(__name__)

# A return to the version before the previous one is a flip-flop, not news, when the previous
# one stood less than this or was seen by one check only; a retraction of text that stood is news.
FLAP_SPAN = timedelta(hours=24)


def previous_document(
    archive: Archive, sr: SourceRun, page: PageRow, previous: VersionRow
) -> tuple[Document | None, str | None]:
    """The previous version's document under today's rules (read again from its raw
    response if it is damaged), or (None, what is damaged): never a document of garbage."""
    try:
        return renormalise(archive, previous, page, sr.source, sr.profile), None
    except ArchiveDamaged as exc:
        return None, str(exc)


def compare(
    archive: Archive, sr: SourceRun, page: PageRow, previous: VersionRow | None, sha: str
) -> tuple[bool, Document | None, str | None]:
    """(unchanged, the previous document if it was read, what is damaged if it could not be)."""
    if previous is not None and previous.rules == sr.rules:
        if previous.text_sha == sha:  # the common case: no blob read at all
            return True, None, None
        return (False, *previous_document(archive, sr, page, previous))
    if previous is not None:
        old_doc, damage = previous_document(archive, sr, page, previous)
        return old_doc is not None and text_digest(old_doc) == sha, old_doc, damage
    return False, None, None


def flip_flop(
    archive: Archive, clock: Clock, page: PageRow, previous: VersionRow, sha: str, now: datetime
) -> bool:
    """A -> B -> A where B stood less than FLAP_SPAN or for one check only."""
    before = archive.version(page.id, previous.seq - 1) if previous.seq > 1 else None
    if before is None or before.text_sha != sha:
        return False
    since = previous.fetched_at
    stood = clock() - since
    return stood < FLAP_SPAN or archive.checks_between(page.id, since, now) <= 1


def changed_event(
    run: Run,
    sr: SourceRun,
    page: PageRow,
    old: Document,
    new: Document,
    previous: VersionRow,
    version: VersionRow,
) -> PageChanged | None:
    """Inside a transaction: the page_changed event of `old` -> `new`, if they differ, recorded
    and returned with its id and the changes computed here (which the archive does not keep)."""
    diff = diff_documents(old, new)
    if diff.empty:
        return None
    event = PageChanged(
        sr.source.id,
        page.url,
        new.title,
        diff.added,
        diff.removed,
        diff.trivial,
        diff.speakers,
        changes=diff.changes,
    )
    at = run.now()
    event_id = run.archive.add_event(
        run.run_id,
        event,
        at,
        version_id=version.id,
        old_version_id=previous.id,
        queue=not diff.trivial or run.config.alert_trivial,  # mailed only if asked
    )
    return replace(event, id=event_id, created_at=at)


class Recorder:
    """Records what the checks of one run found: versions, events, failures."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.archive = run.archive

    def fail(self, sr: SourceRun, page: PageRow, error: str, status: int | None = None) -> None:
        """Record a failed check; alert as `alerts.on_failure` says. A page removed for good
        (`alerts.retires`) is retired; a retired page's failed check (a configured source's own
        URL is still fetched) is recorded, and is neither alerted nor a failure of the run."""
        run, now = self.run, self.run.now()
        log.info("%s: %s", sr.source.id, error)  # the CLI lists failures; the daemon logs INFO
        limit = run.config.failures_before_alert
        with self.archive.transaction():
            gone = alerts.is_gone(status) and self.archive.latest_version(page.id) is not None
            todo = alerts.on_failure(
                page.failures,
                page.failing_alerted_at,
                run.clock(),
                gone=gone,
                failures_before_alert=limit,
            )
            retired = page.retired_at is not None
            retire = alerts.retires(todo.failures, gone=gone, failures_before_alert=limit)
            self.archive.record_check(page.id, run.run_id, now, "failed", error)
            self.archive.update_page(page.id, failures=todo.failures, last_error=error)
            if todo.alert is not None and not retired:
                event: TypedEvent = (
                    PageRemoved(sr.source.id, page.url, page.title or "", error)
                    if todo.alert == "page_removed"
                    else SourceFailing(sr.source.id, page.url, error, todo.failures)
                )
                self.archive.add_event(run.run_id, event, now)
                self.archive.update_page(page.id, failing_alerted_at=now)
            if retire and not retired:
                self.archive.update_page(page.id, retired_at=now)
        if not (retire or retired):
            run.failures.append((sr.source.id, page.url, error))

    def succeeded(self, sr: SourceRun, page: PageRow) -> None:
        """Inside a transaction: clear the failure count; say so if an alert went out. A retired
        page that answers again is checked again."""
        if page.retired_at is not None:
            self.archive.update_page(page.id, retired_at=None)
        todo = alerts.on_success(page.failures, page.failing_alerted_at)
        if not todo.clear:
            return
        if todo.recovered:
            self.archive.add_event(
                self.run.run_id,
                SourceRecovered(sr.source.id, page.url, "", page.failures),
                self.run.now(),
            )
        self.archive.update_page(page.id, failures=0, failing_alerted_at=None, last_error=None)

    def not_modified(self, sr: SourceRun, page: PageRow) -> None:
        run = self.run
        clear = alerts.on_success(page.failures, page.failing_alerted_at).clear
        if not clear and page.retired_at is None:
            self.archive.record_quiet_check(page.id, run.run_id, run.now(), "not-modified")
            return
        with self.archive.transaction():
            self.archive.record_check(page.id, run.run_id, run.now(), "not-modified")
            self.succeeded(sr, page)

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
        previous = archive.latest_version(page.id)
        sha = new.text_sha
        same_rules = previous is not None and previous.rules == sr.rules
        unchanged, old_doc, damage = compare(archive, sr, page, previous, sha)
        etag = result.etag if result else None
        modified = result.last_modified if result else None
        if unchanged and same_rules and not page.failing and page.retired_at is None:
            archive.record_quiet_check(
                page.id, run.run_id, now, "unchanged", (etag, modified, new.title)
            )
            return
        headers = dict(result.headers) if result else {}
        if new.encoding:
            headers["x-monitor-encoding"] = new.encoding
        told: PageChanged | None = None
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
                rules=sr.rules,
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
            flap = previous is not None and flip_flop(archive, run.clock, page, previous, sha, now)
            notify = alert and not sr.silent and not flap
            if notify and previous is not None and damage is None:
                old_doc = old_doc or archive.document(previous)
                told = changed_event(
                    run, sr, page, old_doc, new.document(archive.blobs), previous, version
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
        if told is not None:  # handed on once committed: a rolled-back event's id may be reused
            run.changed.append(told)

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

    def meeting(self, sr: SourceRun, new: Prepared, *, notify: bool) -> None:
        found = (
            meeting_stage.extract_meeting(new.document(self.archive.blobs), sr.profile.name)
            if new.meeting is False
            else new.meeting
        )
        if found is None:
            return
        event = record_meeting(self.archive, found, sr.source.id, self.run.now(), sr.profile.name)
        sr.meetings.add(event.meeting.id if event is not None else found.id)
        if event is not None and notify:
            self.archive.add_event(self.run.run_id, event, self.run.now())


class PageChecker:
    """Fetches pages of one run and hands them to the `Recorder`."""

    def __init__(self, run: Run, recorder: Recorder) -> None:
        self.run = run
        self.archive = run.archive
        self.recorder = recorder

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
            self.recorder.fail(sr, page, str(exc), exc.status)
            return None

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
            self.recorder.not_modified(sr, page)
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
                self.recorder.fail(sr, page, prepared.not_content)
                return False
            if prepared.store_error is not None:
                raise ArchiveError(prepared.store_error)
            self.recorder.commit(sr, page, prepared, result.body, result, extract=True)
        except ArchiveError as exc:
            # disk full, database busy: nothing was half-written; the next run tries again
            log.error("%s: %s", sr.source.id, exc)
            self.run.failures.append((sr.source.id, page.url, str(exc)))
            return False
        return True
