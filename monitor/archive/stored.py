"""What the archive keeps of a page and how it is read back: a feed item's archived form, a
response's text in the encoding it was fetched with, and a version renormalised under today's
rules — read again from its raw response when its stored document is damaged."""

from __future__ import annotations

import logging
from collections.abc import Callable

from monitor.archive import Archive, PageRow, VersionRow, canonical
from monitor.archive.blobs import sha256
from monitor.config import Config, SourceConfig
from monitor.errors import ArchiveDamaged, ConfigError, ContentError
from monitor.models import Document, Link
from monitor.normalise import (
    listing_document,
    listing_links,
    normalise,
    normalise_fragment,
    rules_key,
)
from monitor.normalise.feeds import FeedItem, parse_feed
from monitor.sites import Profile, profile_for

log = logging.getLogger(__name__)


def item_document(item: FeedItem, profile: Profile, ignore: list[str]) -> Document:
    """A feed item's own content, normalised like a page's."""
    return normalise_fragment(
        item.html, item.url, item.title, profile, published=item.published, ignore=ignore
    )


def item_raw(item: FeedItem) -> bytes:
    """What is archived as a feed item's raw response: its title line, then its HTML."""
    return f"{item.title}\n{item.html}".encode()


def item_from_raw(url: str, raw: bytes, published: str | None) -> FeedItem:
    title, _, html = raw.decode("utf-8").partition("\n")
    return FeedItem(url, title, html, published)


def archived_text(raw: bytes, version: VersionRow) -> str:
    """A version's raw response as text, in the encoding it was decoded with when fetched."""
    return raw.decode(version.headers.get("x-monitor-encoding", "utf-8"), "replace")


def renormalise(
    archive: Archive, version: VersionRow, page: PageRow, source: SourceConfig, profile: Profile
) -> Document:
    """The previous version under today's rules, so a rule change never reads as a page change.
    A stored document that is missing or damaged is made again from the raw response; when that
    is damaged too, ArchiveDamaged: the caller never compares a page with garbage."""
    try:
        stored = archive.document(version)
    except ArchiveDamaged as damage:
        return rebuild(archive, version, page, source, profile, damage)
    if version.rules == rules_key(profile, source.selector, source.ignore):
        return stored
    if page.role in ("listing", "feed"):
        return stored
    try:
        return from_raw(archive.raw(version), version, page, source, profile, stored.published)
    except (ContentError, UnicodeDecodeError, LookupError):
        return stored


def from_raw(
    raw: bytes,
    version: VersionRow,
    page: PageRow,
    source: SourceConfig,
    profile: Profile,
    published: str | None,
) -> Document:
    """A version's document made from its raw response under today's rules, as the pipeline
    makes it from a fresh response. `published`: a feed item's date, which its raw form lacks."""
    if page.role == "item":
        return item_document(item_from_raw(page.url, raw, published), profile, source.ignore)
    text = archived_text(raw, version)
    if page.role == "listing":
        links = listing_links(text, page.url, profile, source.selector)
        return listing_document(page.url, source.id, links)
    if page.role == "feed":
        title, items = parse_feed(text, page.url)
        return listing_document(page.url, title, [Link(i.url, i.title) for i in items])
    return normalise(
        raw,
        text,
        version.content_type or "",
        page.url,
        profile,
        selector=source.selector,
        ignore=source.ignore,
    )


def rebuild(
    archive: Archive,
    version: VersionRow,
    page: PageRow,
    source: SourceConfig,
    profile: Profile,
    damage: ArchiveDamaged,
) -> Document:
    """The document of a version whose stored document is damaged, made again from its raw
    response (which the blob store has checked against its hash). When that gives back the very
    document that was stored, its blob is repaired. ArchiveDamaged when the raw response is
    damaged too, or reads as no document."""
    where = f"{page.url} version {version.seq}"
    try:
        raw = archive.raw(version)
    except ArchiveDamaged as exc:
        raise ArchiveDamaged(f"{where}: {damage}; raw response: {exc}") from None
    try:
        doc = from_raw(raw, version, page, source, profile, None)
    except (ContentError, UnicodeDecodeError, LookupError) as exc:
        raise ArchiveDamaged(
            f"{where}: {damage}; its raw response reads as no page: {exc}"
        ) from None
    data = canonical(doc)
    repaired = sha256(data) == version.doc_sha and not archive.readonly
    if repaired:
        archive.blobs.put(data)  # replaces the damaged file
    log.warning(
        "%s: %s; read again from its raw response%s",
        where,
        damage,
        " and repaired" if repaired else "",
    )
    return doc


def readable(archive: Archive, config: Config) -> Callable[[VersionRow], Document]:
    """For reports and digests: a version's document as archived, or, when that is damaged, as
    the run that compared it read it again from its raw response."""

    def read(version: VersionRow) -> Document:
        try:
            return archive.document(version)
        except ArchiveDamaged as damage:
            page = next((p for p in archive.pages() if p.id == version.page_id), None)
            try:
                source = config.source(page.source_id) if page else None
            except ConfigError:
                source = None
            if page is None or source is None:
                raise
            profile = profile_for(source.url, source.profile)
            return rebuild(archive, version, page, source, profile, damage)

    return read
