"""japannews.yomiuri.co.jp: The Japan News' 'gist of' press conferences and politics articles.

Article pages (WordPress): the headline is the page's `h1` (also `og:title`), the publication time
is `article:published_time` (JST, +09:00) and the visible "17:23 JST, January 22, 2025" line; the
body paragraphs and `h2` subheadings are in `div#p-article-block` (so the photo, byline, share and
PRINT buttons above it and the "POPULAR ARTICLE" / "JN ACCESS RANKING" lists beside it are left
out). The tag list and PRINT button are dropped wherever they sit: a changed tag list is not an
edit of the article."""

from __future__ import annotations

from monitor.sites.base import CAPS_SPEAKER, TITLE_SPEAKER, Profile

PROFILE = Profile(
    name="japannews",
    hosts=("japannews.yomiuri.co.jp",),
    content=("#p-article-block", "article", "main", ".p-article"),
    drop=(
        ".print",
        ".btn-print",
        ".p-article-print",
        ".tag-list",
        ".tags",
        ".p-related-tags",
        ".p-article-tags",
        "a[rel~=tag]",
        ".p-sns",
        ".p-article-tools",
        ".p-article-ad",
        ".p-popular",
        ".ranking",
        ".p-ranking",
        ".related",
        ".p-related",
        ".sns",
        ".share",
        ".ad",
        ".advertisement",
        ".subscribe",
        ".premium-label",
        ".article-footer",
    ),
    ignore=(
        r"^(?:Print|Tags?|Ranking|Related|Most Read)$",
        r"^(?i:print|tags?:?|hot word\s*:?)$",
        r"^Read more\b",
        r"^\d+\s+(?:min|minute|hour)s? ago$",
    ),
    title=("main h1", "article h1", "h1"),
    date=(".postdate", "article time", "time", ".date", ".p-article__date"),
    listing=("main article a[href]", "main li a[href]", "main a[href]"),
    title_suffix=r"\s*[-–|]\s*The Japan News.*$",
    speakers=(TITLE_SPEAKER, CAPS_SPEAKER),
    version=2,
)
