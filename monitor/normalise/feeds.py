"""RSS 2.0 and Atom feeds: items with their own content. No I/O."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag, urljoin, urlsplit

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from monitor.errors import ContentError
from monitor.normalise.dates import iso_time
from monitor.text import clean, clean_url

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
    guid: str | None = None  # the item's own identity: RSS <guid>, Atom <id>


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


def _web_url(base: str, link: str) -> str | None:
    """The item's link made absolute, or None unless it is an http(s) URL with a host: a
    `javascript:`, `data:` or `file:` item never becomes a page."""
    try:
        url = clean_url(urldefrag(urljoin(base, link)).url)
        parts = urlsplit(url)
    except ValueError:  # no URL at all ("http://[::1")
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def _root(text: str, url: str) -> ET.Element:
    """The document's root element. Any DTD is refused (defusedxml): entities, internal or
    external, never expand into the archive however deep in the feed they are declared."""
    try:
        return SafeET.fromstring(text.encode("utf-8"), forbid_dtd=True)
    except DefusedXmlException:
        raise ContentError(url, "feed declares a DTD or XML entities; refused") from None
    except ET.ParseError as exc:
        raise ContentError(url, f"not a valid RSS/Atom feed: {exc}") from None


def parse_feed(text: str, url: str) -> tuple[str, list[FeedItem]]:
    """(feed title, items) from an RSS or Atom document; ContentError if it is neither. Items
    whose link is not an http(s) URL are left out."""
    root = _root(re.sub(r"^\ufeff", "", text).lstrip(), url)
    if root.tag == f"{{{NS['atom']}}}feed":
        return _atom(root, url)
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ContentError(url, f"not an RSS/Atom feed (root element <{root.tag}>)")
    items = []
    for item in channel.findall("item"):
        link = _text(item.find("link")).strip() or _text(item.find("guid")).strip()
        item_url = _web_url(url, link) if link else None
        if item_url is None:
            continue
        body = _text(item.find("content:encoded", NS)) or _text(item.find("description"))
        items.append(
            FeedItem(
                url=item_url,
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
        link = _atom_link(entry)
        item_url = _web_url(url, link) if link else None
        if item_url is None:
            continue
        body = _text(entry.find("atom:content", NS)) or _text(entry.find("atom:summary", NS))
        items.append(
            FeedItem(
                url=item_url,
                title=clean(_text(entry.find("atom:title", NS))),
                html=body,
                published=_date(
                    _text(entry.find("atom:published", NS)) or _text(entry.find("atom:updated", NS))
                ),
                guid=_text(entry.find("atom:id", NS)).strip() or None,
            )
        )
    return clean(_text(root.find("atom:title", NS))), items


def _atom_link(entry: ET.Element) -> str:
    """The entry's alternate link (a link with no `rel` is one), else its first link."""
    links = entry.findall("atom:link", NS)
    for node in links:
        if node.get("rel", "alternate") == "alternate":
            return node.get("href", "")
    return links[0].get("href", "") if links else ""


def _instant(published: str | None) -> datetime | None:
    if not published:
        return None
    try:
        when = datetime.fromisoformat(published)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def newest_first(items: Iterable[FeedItem]) -> list[FeedItem]:
    """Items by publication time, newest first; undated items after them, in feed order."""
    floor = datetime.min.replace(tzinfo=UTC)
    return sorted(items, key=lambda i: _instant(i.published) or floor, reverse=True)  # stable
