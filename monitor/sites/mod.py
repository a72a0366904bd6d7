"""www.mod.go.jp: Japan's Ministry of Defense, English and Japanese meeting summaries."""

from __future__ import annotations

from monitor.sites.base import CAPS_SPEAKER, JA_SPEAKER, Profile

PROFILE = Profile(
    name="mod",
    hosts=("www.mod.go.jp", "mod.go.jp"),
    content=("#main", "main", "#contents", "article"),
    drop=(
        ".breadcrumb",
        "#breadcrumb",
        ".pagetop",
        "#pagetop",
        ".sns",
        ".share",
        ".print",
        ".btn-print",
        ".related",
        ".l-header",
        ".l-footer",
    ),
    ignore=(r"^Back to ", r"へ戻る$", r"^ページの先頭へ", r"^Page Top$"),
    title=("h1", "h2"),
    date=(".date", "p.date", "time", ".rightalign", "div.rightalign"),
    listing=("main ul a[href]", "#main ul a[href]", "main a[href]", "#main a[href]"),
    title_suffix=r"\s*[|｜:：-]\s*(?:Ministry of Defense|防衛省)[^|｜]*$",
    speakers=(CAPS_SPEAKER, JA_SPEAKER),
)
