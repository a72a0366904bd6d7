"""Listings and feeds: their own page, the pages they link to or the items they carry (each a
page of its own), within a source's `max_pages`."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import replace

from monitor.archive import Archive, PageRow
from monitor.archive.stored import archived_text, item_document, item_raw
from monitor.errors import ArchiveDamaged, ContentError
from monitor.fetch.decode import decode_text
from monitor.fetch.urls import UrlPolicy
from monitor.models import Document, FetchResult, LeftOut, Link
from monitor.normalise import listing_document, listing_links
from monitor.normalise.feeds import FeedItem, newest_first, parse_feed
from monitor.normalise.patterns import user_search
from monitor.pipeline.page import PageChecker, Recorder
from monitor.pipeline.prepare import Prepared
from monitor.pipeline.run import Run, SourceRun

log = logging.getLogger(__name__)


def follows(policy: UrlPolicy, sr: SourceRun, url: str, text: str) -> bool:
    follow = sr.source.follow
    if follow is None:
        follow = sr.source.kind == "listing"
    if follow is False:
        return False
    if isinstance(follow, str) and not user_search(follow, f"{text} {url}"):  # RE2
        return False
    return policy.allows(url)


def refetch(archive: Archive, page: PageRow, damage: ArchiveDamaged) -> None:
    """A 304 said nothing changed since a version the archive cannot read back: its
    validators are dropped, so that the next check fetches the page whole and archives it
    afresh (or finds its version sound again)."""
    log.warning("%s: %s; fetched whole at the next check", page.url, damage)
    archive.update_page(page.id, etag=None, last_modified=None)


def archived(archive: Archive, page: PageRow) -> Document:
    """A listing's or feed's archived document (its links); empty when there is none, or
    when it cannot be read back (see `refetch`)."""
    version = archive.latest_version(page.id)
    try:
        return archive.document(version) if version else Document(page.url, "", ())
    except ArchiveDamaged as exc:
        refetch(archive, page, exc)
        return Document(page.url, "", ())


def archived_items(archive: Archive, page: PageRow) -> list[FeedItem]:
    """The items of a feed's archived response."""
    version = archive.latest_version(page.id)
    if version is None:
        return []
    try:
        return parse_feed(archived_text(archive.raw(version), version), page.url)[1]
    except (ContentError, LookupError):
        return []
    except ArchiveDamaged as exc:
        refetch(archive, page, exc)
        return []


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


