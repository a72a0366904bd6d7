"""The demo's local copy of the official sites: two rounds of pages, with synthetic text.

Round 2 revises a transcript line, adds a new 2+2 meeting to MOFA's listing while a
republisher posts the same meeting, edits a feed item's title, and changes footer noise
on every page."""

from __future__ import annotations

from monitor.demo import pages as P
from monitor.testing.localsite import Page

SJIS = "text/html; charset=Shift_JIS"
RSS = "application/rss+xml; charset=UTF-8"

MOFA_LISTING = "/mofa/region/n-america/us/index.html"
MOFA_TEL = "/mofa/region/n-america/us/page1e_000501.html"
MOFA_FM = "/mofa/region/n-america/us/page1e_000488.html"
MOFA_SCC = "/mofa/region/n-america/us/security/scc/page4e_000120.html"
MOFAJ_LISTING = "/mofaj/press/release/index.html"
MOFAJ_TEL = "/mofaj/press/release/pressit_000001_05010.html"
STATE_LISTING = "/state/countries-areas/japan/"
STATE_REMARKS = "/state/secretary-rubio-and-japanese-foreign-minister-motegi-before-their-meeting/"
STATE_READOUT = "/state/secretarys-meeting-with-japanese-foreign-minister-motegi/"
STATE_FEED = "/state/rss-feed/press-releases/feed/"
DOD_LISTING = "/defense/News/Releases/"
DOD_READOUT = "/defense/News/Releases/Release/Article/4100001/readout-of-secretary-hegseths-meeting-with-japanese-minister-of-defense-koizumi/"
MOD_LISTING = "/mod/en/d_act/us/index.html"
MOD_MEETING = "/mod/en/article/2026/01/20260116a.html"
JN_LISTING = "/japannews/politics/politics-government/"
JN_GIST = "/japannews/politics/politics-government/20260116-300101/"
MIRAGE_LISTING = "/miragenews/"
MIRAGE_OTHER = "/miragenews/harbour-authority-opens-new-ferry-terminal/"
MIRAGE_SCC = "/miragenews/joint-statement-of-us-japan-security-consultative-committee/"

REMARKS_V1 = [
    "SECRETARY RUBIO: Good morning. It is a pleasure to welcome Foreign Minister Motegi back "
    "to Washington so early in the year.",
    "Our alliance has never been more important, and today we will expand our cooperation on "
    "shipbuilding.",
    "FOREIGN MINISTER MOTEGI: (Via interpreter) Thank you, Secretary Rubio. I am glad to visit "
    "Washington again.",
    "Japan will continue to play its part, and we look forward to a productive discussion today.",
    "SECRETARY RUBIO: Thank you all.",
]
REMARKS_V2 = list(REMARKS_V1)
REMARKS_V2[1] = (
    "Our alliance has never been more important, and today we will expand our "
    "cooperation on shipbuilding and critical minerals."
)

FEED_ITEMS_V1 = [
    (
        "STATE/secretary-rubio-and-japanese-foreign-minister-motegi-at-a-joint-press-availability/",
        "Secretary Rubio And Japanese Foreign Minister Motegi At a Joint Press Availability",
        "Thu, 15 Jan 2026 21:00:00 +0000",
        [
            "SECRETARY RUBIO: We had a very full meeting today with my friend, the Foreign Minister.",
            "FOREIGN MINISTER MOTEGI: (Via interpreter) We confirmed that the alliance is the "
            "cornerstone of peace in the region.",
        ],
    ),
    (
        "STATE/deputy-secretarys-call-with-the-foreign-secretary-of-a-partner-nation/",
        "Deputy Secretary's Call with the Foreign Secretary of a Partner Nation",
        "Wed, 14 Jan 2026 15:00:00 +0000",
        [
            "The Deputy Secretary spoke today with the Foreign Secretary about fisheries and "
            "port investment."
        ],
    ),
]


def _feed(round_: int, nonce: int, base: str) -> str:
    items = []
    for link, title, date, paras in FEED_ITEMS_V1:
        if round_ == 2 and "Joint Press" in title:
            title = title.replace(" And ", " and ")
        items.append((link.replace("STATE/", base + "/state/"), title, date, paras))
    return P.state_feed(items, nonce=nonce)


