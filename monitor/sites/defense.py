"""www.defense.gov: releases, readouts and transcripts on the DNN platform."""

from __future__ import annotations

from monitor.sites.base import CAPS_SPEAKER, Profile

PROFILE = Profile(
    name="defense",
    hosts=("www.defense.gov", "defense.gov"),
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
    title_suffix=r"\s*>\s*U\.S\. Department of Defense.*$",
    speakers=(CAPS_SPEAKER,),
)
