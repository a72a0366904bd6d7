"""japannews.yomiuri.co.jp: The Japan News' 'gist of' press conferences and politics articles."""

from __future__ import annotations

from monitor.sites.base import CAPS_SPEAKER, TITLE_SPEAKER, Profile

PROFILE = Profile(
    name="japannews",
    hosts=("japannews.yomiuri.co.jp",),
    content=("article", "main", ".p-article"),
    drop=(
        ".print",
        ".btn-print",
        ".tag-list",
        ".tags",
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
        r"^Read more\b",
        r"^\d+\s+(?:min|minute|hour)s? ago$",
    ),
    title=("h1",),
    date=("time", ".postdate", ".date", ".p-article__date"),
    listing=("main article a[href]", "main li a[href]", "main a[href]"),
    title_suffix=r"\s*[-–|]\s*The Japan News.*$",
    speakers=(TITLE_SPEAKER, CAPS_SPEAKER),
)
