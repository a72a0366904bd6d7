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
    "#contents-header .title2",
)

PROFILE = Profile(
    name="mofa",
    hosts=("www.mofa.go.jp", "mofa.go.jp"),
    content=("#maincontents", "main#contents", "#contents", "main"),
    drop=MOFA_DROP,
    ignore=(r"^Back to ", r"^Page Top$", r"^Open a New Window$", r"^\(?PDF\)?$"),
    title=("#contents-header h1", "h1.title1", "h1"),
    date=("div.rightalign", ".date", "p.date"),
    listing=(
        "#maincontents ul.link-list a[href]",
        "#maincontents dl.title-list a[href]",
        "#maincontents .main-section a[href]",
        "#maincontents a[href]",
    ),
    title_suffix=r"\s*[|｜]\s*Ministry of Foreign Affairs of Japan\s*$",
    speakers=(CAPS_SPEAKER,),
)
