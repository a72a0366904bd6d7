"""www.miragenews.com: republished official releases, with a republication disclaimer."""

from __future__ import annotations

from monitor.sites.base import CAPS_SPEAKER, Profile

PROFILE = Profile(
    name="miragenews",
    hosts=("www.miragenews.com", "miragenews.com"),
    content=("article", ".entry-content", "main"),
    drop=(
        ".disclaimer",
        ".tags",
        ".tag-links",
        ".related",
        ".related-posts",
        ".share",
        ".sharedaddy",
        ".post-navigation",
        ".comments",
        ".author-box",
        ".ad",
    ),
    ignore=(
        r"^This material from the originating organi[sz]ation",
        r"Mirage\.News does not take institutional positions",
        r"^Mirage\.News\b.*\bAll rights reserved",
        r"^Tags?:",
        r"^Related (?:Posts|Stories|News)$",
    ),
    title=("h1",),
    date=("time", ".entry-date", ".date"),
    listing=("main article a[href]", "article h2 a[href]", "main a[href]"),
    title_suffix=r"\s*[|–-]\s*Mirage News\s*$",
    speakers=(CAPS_SPEAKER,),
)
