"""Titles and country words: what the words written around a name say of who holds it. Pure.

"Japanese Vice Foreign Minister |Mori" and "Mr. HAYASHI Yoshimasa|, Minister for Foreign Affairs
of Japan" give a role and a country; 外務大臣 and 国務長官 do the same in Japanese."""

from __future__ import annotations

import re

# country words written before a title: "Japanese", "Republic of Korea (ROK)", "U.S."
COUNTRY_WORDS: tuple[tuple[str, str], ...] = (
    (r"Japan(?:ese|'s)?|日本(?:国)?(?:の)?", "JP"),
    (
        r"U\.S\.|US|United States(?: of America)?|American|the United States'?|米国|"
        r"アメリカ(?:合衆国)?",
        "US",
    ),
    (
        r"(?:the )?Republic of Korea(?: \(ROK\))?'?s?|ROK|South Korea(?:n|'s)?|Korean|"
        r"韓国|大韓民国",
        "KR",
    ),
    (r"Australia(?:n|'s)?|豪州|オーストラリア", "AU"),
    (r"India(?:n|'s)?|インド", "IN"),
    (r"(?:the )?Philippines?'?|Philippine|フィリピン", "PH"),
    (r"China|Chinese|PRC|中国", "CN"),
    (r"Ukrain(?:e|ian)|ウクライナ", "UA"),
    (r"Fiji(?:an)?", "FJ"),
    (r"NATO", "NATO"),
)
# titles, longest first, and the role each stands for
TITLES: tuple[tuple[str, str], ...] = (
    (r"Vice[- ]President", "vice-president"),
    (r"Deputy Prime Minister", "cabinet-minister"),
    (r"(?:Acting )?Prime Minister", "prime-minister"),
    (r"President", "president"),
    (r"Secretary of State", "secretary-of-state"),
    (r"Secretary of (?:Defense|War)|(?:Defense|War) Secretary", "secretary-of-defense"),
    (r"(?:Deputy|Acting Deputy) Secretary(?: of (?:State|Defense|War))?", "deputy-secretary"),
    (r"Under Secretary", "under-secretary"),
    (r"(?:Deputy |Acting )?Assistant Secretary", "assistant-secretary"),
    (r"Chief Cabinet Secretary", "chief-cabinet-secretary"),
    (
        r"National Security (?:Advisor|Adviser)|Secretary[- ]General of (?:the )?National "
        r"Security Secretariat",
        "national-security-advisor",
    ),
    (
        r"Secretary of (?:Commerce|the Treasury|Energy|Homeland Security|Agriculture)|"
        r"(?:Commerce|Treasury) Secretary|Trade Representative",
        "cabinet-minister",
    ),
    (r"Secretary of Foreign Affairs", "foreign-minister"),
    (r"Secretary of National Defense", "defense-minister"),
    (r"(?:Acting )?Secretary", "secretary"),
    (
        r"(?:First |Second |Senior )?Vice[- ](?:Foreign )?Minister"
        r"(?: (?:for|of) (?:Foreign Affairs|"
        r"Defense|International Affairs))?|Administrative Vice[- ]Minister(?: of Defense)?",
        "vice-minister",
    ),
    (
        r"(?:Parliamentary Vice[- ]Minister|State Minister)(?: (?:for|of) (?:Foreign Affairs|"
        r"Defense))?",
        "state-minister",
    ),
    (
        r"Foreign Minister|Minister (?:for|of) Foreign Affairs|External Affairs Minister|"
        r"Minister (?:of|for) External Affairs",
        "foreign-minister",
    ),
    (r"Defen[cs]e Minister|Minister (?:of|for) (?:National )?Defen[cs]e", "defense-minister"),
    (r"Minister", "cabinet-minister"),
    (r"Special (?:Representative|Envoy)", "special-representative"),
    (r"Senior Official", "official"),
    (r"Ambassador(?:-at-Large)?", "ambassador"),
    (r"Director[- ]General", "director-general"),
)
TITLE = re.compile("|".join(f"(?P<t{i}>{p})" for i, (p, _) in enumerate(TITLES)))
_COUNTRY = re.compile(
    "|".join(f"(?P<c{i}>(?<![\\w.])(?:{p})(?![\\w]))" for i, (p, _) in enumerate(COUNTRY_WORDS))
)
# what may stand between a title and the name it goes with ("Director General for Asian and
# Oceanian Affairs Bureau", "Ministry of Foreign Affairs", "(DPRK)", "Ambassador", "Dr.")
FILLER = frozenset(
    [
        "for",
        "of",
        "and",
        "the",
        "to",
        "Affairs",
        "Affair",
        "Bureau",
        "Asian",
        "Oceanian",
        "Korean",
        "Peninsula",
        "Peace",
        "Security",
        "Policy",
        "Political",
        "Economic",
        "East",
        "Asia",
        "Asian",
        "Pacific",
        "Indo-Pacific",
        "Defense",
        "Defence",
        "State",
        "Foreign",
        "Democratic",
        "People's",
        "Republic",
        "Korea",
        "DPRK",
        "(DPRK)",
        "ROK",
        "(ROK)",
        "Ministry",
        "Department",
        "National",
        "International",
        "Global",
        "North",
        "American",
        "America",
        "Arms",
        "Control",
        "Cooperation",
        "Strategic",
        "Government",
        "Office",
        "Public",
        "Diplomacy",
        "Dr.",
        "Mr.",
        "Ms.",
        "Mrs.",
        "H.E.",
        "Honorable",
        "Ambassador",
        "General",
        "Director",
        "Deputy",
        "Senior",
        "Official",
        "Special",
        "Representative",
        "Envoy",
        "Minister",
        "Vice",
        "Secretary",
        "Assistant",
        "Under",
        "First",
        "Second",
        "Acting",
        "Administrative",
        "U.S.",
        "Japanese",
        "Japan's",
        "United",
        "States",
        "of",
        "Commerce",
        "Trade",
        "Industry",
        "Economy",
        "Economy,",
        "Trade,",
        "Industry,",
        "Treasury",
        "Representative",
        "Sherpa",
        "Chief",
        "Cabinet",
        "Cyber",
        "Space",
        "America",
    ]
)
# Japanese: 林外務大臣, 茂木敏充外務大臣, ルビオ米国国務長官, マルコ・ルビオ国務長官
JA_TITLES: tuple[tuple[str, str, str | None], ...] = (
    ("内閣総理大臣", "prime-minister", "JP"),
    ("総理大臣", "prime-minister", "JP"),
    ("総理", "prime-minister", "JP"),
    ("首相", "prime-minister", None),
    ("大統領", "president", None),
    ("副大統領", "vice-president", "US"),
    ("国務長官", "secretary-of-state", "US"),
    ("国防長官", "secretary-of-defense", "US"),
    ("戦争長官", "secretary-of-defense", "US"),
    ("国務副長官", "deputy-secretary", "US"),
    ("国防副長官", "deputy-secretary", "US"),
    ("国務次官補", "assistant-secretary", "US"),
    ("国防次官補", "assistant-secretary", "US"),
    ("国務次官", "under-secretary", "US"),
    ("国防次官", "under-secretary", "US"),
    ("国家安全保障担当大統領補佐官", "national-security-advisor", "US"),
    ("国家安全保障局長", "national-security-advisor", "JP"),
    ("内閣官房長官", "chief-cabinet-secretary", "JP"),
    ("官房長官", "chief-cabinet-secretary", "JP"),
    ("外務大臣", "foreign-minister", None),
    ("外相", "foreign-minister", None),
    ("外交部長官", "foreign-minister", "KR"),
    ("国防部長官", "defense-minister", "KR"),
    ("防衛大臣", "defense-minister", "JP"),
    ("国防大臣", "defense-minister", None),
    ("防衛相", "defense-minister", "JP"),
    ("外務副大臣", "state-minister", "JP"),
    ("防衛副大臣", "state-minister", "JP"),
    ("外務大臣政務官", "state-minister", "JP"),
    ("外務事務次官", "vice-minister", "JP"),
    ("防衛事務次官", "vice-minister", "JP"),
    ("防衛審議官", "vice-minister", "JP"),
    ("第1次官", "vice-minister", "KR"),
    ("第一次官", "vice-minister", "KR"),
    ("アジア大洋州局長", "director-general", "JP"),
    ("北米局長", "director-general", "JP"),
    ("防衛政策局長", "director-general", "JP"),
    ("特別代表", "special-representative", None),
    ("大使", "ambassador", None),
    ("大臣", "cabinet-minister", "JP"),
)
JA_TITLE = re.compile(
    "|".join(re.escape(t) for t, _, _ in sorted(JA_TITLES, key=lambda x: -len(x[0])))
)
JA_ROLE = {t: (role, country) for t, role, country in JA_TITLES}
US_ONLY = frozenset(
    {
        "secretary-of-state",
        "secretary-of-defense",
        "deputy-secretary",
        "under-secretary",
        "assistant-secretary",
    }
)


