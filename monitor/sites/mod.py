"""www.mod.go.jp: Japan's Ministry of Defense, English and Japanese meeting summaries.

A page: the headline (`h1`), then the date line with the issuer ("June 2, 2024 / Ministry of
Defense", "令和6年7月28日 / 防衛省"; EN also "Oct 4, 2022", "3 May, 2024"), then a link to the other
language ("In Japanese", "英語版/English") and on JA pages a print link ("印刷用"), then the text
and a list of PDF links. The <title> is "防衛省・自衛隊：…" on JA pages."""

from __future__ import annotations

import re

from monitor.sites.base import CAPS_SPEAKER, JA_SPEAKER, Profile

# EN press-conference transcripts: "Minister: …", "Question: …".
MOD_EN_SPEAKER = re.compile(r"^(Minister|Question|Answer|Press Secretary)\s*:\s")

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
    ignore=(
        r"^Back to ",
        r"へ戻る$",
        r"^ページの先頭へ",
        r"^Page Top$",
        r"^[Ii]n [Jj]apan(?:ese|se)$",  # sic: "In japanse" on a real page
        r"^英語版\s*/\s*English$",
        r"^印刷用$",
        r"^Ministry of Defense$",
        r"^防衛省$",
    ),
    title=("h1", "h2"),
    date=(".date", "p.date", "time", ".rightalign", "div.rightalign"),
    listing=("main ul a[href]", "#main ul a[href]", "main a[href]", "#main a[href]"),
    title_suffix=(
        r"^\s*防衛省・自衛隊\s*[：:]\s*"
        r"|\s*[|｜:：-]\s*(?:Japan\s+)?(?:Ministry of Defense|防衛省)[^|｜]*$"
    ),
    speakers=(CAPS_SPEAKER, JA_SPEAKER, MOD_EN_SPEAKER),
    version=2,
)