def site_pages(round_: int, base: str, nonce: int | None = None) -> dict[str, Page]:
    """Every path of the local site as it stands in `round_` (1 or 2)."""
    n = round_ * 7 if nonce is None else nonce
    mofa_groups = [
        ("February 20, 2026", [(MOFA_TEL, "Japan-U.S. Foreign Ministers' Telephone Talk")]),
        ("January 15, 2026", [(MOFA_FM, "Japan-U.S. Foreign Ministers' Meeting")]),
    ]
    mirage_links = [(MIRAGE_OTHER, "Harbour Authority Opens New Ferry Terminal")]
    if round_ >= 2:
        mofa_groups.insert(
            0, ("March 2, 2026", [(MOFA_SCC, 'Japan-U.S. Security Consultative Committee ("2+2")')])
        )
        mirage_links.insert(
            0, (MIRAGE_SCC, "Joint Statement of the U.S.-Japan Security Consultative Committee")
        )
    pages: dict[str, Page] = {
        MOFA_LISTING: Page(
            P.mofa_listing("Japan-United States of America Relations", mofa_groups, nonce=n)
        ),
        MOFA_TEL: Page(
            P.mofa_page(
                "Japan-U.S. Foreign Ministers' Telephone Talk",
                "February 20, 2026",
                [
                    "On February 20, commencing at 9:00 a.m. for approximately 20 minutes, Mr. MOTEGI "
                    "Toshimitsu, Minister for Foreign Affairs of Japan, held a telephone talk with the "
                    "Honorable Marco Rubio, Secretary of State of the United States.",
                    "The two ministers exchanged views on the situation in the region and agreed to keep "
                    "in close touch.",
                ],
                nonce=n,
            )
        ),
        MOFA_FM: Page(
            P.mofa_page(
                "Japan-U.S. Foreign Ministers' Meeting",
                "January 15, 2026",
                [
                    "On January 15, commencing at 10:30 a.m. (local time) for approximately 60 minutes, "
                    "Mr. MOTEGI Toshimitsu, Minister for Foreign Affairs of Japan, held a meeting with the "
                    "Honorable Marco Rubio, Secretary of State of the United States, in Washington, D.C.",
                    "Minister Motegi stated that the alliance is the foundation of the region's peace.",
                    "The two ministers agreed to hold a Security Consultative Committee meeting soon.",
                ],
                nonce=n,
            )
        ),
        MOFAJ_LISTING: Page(
            P.mofa_listing(
                "報道発表",
                [("2月20日付", [(MOFAJ_TEL, "日米外相電話会談")])],
                nonce=n,
                lang="ja",
                charset="Shift_JIS",
            ).encode("cp932"),
            content_type=SJIS,
        ),
        MOFAJ_TEL: Page(
            P.mofa_page(
                "日米外相電話会談",
                "令和8年2月20日",
                [
                    "2月20日、午前9時から約20分間、茂木敏充外務大臣は、マルコ・ルビオ米国国務長官と"
                    "電話会談を行ったところ、概要は以下のとおりです。",
                    "両大臣は、地域情勢について意見交換を行い、引き続き緊密に連携していくことで一致しました。",
                ],
                nonce=n,
                lang="ja",
                charset="Shift_JIS",
            ).encode("cp932"),
            content_type=SJIS,
        ),
        STATE_LISTING: Page(
            P.state_listing(
                "Japan",
                [
                    (
                        STATE_REMARKS,
                        "Secretary Rubio and Japanese Foreign Minister Motegi Before Their Meeting",
                    ),
                    (STATE_READOUT, "Secretary's Meeting with Japanese Foreign Minister Motegi"),
                ],
                nonce=n,
            )
        ),
        STATE_REMARKS: Page(
            P.state_page(
                "Secretary Rubio and Japanese Foreign Minister Motegi Before Their Meeting",
                "Remarks",
                "January 15, 2026",
                REMARKS_V2 if round_ >= 2 else REMARKS_V1,
                nonce=n,
            )
        ),
        STATE_READOUT: Page(
            P.state_page(
                "Secretary's Meeting with Japanese Foreign Minister Motegi",
                "Readout",
                "January 16, 2026",
                [
                    "Secretary of State Marco Rubio met yesterday with Japanese Foreign Minister "
                    "Motegi Toshimitsu in Washington.",
                    "The Secretary and the Foreign Minister discussed shipbuilding, energy and the "
                    "security environment in the Indo-Pacific.",
                ],
                nonce=n,
            )
        ),
        STATE_FEED: Page(_feed(round_, n, base), content_type=RSS),
        DOD_LISTING: Page(
            P.defense_listing(
                "Releases",
                [
                    (
                        DOD_READOUT,
                        "Readout of Secretary Hegseth's Meeting With Japanese Minister of "
                        "Defense Koizumi",
                    )
                ],
                nonce=n,
            )
        ),
        DOD_READOUT: Page(
            P.defense_page(
                "Readout of Secretary Hegseth's Meeting With Japanese Minister of Defense Koizumi",
                "Jan. 16, 2026",
                [
                    "Secretary of Defense Pete Hegseth met with Japanese Minister of Defense Koizumi "
                    "Shinjiro at the Pentagon on January 16, 2026.",
                    "The two leaders discussed the posture of U.S. forces in Japan and co-production "
                    "of munitions.",
                ],
                nonce=n,
            )
        ),
        MOD_LISTING: Page(
            P.mod_listing(
                "Japan-U.S. Defense Ministerial Meetings",
                [(MOD_MEETING, "Japan-U.S. Defense Ministerial Meeting")],
                nonce=n,
            )
        ),
        MOD_MEETING: Page(
            P.mod_page(
                "Japan-U.S. Defense Ministerial Meeting",
                "January 16, 2026",
                [
                    "On January 16, 2026, Minister of Defense KOIZUMI Shinjiro held a meeting "
                    "with Secretary of Defense Pete Hegseth of the United States at the Pentagon "
                    "for about an hour.",
                    "The two ministers confirmed that they would deepen defense industrial "
                    "cooperation.",
                ],
                nonce=n,
            )
        ),
        JN_LISTING: Page(
            P.japannews_listing(
                "Politics & Government",
                [(JN_GIST, "Gist of Motegi's Remarks After Meeting with Rubio")],
                nonce=n,
            )
        ),
        JN_GIST: Page(
            P.japannews_page(
                "Gist of Motegi's Remarks After Meeting with Rubio",
                "January 16, 2026 10:05 JST",
                [
                    "The following is the gist of remarks by Foreign Minister Toshimitsu Motegi to "
                    "reporters after his meeting with U.S. Secretary of State Marco Rubio in Washington "
                    "on Jan. 15.",
                    "Motegi: We had a candid exchange of views for about an hour.",
                    "Q: Did you discuss the 2+2?",
                    "Motegi: We agreed to hold it at an early date.",
                ],
                nonce=n,
            )
        ),
        MIRAGE_LISTING: Page(P.miragenews_listing("Mirage News", mirage_links, nonce=n)),
        MIRAGE_OTHER: Page(
            P.miragenews_page(
                "Harbour Authority Opens New Ferry Terminal",
                "January 10, 2026",
                [
                    "A new ferry terminal opened on the waterfront this week, the harbour authority said."
                ],
                nonce=n,
            )
        ),
    }
    if round_ >= 2:
        scc_paras = [
            'On March 2, 2026, the Japan-U.S. Security Consultative Committee ("2+2") was held '
            "in Tokyo. Japan was represented by Mr. MOTEGI Toshimitsu, Minister for Foreign "
            "Affairs, and Mr. KOIZUMI Shinjiro, Minister of Defense; the United States by the "
            "Honorable Marco Rubio, Secretary of State, and the Honorable Pete Hegseth, Secretary "
            "of Defense.",
            "The four ministers issued a joint statement on modernising alliance command and "
            "control.",
        ]
        pages[MOFA_SCC] = Page(
            P.mofa_page(
                'Japan-U.S. Security Consultative Committee ("2+2")',
                "March 2, 2026",
                scc_paras,
                nonce=n,
            )
        )
        pages[MIRAGE_SCC] = Page(
            P.miragenews_page(
                "Joint Statement of the U.S.-Japan Security Consultative Committee",
                "March 3, 2026",
                [
                    "Secretary of State Marco Rubio and Secretary of Defense Pete Hegseth travelled "
                    "to Tokyo, where on March 2 they met Foreign Minister Motegi "
                    "Toshimitsu and Defense Minister Koizumi Shinjiro for the Security Consultative "
                    "Committee (2+2).",
                    "The ministers welcomed progress on alliance command and control and on "
                    "co-development of missiles.",
                ],
                nonce=n,
            )
        )
    return pages


