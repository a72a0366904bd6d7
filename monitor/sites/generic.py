"""Any other site: the <main> or <article>, else the body."""

from __future__ import annotations

from monitor.sites.base import Profile

PROFILE = Profile(
    name="generic",
    hosts=(),
    content=("main", "article", "[role=main]", "#content", "#main", "body"),
    drop=("header", ".breadcrumb", ".breadcrumbs", ".share", ".print"),
    title=("h1",),
    date=("time", ".date"),
    listing=("main a[href]", "article a[href]", "body a[href]"),
    fallback_to_body=True,
)
