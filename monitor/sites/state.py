"""www.state.gov: readouts, remarks and transcripts (WordPress), and its RSS feeds.

The 2025-26 markup: the bureau line ("Office of the Spokesperson", or the speaker on remarks) as
the first `p`, then the hero (`h1.featured-content__headline`, `p.doctype-meta`, the venue in
`p.article-meta__audience` and the dateline in `p.article-meta__location` -- kept: on remarks they
say where a meeting took place --, `p.article-meta__publish-date` in U.S. Eastern), then the body
in `div.classic-block-wrapper`."""

from __future__ import annotations

from monitor.sites.base import CAPS_SPEAKER, Profile

PROFILE = Profile(
    name="state",
    hosts=("www.state.gov", "state.gov"),
    content=("main#content", "main", "article", "div.entry-content", "div.classic-block-wrapper"),
    drop=(
        ".usa-banner",
        ".official-banner",
        "#skip-to-content",
        ".bc_row",
        ".breadcrumbs",
        ".page-header__actions",
        ".wp-block-spacer",
        ".related-tags",
        ".related-tags__pills",
        ".related-content",
        ".related-articles",
        ".report__related",
        ".share-tools",
        ".social-share",
        ".tags",
        ".summary__tags",
        ".related-topics",
        ".feature-carousel",
        ".skip-link",
    ),
    ignore=(
        r"^An official website of the United States Government",
        r"^Here['’]s how you know",
        r"^Official websites use \.gov",
        r"^Secure \.gov websites use HTTPS",
        r"^Related Articles?$",
        r"^Tags?$",
    ),
    title=("h1.featured-content__headline", "h1"),
    date=("p.article-meta__publish-date", ".article-meta__publish-date", "time"),
    listing=(
        ".collection-result a[href]",
        "li.collection-result a[href]",
        "main article a[href]",
        "main a[href]",
    ),
    title_suffix=r"\s*[-–|]\s*(?:United States )?Department of State\s*$",
    speakers=(CAPS_SPEAKER,),
    version=2,
)
