"""www.mofa.go.jp in English: meeting summaries, the Japan-U.S. index, the SCC (2+2) page."""

from __future__ import annotations

from monitor.sites.base import CAPS_SPEAKER, Profile

MOFA_DROP = (
    ".social-btn-top",
    ".social-btn",
    ".social",
    ".sns",
    ".print",
    ".btn-print",
    "#pagetop",
    ".pagetop",
    ".page-top",
    "div.index",
    "#breadcrumb",
    ".breadcrumb",
    ".archive-link",
    # The section name (h1.title1) and the page's headline (h2.title2) sit in
    # #contents-header, outside #maincontents; the headline is the document's title, so
    # neither is a block when a fallback content root holds them.
    "#contents-header",
    # The "Related Links" / 関連リンク box after the body (div.relatedlink-section >
    # h2.title2 + ul.link-list): navigation that MOFA rotates, not content.
    ".relatedlink-section",
)

# The page's own headline first: h1.title1 is the section ("Japan-United States of America
# Relations", "報道発表"); pages without an h2.title2 keep their h1.
MOFA_TITLE = ("#contents-header .title2", "#contents-header h1", "h1.title1", "h1")

PROFILE = Profile(
    name="mofa",
    hosts=("www.mofa.go.jp", "mofa.go.jp"),
    content=("#maincontents", "main#contents", "#contents", "main"),
    drop=MOFA_DROP,
    ignore=(
        r"^Back to ",
        r"^Page Top$",
        r"^Open a New Window$",
        r"^\(?PDF\)?$",
        r"^Related Links$",
        r"^Japanese$",
    ),
    title=MOFA_TITLE,
    date=("div.rightalign", ".date", "p.date"),
    listing=(
        "#maincontents ul.link-list a[href]",
        "#maincontents dl.title-list a[href]",
        "#maincontents .main-section a[href]",
        "#maincontents a[href]",
    ),
    title_suffix=r"\s*[|｜]\s*Ministry of Foreign Affairs of Japan\s*$",
    speakers=(CAPS_SPEAKER,),
    version=2,
)
