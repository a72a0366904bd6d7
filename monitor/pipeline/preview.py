"""`monitor preview URL`: one fetch, and what the monitor would keep of it — the cleaned text of
a page, the links a listing would follow, the items of a feed, the meeting it reports — without
opening the archive (urlwatch's --test-filter, changedetection.io's preview)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from monitor import meetings
from monitor.archive.stored import item_document
from monitor.config import FetchConfig
from monitor.errors import ContentError
from monitor.fetch import Fetcher
from monitor.fetch.decode import decode_text
from monitor.fetch.urls import UrlPolicy
from monitor.models import Block, Meeting
from monitor.normalise import listing_links, normalise
from monitor.normalise.feeds import parse_feed
from monitor.normalise.patterns import user_search
from monitor.sites import profile_for

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")


@dataclass(frozen=True)
class PreviewLink:
    url: str
    text: str
    followed: bool  # whether a listing source would check this page
    published: str | None = None  # a feed item's time


@dataclass(frozen=True)
class Preview:
    url: str
    final_url: str
    status: int
    kind: str  # page, listing or feed: as given, or guessed from the response
    profile: str
    title: str
    blocks: tuple[Block, ...] = ()
    links: tuple[PreviewLink, ...] = ()
    meeting: Meeting | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "kind": self.kind,
            "profile": self.profile,
            "title": self.title,
            "text": [{"kind": b.kind, "speaker": b.speaker, "text": b.text} for b in self.blocks],
            "links": [
                {"url": li.url, "text": li.text, "followed": li.followed, "published": li.published}
                for li in self.links
            ],
            "meeting": self.meeting.to_json() if self.meeting else None,
        }


def guess_kind(content_type: str, text: str) -> str:
    """A feed when the response says or shows it is one; otherwise a page."""
    if content_type.split(";")[0].strip().lower() in FEED_TYPES:
        return "feed"
    head = text.lstrip()[:512].lower()
    return "feed" if head.startswith("<?xml") and ("<rss" in head or "<feed" in head) else "page"


async def preview(
    url: str,
    fetch: FetchConfig,
    *,
    kind: str | None = None,
    profile: str | None = None,
    selector: str | None = None,
    follow: bool | str | None = None,
    hosts: Iterable[str] = (),
) -> Preview:
    """Fetches `url` once and reads it as a source would. Raises FetchError or ContentError."""
    netloc = urlsplit(url).netloc
    allowed = set(hosts) | {(urlsplit(url).hostname or "").lower()}
    policy = UrlPolicy(allowed, {netloc}, allow_private=fetch.allow_private)
    async with Fetcher(fetch, policy=policy) as fetcher:
        result = await fetcher.fetch(url, allow=policy.allows)
    text, _ = decode_text(result.body, result.content_type)
    chosen = profile_for(result.final_url, profile)
    kind = kind or guess_kind(result.content_type, text)
    seen = Preview(url, result.final_url, result.status, kind, chosen.name, "")
    if kind == "feed":
        title, items = parse_feed(text, url)
        links = tuple(PreviewLink(i.url, i.title, True, i.published) for i in items)
        found = next((m for i in items if (m := _item_meeting(i, chosen.name))), None)
        return replace(seen, title=title, links=links, meeting=found)
    if kind == "listing":
        found_links = listing_links(text, url, chosen, selector)
        if follow is None:
            follow = True

        def followed(link_url: str, link_text: str) -> bool:
            if follow is False:
                return False
            if isinstance(follow, str) and not user_search(follow, f"{link_text} {link_url}"):
                return False
            return policy.allows(link_url)

        links = tuple(PreviewLink(li.url, li.text, followed(li.url, li.text)) for li in found_links)
        return replace(seen, links=links)
    doc = normalise(result.body, text, result.content_type, url, chosen, selector=selector)
    meeting = meetings.extract_meeting(doc, chosen.name)
    return replace(seen, title=doc.title, blocks=doc.blocks, meeting=meeting)


def _item_meeting(item: Any, profile: str) -> Meeting | None:
    try:
        doc = item_document(item, profile_for(item.url, profile), [])
    except ContentError:
        return None
    return meetings.extract_meeting(doc, profile)
