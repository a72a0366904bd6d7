"""www.miragenews.com: republished official releases, with a republication disclaimer.

An article is Mirage's own headline (`h1`), its date and time in Australian time ("10 Jul 2025
5:05 PM AEST": often the day after a U.S. afternoon release), then `div.main-article-body`: the
originating organisation (`div.caption`, "Department of State"), the original's text, and the
"/Public Release. ... View in full here." disclaimer (`div.shim-detail`), which is dropped."""

from __future__ import annotations

from monitor.sites.base import CAPS_SPEAKER, Profile

PROFILE = Profile(
    name="miragenews",
    hosts=("www.miragenews.com", "miragenews.com"),
    content=(".main-article-body", "article", ".entry-content", "main"),
    drop=(
        ".disclaimer",
        ".shim-detail",
        ".views",
        ".share-buttons",
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
        r"^/?\s*Public Release\.",
        r"^View in full here\.?$",
        r"^Views:\s*[\d,]+$",
        r"Mirage\.News does not take institutional positions",
        r"^Mirage\.News\b.*\bAll rights reserved",
        r"^Tags?:",
        r"^Related (?:Posts|Stories|News)$",
    ),
    title=("main h1", "article h1", "h1"),
    date=(".article-meta .date", "time", ".entry-date", ".date"),
    listing=("main article a[href]", "article h2 a[href]", "main a[href]"),
    title_suffix=r"\s*[|–-]\s*Mirage News\s*$",
    speakers=(CAPS_SPEAKER,),
    version=2,
)
