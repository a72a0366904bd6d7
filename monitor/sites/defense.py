"""www.defense.gov (www.war.gov since September 2025): releases, readouts, news stories and
transcripts on the DNN "ArticleCS" platform.

Article pages: `h1.maintitle` in `header.adetail-header`, the release date in `span.date`
(U.S. Eastern, e.g. "March 29, 2025" / "Dec. 11, 2025"), the text in `div.body`. Archived pages
carry a "You have accessed part of a historical collection" notice; news stories carry photo
captions ending in "Photo By: …" and "VIRIN: …" lines; a "Subscribe to Defense.gov Products"
box follows the article. Transcript speakers are long capitals ("SECRETARY OF DEFENSE LLOYD J.
AUSTIN III:", "PENTAGON PRESS SECRETARY MAJOR GENERAL PAT RYDER:")."""

from __future__ import annotations

import re

from monitor.sites.base import Profile

# CAPS_SPEAKER with room for DoD's long labels (up to eight words before the colon).
DOD_SPEAKER = re.compile(
    r"^((?:[A-Z][A-Z.'’\-]*\s+){0,7}[A-Z][A-Z.'’\-]*)\s*(?:\([^)]{0,40}\))?\s*:\s*(?:\([^)]{0,40}\))?"
)

PROFILE = Profile(
    name="defense",
    hosts=("www.defense.gov", "defense.gov", "www.war.gov", "war.gov"),
    content=("article", "main", "#main-content"),
    drop=(
        ".usa-banner",
        ".official-banner",
        ".share-bar",
        ".share",
        ".breadcrumbs",
        ".breadcrumb",
        ".related",
        ".related-content",
        ".subscribe",
        ".print",
        ".article-tags",
        ".tags",
        ".media-banner",
        ".home-banner",
        ".ad-pager",
    ),
    ignore=(
        r"^An official website of the United States Government",
        r"^Here['’]s how you know",
        r"^Official websites use \.gov",
        r"^Secure \.gov websites use HTTPS",
        r"^Subscribe to ",
        r"^Related Stories$",
        r"^Choose which (?:Defense|War)\.gov products",
        r"^You have accessed part of a historical collection",
        r"^This information is provided for historical purposes only",
        r"^Please contact the DOD Webmaster",
        r"^(?i:immediate release)$",
        r"^Photo By:\s",
        r"^VIRIN:\s",
    ),
    title=("h1.maintitle", "h1"),
    date=(".date", "time", "span.date", ".dateline"),
    listing=(
        "listing-titles-only a[href]",
        ".item a[href]",
        "feature-template a[href]",
        "main a[href]",
        "article a[href]",
    ),
    title_suffix=r"\s*>\s*U\.S\. Department of (?:Defense|War)\b.*$",
    speakers=(DOD_SPEAKER,),
    version=2,
)
