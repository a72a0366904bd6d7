"""RSS 2.0 and Atom feeds: items with their own content. No I/O."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag, urljoin

from monitor.dates import iso_time
from monitor.errors import ContentError
from monitor.textnorm import clean

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
}


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str
    html: str  # the item's body (content:encoded, else description/summary)
    published: str | None  # ISO timestamp with its zone (or an ISO date when only a day is given)
    guid: str | None = None


def _date(text: str | None) -> str | None:
    """An RSS (RFC 822) or Atom (ISO 8601) time as an ISO timestamp keeping its zone: 'today' in
    an item is read against it in the publisher's zone."""
    if not text:
        return None
    text = text.strip()
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError):
        return iso_time(text)


def _text(node: ET.Element | None) -> str:
    return (node.text or "") if node is not None else ""


def parse_feed(text: str, url: str) -> tuple[str, list[FeedItem]]:
    """(feed title, items) from an RSS or Atom document; ContentError if it is neither."""
    text = re.sub(r"^\ufeff", "", text).lstrip()
    if "<!DOCTYPE" in text[:500].upper() and "<!ENTITY" in text[:5000].upper():
        raise ContentError(url, "feed declares XML entities; refused")
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise ContentError(url, f"not a valid RSS/Atom feed: {exc}") from None
    if root.tag == f"{{{NS['atom']}}}feed":
        return _atom(root, url)
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ContentError(url, f"not an RSS/Atom feed (root element <{root.tag}>)")
    items = []
    for item in channel.findall("item"):
        link = _text(item.find("link")).strip() or _text(item.find("guid")).strip()
        if not link:
            continue
        body = _text(item.find("content:encoded", NS)) or _text(item.find("description"))
        items.append(
            FeedItem(
                url=urldefrag(urljoin(url, link)).url,
                title=clean(_text(item.find("title"))),
                html=body,
                published=_date(_text(item.find("pubDate")) or _text(item.find("dc:date", NS))),
                guid=_text(item.find("guid")).strip() or None,
            )
        )
    return clean(_text(channel.find("title"))), items


def _atom(root: ET.Element, url: str) -> tuple[str, list[FeedItem]]:
    items = []
    for entry in root.findall("atom:entry", NS):
        link_node = entry.find("atom:link[@rel='alternate']", NS) or entry.find("atom:link", NS)
        link = link_node.get("href", "") if link_node is not None else ""
        if not link:
            continue
        body = _text(entry.find("atom:content", NS)) or _text(entry.find("atom:summary", NS))
        items.append(
            FeedItem(
                url=urldefrag(urljoin(url, link)).url,
                title=clean(_text(entry.find("atom:title", NS))),
                html=body,
                published=_date(
                    _text(entry.find("atom:published", NS)) or _text(entry.find("atom:updated", NS))
                ),
                guid=_text(entry.find("atom:id", NS)) or None,
            )
        )
    return clean(_text(root.find("atom:title", NS))), items