class IndexChecker:
    """Checks the listings and feeds of one run; their pages through the `PageChecker`."""

    def __init__(self, run: Run, pages: PageChecker, recorder: Recorder) -> None:
        self.run = run
        self.archive = run.archive
        self.pages = pages
        self.recorder = recorder

    async def check_index(self, sr: SourceRun) -> None:
        """A listing or a feed (`sr.source.kind`): its own page first, then the pages it leads
        to, then the pages it led to before (checked even when the index itself is down)."""
        role = sr.source.kind
        try:
            page, result = await self.fetch_index(sr, role)
            if result is None:
                return
            if result.not_modified:
                await self.follow_links(sr, self.resume(sr, page))
                return
            text, encoding = decode_text(result.body, result.content_type)
            before = self.listed_before(sr, page)
            try:
                doc, links = self.read(sr, text, before)
            except ContentError as exc:
                self.recorder.fail(sr, page, str(exc))
                sr.failed = str(exc)
                return
            self.recorder.commit(
                sr,
                page,
                Prepared.of(doc, encoding),
                result.body,
                result,
                extract=False,
                alert=False,
            )
            await self.follow_links(sr, links, before)
        finally:
            await self.recheck(sr, exclude={sr.source.url})

    def listed_before(self, sr: SourceRun, page: PageRow) -> set[str] | None:
        """The links (a feed's item links) the index's archived version gave, read only when the
        source has retired pages: one of them listed anew (not in this set) is checked again.
        None when there are none."""
        if not self.archive.any_retired(sr.source.id):
            return None
        if sr.source.kind == "feed":
            return {i.url for i in archived_items(self.archive, page)}
        return {link.url for link in archived(self.archive, page).links}

    def relisted(self, sr: SourceRun, page: PageRow, before: set[str] | None) -> bool:
        """Whether a retired page is checked again: it was not on the index's archived version
        and is on it now (it came back). It is un-retired here."""
        if before is None or page.url in before:
            return False
        log.info("%s: %s is listed again: checked again", sr.source.id, page.url)
        self.archive.retire([page.id], None)
        return True

    async def fetch_index(self, sr: SourceRun, role: str) -> tuple[PageRow, FetchResult | None]:
        """A listing's or feed's own page: (its row, the response or None when it failed)."""
        page = self.archive.ensure_page(sr.source.url, sr.source.id, role, self.run.now())
        previous = self.archive.latest_version(page.id)
        result = await self.pages.fetch(sr, page, conditional=previous is not None)
        if result is None:
            sr.failed = f"{role} failed"
        elif result.not_modified:
            self.recorder.not_modified(sr, page)
        return page, result

    def read(
        self, sr: SourceRun, text: str, before: set[str] | None = None
    ) -> tuple[Document, list[tuple[str, str]]]:
        """The index's own document and the (url, text) of the pages to follow from it. A feed's
        items are recorded here, before the feed and its validators are: a run killed in
        between finds the feed changed (not 304) next time and records every item again."""
        if sr.source.kind == "feed":
            title, items = parse_feed(text, sr.source.url)
            recorded = self.record_items(sr, items, before=before)
            doc = listing_document(sr.source.url, title, [Link(i.url, i.title) for i in items])
            return doc, [(i.url, i.title) for i in recorded]
        links = listing_links(text, sr.source.url, sr.profile, sr.source.selector)
        doc = listing_document(sr.source.url, sr.source.id, links)
        return doc, [(link.url, link.text) for link in links]

    def resume(self, sr: SourceRun, page: PageRow) -> list[tuple[str, str]]:
        """On a 304, what a killed run archived but never got to: a listing's archived links; a
        feed's archived items that have no page yet (recorded now)."""
        if sr.source.kind == "feed":
            items = archived_items(self.archive, page)
            return [(i.url, i.title) for i in self.record_items(sr, items, new_only=True)]
        return [(link.url, link.text) for link in archived(self.archive, page).links]

    async def follow_links(
        self, sr: SourceRun, links: list[tuple[str, str]], before: set[str] | None = None
    ) -> None:
        """The new pages an index links to (within `max_pages`), and retired ones it lists anew
        (`relisted`)."""
        pages = self.archive.pages(sr.source.id)
        known = {p.url for p in pages}
        linked = {url for url, _ in links}
        back = [
            p.url
            for p in pages
            if p.retired_at is not None and p.url in linked and self.relisted(sr, p, before)
        ]
        policy = self.run.policy
        own = self.configured()
        fresh = [
            url
            for url, text in links
            if url not in known and url not in own and follows(policy, sr, url, text)
        ]
        budget = max(0, sr.source.max_pages - len(known))
        targets = list(dict.fromkeys(fresh))
        self.leave_out(sr, targets[budget:], "first")
        targets = back + targets[:budget]
        await asyncio.gather(*(self.pages.check_page(sr, url, "discovered") for url in targets))

    def configured(self) -> set[str]:
        """The URLs the config names as sources: each is checked as its own source, never again
        as a page an index leads to (one page in the archive, fetched once a run)."""
        return {s.url for s in self.run.config.sources}

    async def recheck(self, sr: SourceRun, exclude: set[str]) -> None:
        """Pages found earlier by this source are tracked like configured pages, unless
        retired."""
        skip = exclude | self.run.checked | self.configured()
        pages = [
            p
            for p in self.archive.pages(sr.source.id, "discovered")
            if p.url not in skip and p.retired_at is None
        ]
        await asyncio.gather(*(self.pages.check_page(sr, p.url, "discovered") for p in pages))

    def record_items(
        self,
        sr: SourceRun,
        items: list[FeedItem],
        *,
        new_only: bool = False,
        before: set[str] | None = None,
    ) -> list[FeedItem]:
        """Each item as a page of its own, known by its guid when the feed gives one (else by its
        link); new items beyond `max_pages` are left out, the newest kept. `new_only`: only
        items with no page yet. A retired item's page is recorded only when the item is back
        (not among `before`, the archived feed's item links). Returns the items recorded."""
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
            if page is not None and page.retired_at is not None:
                if not self.relisted(sr, replace(page, url=item.url), before):
                    continue
                page = replace(page, retired_at=None)
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
            self.recorder.fail(sr, page, str(exc))
            return
        self.recorder.commit(sr, page, Prepared.of(doc), item_raw(item), None, extract=True)

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
