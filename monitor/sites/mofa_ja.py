"""www.mofa.go.jp in Japanese (/mofaj/): 報道発表, 日米関係 and meeting pages; dates in era form."""

from __future__ import annotations

from monitor.sites.base import JA_SPEAKER, Profile
from monitor.sites.mofa import MOFA_DROP, MOFA_TITLE

PROFILE = Profile(
    name="mofa-ja",
    hosts=(),  # same host as the English site: chosen by path (see sites.profile_for)
    content=("#maincontents", "main#contents", "#contents", "main"),
    drop=MOFA_DROP,
    ignore=(
        r"へ戻る$",
        r"^このページのトップへ",
        r"^別ウィンドウで開く$",
        r"^本文へ$",
        r"^\(?PDF\)?$",
        r"^過去の記録",
        r"^関連リンク$",
        r"^英語版\s*[(（]\s*English\s*[)）]$",
    ),
    title=MOFA_TITLE,
    date=("div.rightalign", ".date"),
    listing=(
        "#pressrelease a[href]",
        "#maincontents ul.link-list a[href]",
        "#maincontents dl.title-list a[href]",
        "#maincontents a[href]",
    ),
    title_suffix=r"\s*[|｜]\s*外務省\s*$",
    speakers=(JA_SPEAKER,),
    lang="ja",
    version=2,
)
