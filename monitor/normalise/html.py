"""HTML pages to Documents: the content root, title, publication date and links of a page or a
feed item's fragment, and the links of a listing page. No I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.errors import ContentError
from monitor.models import Block, Document, Link
from monitor.normalise.blocks import content_blocks
from monitor.normalise.dates import iso_time, parse_date
from monitor.normalise.errorpages import check_error_page
from monitor.normalise.htmlcost import check_parse_cost
from monitor.sites import Profile
from monitor.text import clean, clean_url


def parse_html(text: str) -> LexborHTMLParser:
    return LexborHTMLParser(text)


def content_root(
    tree: LexborHTMLParser, url: str, profile: Profile, selector: str | None
) -> LexborNode:
    """The node holding the main content; ContentError when the layout no longer matches."""
    if selector:
        node = tree.css_first(selector)
        if node is None:
            raise ContentError(url, f"selector {selector!r} matched nothing (layout changed?)")
        return node
    for candidate in profile.content:
        node = tree.css_first(candidate)
        if node is not None:
            return node
    if profile.fallback_to_body and tree.body is not None:
        return tree.body
    raise ContentError(
        url, f"no main content: none of {', '.join(profile.content)} matched (layout changed?)"
    )


def _title(tree: LexborHTMLParser, root: LexborNode, profile: Profile) -> str:
    for selector in profile.title:
        node = root.css_first(selector) or tree.css_first(selector)
        if node is not None and clean(node.text(separator=" ")):
            return clean(node.text(separator=" "))
    node = tree.css_first("title")
    title = clean(node.text()) if node is not None else ""
    if profile.title_suffix:
        title = re.sub(profile.title_suffix, "", title)
    return title


def _published(tree: LexborHTMLParser, profile: Profile) -> str | None:
    """When the page says it was published: an ISO timestamp with its zone where the page gives
    one (`<time datetime>`, `article:published_time`), else the day."""
    day: str | None = None
    for selector in profile.date:
        for node in tree.css(selector):
            stamp = iso_time(node.attributes.get("datetime") or "")
            if stamp and "T" in stamp:
                return stamp
            when = parse_date(stamp or "") or parse_date(clean(node.text(separator=" ")))
            if when:
                day = day or when.isoformat()
        if day:
            break
    for name in ("article:published_time", "date", "dc.date", "DC.date.issued", "datePublished"):
        meta = tree.css_first(
            f'meta[property="{name}"], meta[name="{name}"], meta[itemprop="{name}"]'
        )
        if meta is not None:
            content = meta.attributes.get("content") or ""
            stamp = iso_time(content)
            if stamp and "T" in stamp and (day is None or _near(stamp, day)):
                return stamp
            when = parse_date(content)
            if when and day is None:
                day = when.isoformat()
    return day


def _near(stamp: str, day: str) -> bool:
    """A timestamp within a day of the page's visible date (a UTC time and a local day)."""
    return abs((date.fromisoformat(stamp[:10]) - date.fromisoformat(day)).days) <= 1


def links_of(nodes: Iterable[LexborNode], base: str) -> tuple[Link, ...]:
    seen: dict[str, Link] = {}
    for node in nodes:
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        try:
            url = clean_url(urldefrag(urljoin(base, href)).url)
            scheme = urlsplit(url).scheme
        except ValueError:  # no URL at all ("http://[::1"): a page's link never stops a run
            continue
        if scheme in ("http", "https") and url not in seen:
            seen[url] = Link(url, clean(node.text(separator=" ")))
    return tuple(seen.values())


def normalise_html(
    text: str,
    url: str,
    profile: Profile,
    *,
    selector: str | None = None,
    ignore: Iterable[str] = (),
) -> Document:
    """Turn an HTML page into a Document; raises ContentError for error pages and lost layouts."""
    check_parse_cost(text, url)  # deep nesting would take the parser minutes
    tree = parse_html(text)
    check_error_page(tree, text, url)
    root = content_root(tree, url, profile, selector)
    links = links_of(root.css("a[href]"), url)
    title = _title(tree, root, profile)
    blocks = content_blocks(root, profile, ignore)
    html = tree.css_first("html")
    lang = html.attributes.get("lang") if html is not None else None
    return Document(
        url=url,
        title=title,
        blocks=blocks,
        links=links,
        published=_published(tree, profile),
        lang=(lang or profile.lang or "en").split("-")[0],
    )


def normalise_fragment(
    html: str,
    url: str,
    title: str,
    profile: Profile,
    *,
    published: str | None = None,
    ignore: Iterable[str] = (),
) -> Document:
    """An HTML fragment that is all content (a feed item's body): no content selector, the
    profile's boilerplate dropped."""
    check_parse_cost(html, url)
    root = parse_html(f"<html><body><main>{html}</main></body></html>").css_first("main")
    assert root is not None  # we wrote it
    blocks = content_blocks(root, profile, ignore)
    return Document(url=url, title=title, blocks=blocks, published=published, lang=profile.lang)


def listing_links(
    text: str, url: str, profile: Profile, selector: str | None = None
) -> tuple[Link, ...]:
    """Links to meeting pages on a listing page, in page order."""
    check_parse_cost(text, url)  # deep nesting would take the parser minutes
    tree = parse_html(text)
    check_error_page(tree, text, url)
    scope = content_root(tree, url, profile, selector)
    for candidate in profile.listing:
        nodes = scope.css(candidate) or tree.css(candidate)
        if nodes:
            return links_of(nodes, url)
    return ()


def listing_document(url: str, title: str, links: Iterable[Link]) -> Document:
    """A listing is a set of links: sorted, so that a reorder is not a change."""
    ordered = sorted({link.url: link for link in links}.values(), key=lambda link: link.url)
    blocks = tuple(Block("item", f"{link.text} <{link.url}>") for link in ordered)
    return Document(url=url, title=title, blocks=blocks, links=tuple(ordered))
