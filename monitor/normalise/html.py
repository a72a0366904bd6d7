"""Normalise stage: HTML (or PDF text) to a Document of ordered, cleaned blocks. No I/O."""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.errors import ContentError
from monitor.models import Block, BlockKind, Document, Link
from monitor.normalise.dates import iso_time, parse_date
from monitor.normalise.htmlcost import check_parse_cost
from monitor.normalise.patterns import compile_user
from monitor.sites import Profile
from monitor.sites.base import NOT_SPEAKERS, SPEAKER_ALIASES
from monitor.text import clean, clean_url

# Bump when the rules below change: stored versions are then re-normalised before diffing.
# 5: control and bidi override characters dropped from text, percent-encoded in links.
NORMALISER_VERSION = 5

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ITEMS = {"li", "dt", "dd"}
BLOCKS = (
    HEADINGS
    | ITEMS
    | {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "blockquote",
        "pre",
        "figcaption",
        "figure",
        "caption",
        "address",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "ul",
        "ol",
        "dl",
        "center",
        "details",
        "summary",
        "hr",
        "body",
        "html",
    }
)
CELLS = {"td", "th"}
MAX_BLOCK_CHARS = 200_000


def rules_key(profile: Profile, selector: str | None, ignore: Iterable[str]) -> str:
    """Identifies the normalisation rules a version was made with."""
    spec = repr(
        (
            NORMALISER_VERSION,
            profile.name,
            profile.version,
            profile.content,
            profile.drops,
            profile.ignores,
            selector,
            tuple(ignore),
        )
    )
    return f"{NORMALISER_VERSION}.{profile.name}.{hashlib.sha256(spec.encode()).hexdigest()[:12]}"


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


def _take(buffer: list[str]) -> str | None:
    """The buffered inline text as one block's raw text (None when blank); empties the buffer."""
    text = "".join(buffer)
    buffer.clear()
    return text[:MAX_BLOCK_CHARS] if text.strip() else None


def _walk(root: LexborNode) -> Iterator[tuple[BlockKind, str]]:
    """Yield (kind, raw text) for each run of inline text between block boundaries."""
    buffer: list[str] = []
    kinds: list[BlockKind] = ["paragraph"]
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag
        if leaving:
            if tag in BLOCKS:
                if buffer and (text := _take(buffer)):
                    yield kinds[-1], text
                if tag in HEADINGS or tag in ITEMS or tag == "tr":
                    kinds.pop()
            elif tag in CELLS:
                buffer.append(" | ")
            continue
        if tag == "-text":
            buffer.append(node.text_content or "")
            continue
        if tag in ("-comment", "!doctype") or tag is None:
            continue
        if tag == "br":
            if buffer and (text := _take(buffer)):
                yield kinds[-1], text
            continue
        if tag == "p" and not buffer:
            # A paragraph holds only inline content (the parser closes it at any block): take
            # its text in one call instead of walking its inline children; most paragraphs are
            # a single text node.
            child = node.child
            inline: str | None = None
            if child is not None and child.next is None and child.tag == "-text":
                inline = child.text_content or ""
            elif node.css_first("br") is None:
                inline = node.text(deep=True, separator="")
            if inline is not None:
                if inline.strip():
                    yield kinds[-1], inline[:MAX_BLOCK_CHARS]
                continue
        if tag in BLOCKS:
            if buffer and (text := _take(buffer)):
                yield kinds[-1], text
            if tag in HEADINGS:
                kinds.append("heading")
            elif tag in ITEMS:
                kinds.append("item")
            elif tag == "tr":
                kinds.append("row")
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.iter(include_text=True))))
    if buffer and (text := _take(buffer)):
        yield kinds[-1], text


def _speaker(text: str, profile: Profile) -> str | None:
    for pattern in profile.speakers:
        match = pattern.match(text)
        if not match:
            continue
        label = next((g for g in match.groups() if g), "").strip()
        label = re.sub(r"\s+", " ", label)
        if label.upper() in NOT_SPEAKERS or not label:
            continue
        if label in SPEAKER_ALIASES:
            alias = SPEAKER_ALIASES[label]
            if alias is None:
                continue
            label = alias
        return label
    return None


class IgnoreRules:
    """The profile's ignore patterns as two regexes: those anchored at the start (`^…`) tried
    with one `match`, the rest with one `search` (a `^` inside an alternation is not an anchor
    to the regex engine, which would try every position). The config's own patterns (`user`)
    run in RE2, in linear time: a block's text is the page's to choose."""

    def __init__(self, patterns: tuple[str, ...], user: tuple[str, ...] = ()) -> None:
        anchored = [p[1:] for p in patterns if p.startswith("^")]
        floating = [p for p in patterns if not p.startswith("^")]
        self.anchored = re.compile("|".join(f"(?:{p})" for p in anchored)) if anchored else None
        self.floating = re.compile("|".join(f"(?:{p})" for p in floating)) if floating else None
        self.user = tuple(compile_user(p) for p in user)

    def hits(self, text: str) -> bool:
        return bool(
            (self.anchored and self.anchored.match(text))
            or (self.floating and self.floating.search(text))
            or any(p.search(text) for p in self.user)
        )


@functools.lru_cache(maxsize=256)
def ignore_rules(patterns: tuple[str, ...], user: tuple[str, ...] = ()) -> IgnoreRules:
    return IgnoreRules(patterns, user)