def role_of(match: re.Match[str]) -> str:
    """The role a match of TITLE stands for."""
    return TITLES[int((match.lastgroup or "t0")[1:])][1]


def country_of(text: str) -> str | None:
    """The country the last country word in `text` names."""
    match = None
    for match in _COUNTRY.finditer(text):  # noqa: B007 - the last one is wanted
        pass
    if match is None or match.lastgroup is None:
        return None
    return COUNTRY_WORDS[int(match.lastgroup[1:])][1]


def title_before(text: str, start: int) -> tuple[str | None, str | None, int]:
    """The title (role) and country written just before position `start` ("Japanese Vice
    Foreign Minister |Mori"), with only filler words between; and where that phrase begins."""
    window = text[max(0, start - 160) : start]
    offset = start - len(window)
    best: tuple[str | None, str | None, int] = (None, None, start)
    for match in TITLE.finditer(window):
        between = window[match.end() :].replace(",", " ").split()
        if all(w in FILLER or w.strip("()") in FILLER for w in between):
            role = role_of(match)
            before = window[max(0, match.start() - 45) : match.start()]
            country_match = re.search(
                r"("
                + "|".join(p for p, _ in COUNTRY_WORDS)
                + r")(?:\s+(?:Ministry of Foreign Affairs|"
                r"Ministry of Defense|Government|Special|Senior))*\s*$",
                before,
            )
            country = country_of(country_match.group(0)) if country_match else None
            if (
                country is None
                and role == "special-representative"
                and _DPRK.search(window[match.end() :])
            ):
                country = "US"  # the U.S. Special Representative for North Korea
            begin = offset + match.start() - (len(country_match.group(0)) if country_match else 0)
            best = (role, country, begin)
            break
    return best


_DPRK = re.compile(
    r"^\s*(?:for|to) (?:the )?(?:DPRK|North Korea|Democratic People's Republic of Korea)"
)


def title_after(text: str, end: int) -> tuple[str | None, str | None]:
    """ "Mr. HAYASHI Yoshimasa|, Minister for Foreign Affairs of Japan" ."""
    after = text[end : end + 90]
    match = re.match(
        r"\s*,\s*(?:the\s+)?(" + TITLE.pattern + r")(\s+of\s+(?:the\s+)?[A-Z][\w ]+)?", after
    )
    if not match:
        return None, None
    role_match = TITLE.match(match.group(1))
    role = role_of(role_match) if role_match else None
    return role, country_of(match.group(0))


def resolve_role(
    role: str | None, country: str | None, site_country: str | None
) -> tuple[str | None, str | None]:
    """The role and country a written title means, the site's country standing in for one left
    unsaid."""
    if role == "secretary":
        # "Secretary Blinken" on a U.S. page: a cabinet secretary
        return "cabinet-minister", country or "US"
    if role in US_ONLY and country is None:
        country = "US"
    if role and country is None and site_country and role not in ("president", "prime-minister"):
        country = site_country
    return role, country