def demo_config(base: str, archive_dir: str, reports_dir: str, serve: str = "") -> str:
    """The demo's config.yaml; `serve`: the options `monitor demo --serve` needs (`--dir DIR`)."""
    return f"""# Demo configuration: the local copy of the official sites on {base}.
# That server ran only while `monitor demo` ran and is gone now: `monitor demo --serve {serve}`
# serves the site again (then `monitor check-now --config` this file reaches it) until Ctrl-C.
archive: {{dir: {archive_dir}}}
reports: {{dir: {reports_dir}}}
fetch: {{concurrency: 8, per_host: 8, timeout: 10, retries: 1, backoff: 0}}
sources:
  - {{id: mofa-us, url: "{base}{MOFA_LISTING}", kind: listing, profile: mofa}}
  - {{id: mofa-ja-press, url: "{base}{MOFAJ_LISTING}", kind: listing, profile: mofa-ja}}
  - {{id: state-japan, url: "{base}{STATE_LISTING}", kind: listing, profile: state}}
  - {{id: state-press, url: "{base}{STATE_FEED}", kind: feed, profile: state}}
  - {{id: mod-us, url: "{base}{MOD_LISTING}", kind: listing, profile: mod}}
  - {{id: dod-releases, url: "{base}{DOD_LISTING}", kind: listing, profile: defense}}
  - {{id: japannews, url: "{base}{JN_LISTING}", kind: listing, profile: japannews}}
  - {{id: miragenews, url: "{base}{MIRAGE_LISTING}", kind: listing, profile: miragenews}}
"""