def make_blocks(
    raw: Iterable[tuple[BlockKind, str]], profile: Profile, ignore: Iterable[str]
) -> tuple[Block, ...]:
    rules = ignore_rules(profile.ignores, tuple(ignore))
    blocks: list[Block] = []
    speaker: str | None = None
    section: str | None = None
    for kind, text in raw:
        text = clean(text.strip(" |")) if kind == "row" else clean(text)
        if kind == "row":
            text = re.sub(r"(?:\s*\|\s*)+", " | ", text).strip(" |")
        if not text or rules.hits(text):
            continue
        if kind == "heading":
            section, speaker = text, None
        elif kind == "paragraph":
            speaker = _speaker(text, profile) or speaker
        blocks.append(Block(kind, text, speaker if kind == "paragraph" else None, section))
    return tuple(blocks)


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


def content_blocks(root: LexborNode, profile: Profile, ignore: Iterable[str]) -> tuple[Block, ...]:
    """The blocks of a content root once the profile's boilerplate is dropped from it."""
    matched = root.css(_selector_list(profile.drops))  # one pass: 40 queries took 1.4x as long
    ids = {node.mem_id for node in matched} - {root.mem_id}
    outermost = [n for n in matched if n.mem_id in ids and not _inside(n, ids, root.mem_id)]
    for node in outermost:  # chosen before any is removed: a removed node's subtree is freed
        node.decompose()
    return make_blocks(_walk(root), profile, ignore)


@functools.lru_cache(maxsize=64)
def _selector_list(selectors: tuple[str, ...]) -> str:
    """The profile's boilerplate selectors as one selector list. They are plain (tags, classes,
    ids, attributes, descendants): none depends on siblings or position, so removing the
    outermost matches of all of them at once leaves what removing them one selector at a time
    did."""
    return ", ".join(selectors)


def _inside(node: LexborNode, ids: set[int], root: int) -> bool:
    parent = node.parent
    while parent is not None and parent.mem_id != root:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


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


# --- error pages served with status 200, and WAF/CDN challenges --------------------------------

_ERROR_TITLES = re.compile(
    r"^\s*(?:40[0-9]|41[0-9]|50[0-9])\b|page not found|not found|access denied|forbidden|"
    r"attention required|just a moment|request blocked|request rejected|service unavailable|"
    r"site maintenance|under maintenance|bad gateway|gateway time-?out|internal server error|"
    r"お探しのページ|ページが見つかりません|アクセスできません|メンテナンス中",
    re.IGNORECASE,
)
_ERROR_BODIES = re.compile(
    r"Reference\s*#\s*[0-9a-f]+\.[0-9a-f]+|cf-ray|Cloudflare Ray ID|cf-browser-verification|"
    r"challenge-platform|The request could not be satisfied|Generated by cloudfront|"
    r"You don't have permission to access|errors\.edgesuite\.net|Incapsula incident|"
    r"Request unsuccessful\. Incapsula",
    re.IGNORECASE,
)


def check_error_page(tree: LexborHTMLParser, html: str, url: str) -> None:
    """Error and challenge pages served with 200: an error title on a page with little text,
    or a WAF/CDN signature in a small page."""
    node = tree.css_first("title")
    title = clean(node.text()) if node is not None else ""
    heading = tree.css_first("h1")
    h1 = clean(heading.text()) if heading is not None else ""
    if _ERROR_TITLES.search(title) or _ERROR_TITLES.search(h1):
        body = tree.body
        if body is None or len(clean(body.text(separator=" "))) < 3000:
            raise ContentError(url, f"error page served with status 200: {title or h1!r}")
    if len(html) < 30_000 and _ERROR_BODIES.search(html):
        body = tree.body
        if body is None or len(clean(body.text(separator=" "))) < 5000:
            raise ContentError(url, "blocked by a WAF/CDN challenge page")


# --- PDF ---------------------------------------------------------------------------------


def normalise_pdf(
    body: bytes, url: str, *, ignore: Iterable[str] = (), profile: Profile
) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(body))
        pages = [page.extract_text() or "" for page in reader.pages]
        meta: Any = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ContentError(url, f"unreadable PDF: {exc}") from None
    raw: list[tuple[BlockKind, str]] = [
        ("paragraph", p) for page in pages for p in pdf_paragraphs(page)
    ]
    blocks = make_blocks(raw, profile, ignore)
    if not blocks:
        raise ContentError(url, "PDF has no extractable text")
    title = clean(str(meta.title)) if meta is not None and meta.title else blocks[0].text[:200]
    return Document(url=url, title=title, blocks=blocks, lang=profile.lang)


def pdf_paragraphs(page: str) -> list[str]:
    """Join a PDF page's wrapped lines into paragraphs: a line that ends a sentence, or a short
    line (a heading, a date), ends its paragraph."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in page.splitlines():
        line = line.strip()
        if not line:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        current.append(line)
        if line.endswith((".", "。", ":", "：")) or len(line) < 60:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def is_pdf(content_type: str, body: bytes) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/pdf" or body[:5] == b"%PDF-"


def normalise(
    body: bytes,
    text: str,
    content_type: str,
    url: str,
    profile: Profile,
    *,
    selector: str | None = None,
    ignore: Iterable[str] = (),
) -> Document:
    """Any fetched page to a Document: HTML or PDF; other binary content is refused."""
    if is_pdf(content_type, body):
        return normalise_pdf(body, url, ignore=ignore, profile=profile)
    if not text or "\x00" in text[:4096]:
        ctype = content_type.split(";")[0] or "unknown type"
        raise ContentError(url, f"not an HTML page ({ctype}, {len(body)} bytes)")
    doc = normalise_html(text, url, profile, selector=selector, ignore=ignore)
    if not doc.blocks:
        raise ContentError(url, "page has no text in its main content (empty or layout changed)")
    return doc
