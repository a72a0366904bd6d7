"""What the archive keeps of a page and how it is read back: a feed item's archived form, a
response's text in the encoding it was fetched with, and a version renormalised under today's
rules."""

from __future__ import annotations

from monitor.archive import Archive, PageRow, VersionRow
from monitor.config import SourceConfig
from monitor.errors import ContentError
from monitor.feeds import FeedItem
from monitor.models import Document
from monitor.normalise import normalise, normalise_fragment, rules_key
from monitor.sites import Profile


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
    """The previous version under today's rules, so a rule change never reads as a page change."""
    stored = archive.document(version)
    if version.rules == rules_key(profile, source.selector, source.ignore):
        return stored
    raw = archive.raw(version)
    try:
        if page.role == "item":
            item = item_from_raw(page.url, raw, stored.published)
            return item_document(item, profile, source.ignore)
        if page.role in ("listing", "feed"):
            return stored
        return normalise(
            raw,
            archived_text(raw, version),
            version.content_type or "",
            page.url,
            profile,
            selector=source.selector,
            ignore=source.ignore,
        )
    except (ContentError, UnicodeDecodeError, LookupError):
        return stored
