"""Who a sentence names: officials with their country and rank on the meeting's day. Pure.

A name is resolved with the roster (its aliases, terms and countries) and with the words written
around it: "Republic of Korea Special Representative Kim" in June 2022 is Kim Gunn, "Special
Representative for the DPRK Kim" is Sung Kim, "Japanese Vice Foreign Minister Mori Takeo" is a
Japanese vice-minister whether or not the roster knows him."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from monitor.meetings.roster import ROLE_LEVEL, Official, Roster

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
_TITLE = re.compile("|".join(f"(?P<t{i}>{p})" for i, (p, _) in enumerate(TITLES)))
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
_NAME_WORD = re.compile(
    r"(?:[A-Z][a-z]+(?:[-'][A-Za-z][a-z]+)?|[A-Z]{2,}(?:-[A-Z]+)?|[A-Z]\.)(?=['’]s\b|[\s,.;:)]|$)"
)
_NAME_STOP = frozenset(
    [
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "And",
        "But",
        "Today",
        "Yesterday",
        "This",
        "That",
        "They",
        "He",
        "She",
        "We",
        "It",
        "Secretary",
        "Minister",
        "President",
        "Prime",
        "Foreign",
        "Defense",
        "State",
        "Vice",
        "Deputy",
        "Japan",
        "Japanese",
        "United",
        "Korea",
        "Republic",
        "Australia",
        "India",
        "Philippines",
        "Ministry",
        "Department",
        "Director",
        "Special",
        "Ambassador",
        "Under",
        "Assistant",
        "National",
        "Chief",
        "Cabinet",
        "General",
        "Affairs",
        "Bureau",
        "Senior",
        "Official",
        "Representative",
        "Mr",
        "Ms",
        "Dr",
        "For",
        "Of",
        "Honorable",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "U.S.",
        "ROK",
        "DPRK",
        "PRC",
        "Quad",
        "Pentagon",
        "Washington",
        "Tokyo",
        "White",
        "House",
        "Alliance",
        "Counterpart",
        "Counterparts",
        "Ministers",
        "Leaders",
        "Talks",
        "Meeting",
        "Japan's",
        "Cabinet",
        "Office",
        "Government",
        "Bureau",
        "Defense",
        "Secretaries",
        "Extraordinary",
        "Plenipotentiary",
        "H.E.",
        "His",
        "Her",
        "Excellency",
        "America",
        "States",
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
_JA_TITLE = re.compile(
    "|".join(re.escape(t) for t, _, _ in sorted(JA_TITLES, key=lambda x: -len(x[0])))
)
_JA_ROLE = {t: (role, country) for t, role, country in JA_TITLES}
_JA_NAME = re.compile(r"([\u4e00-\u9fff々]{2,5}|[\u30a0-\u30ff・＝=]{2,20})$")
_JA_COUNTRY_CHARS = frozenset("日米韓豪印比中露英仏独加伊両国各")
US_ONLY = frozenset(
    {
        "secretary-of-state",
        "secretary-of-defense",
        "deputy-secretary",
        "under-secretary",
        "assistant-secretary",
    }
)


@dataclass(frozen=True)
class Person:
    """An official named in a text, resolved as far as the roster and the words around allow."""

    name: str  # the roster's name, or the name as written
    country: str | None
    role: str | None
    official: Official | None
    start: int
    end: int

    @property
    def level(self) -> str | None:
        return ROLE_LEVEL.get(self.role or "")

    @property
    def key(self) -> str:
        return self.official.name if self.official else self.name.lower()


def _country_of(text: str) -> str | None:
    match = None
    for match in _COUNTRY.finditer(text):  # noqa: B007 - the last one is wanted
        pass
    if match is None or match.lastgroup is None:
        return None
    return COUNTRY_WORDS[int(match.lastgroup[1:])][1]


def _title_before(text: str, start: int) -> tuple[str | None, str | None, int]:
    """The title (role) and country written just before position `start` ("Japanese Vice
    Foreign Minister |Mori"), with only filler words between; and where that phrase begins."""
    window = text[max(0, start - 160) : start]
    offset = start - len(window)
    best: tuple[str | None, str | None, int] = (None, None, start)
    for match in _TITLE.finditer(window):
        between = window[match.end() :].replace(",", " ").split()
        if all(w in FILLER or w.strip("()") in FILLER for w in between):
            role = TITLES[int((match.lastgroup or "t0")[1:])][1]
            before = window[max(0, match.start() - 45) : match.start()]
            country_match = re.search(
                r"("
                + "|".join(p for p, _ in COUNTRY_WORDS)
                + r")(?:\s+(?:Ministry of Foreign Affairs|"
                r"Ministry of Defense|Government|Special|Senior))*\s*$",
                before,
            )
            country = _country_of(country_match.group(0)) if country_match else None
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


def _title_after(text: str, end: int) -> tuple[str | None, str | None]:
    """ "Mr. HAYASHI Yoshimasa|, Minister for Foreign Affairs of Japan" ."""
    after = text[end : end + 90]
    match = re.match(
        r"\s*,\s*(?:the\s+)?(" + _TITLE.pattern + r")(\s+of\s+(?:the\s+)?[A-Z][\w ]+)?", after
    )
    if not match:
        return None, None
    role_match = _TITLE.match(match.group(1))
    role = TITLES[int((role_match.lastgroup or "t0")[1:])][1] if role_match else None
    return role, _country_of(match.group(0))


def _fit(official: Official, when: date | None, role: str | None, country: str | None) -> bool:
    if country and official.country != country:
        return False
    if not official.in_office(when):
        return False
    held = official.role_on(when)
    if role and held and role not in ("secretary", "cabinet-minister") and role != held:
        return _similar(role, held)
    return True


def _similar(written: str, held: str) -> bool:
    """A title that loosely names the role held (a Secretary of State called "Secretary")."""
    return ROLE_LEVEL.get(written) == ROLE_LEVEL.get(held) and written in (
        "cabinet-minister",
        "secretary",
    )


def _resolve_role(
    role: str | None, country: str | None, site_country: str | None
) -> tuple[str | None, str | None]:
    if role == "secretary":
        # "Secretary Blinken" on a U.S. page: a cabinet secretary
        return "cabinet-minister", country or "US"
    if role in US_ONLY and country is None:
        country = "US"
    if role and country is None and site_country and role not in ("president", "prime-minister"):
        country = site_country
    return role, country


def people(
    text: str, when: date | None, roster: Roster, site_country: str | None = None
) -> list[Person]:
    """The officials `text` names, in order, each once (by identity)."""
    found: list[Person] = []
    taken: list[tuple[int, int]] = []
    for hit in roster.hits(text):
        role, country, _ = _title_before(text, hit.start)
        if role is None:
            role, country = _title_after(text, hit.end)
        role_w, country_w = _resolve_role(role, country, None)
        candidates = [o for o in hit.officials if _fit(o, when, role_w, country_w)]
        if len(candidates) > 1 and role_w:
            exact = [o for o in candidates if o.role_on(when) == role_w]
            candidates = exact or candidates
        if len(candidates) == 1:
            official = candidates[0]
            found.append(
                Person(
                    official.name,
                    official.country,
                    official.role_on(when) or role_w,
                    official,
                    hit.start,
                    hit.end,
                )
            )
        elif role_w or country_w:
            role_w, country_w = _resolve_role(role, country, site_country)
            nations = {o.country for o in hit.officials}
            if country_w is None and len(nations) == 1:
                country_w = nations.pop()  # out of office that day, but still of that country
            found.append(Person(hit.text, country_w, role_w, None, hit.start, hit.end))
        else:
            continue
        taken.append((hit.start, hit.end))
    found.extend(_unknown_latin(text, taken, site_country))
    found.extend(_unknown_japanese(text, taken))
    found.sort(key=lambda p: p.start)
    unique: list[Person] = []
    for person in found:
        if person.official is None or all(person.key != u.key for u in unique):
            unique.append(person)
    return unique


def _unknown_latin(
    text: str, taken: list[tuple[int, int]], site_country: str | None
) -> list[Person]:
    """Titled names the roster does not know: "Japanese Vice Foreign Minister Mori Takeo"."""
    out: list[Person] = []
    for match in _TITLE.finditer(text):
        pos = match.end()
        # skip filler between the title and the name
        while True:
            word = re.match(r"\s*,?\s*(\(?[\w.'()-]+\)?,?)", text[pos:])
            if not word or word.group(1).rstrip(",") not in FILLER:
                break
            pos += word.end()
        names: list[str] = []
        cursor = pos
        while len(names) < 3:
            space = re.match(r"\s+", text[cursor:])
            gap = space.end() if space else 0
            name = _NAME_WORD.match(text, cursor + gap)
            if not name or name.group(0).rstrip(".") in _NAME_STOP or (names and gap == 0):
                break
            names.append(name.group(0))
            cursor = name.end()
        if not names or any(s <= pos < e or s < cursor <= e for s, e in taken):
            continue
        written = TITLES[int((match.lastgroup or "t0")[1:])][1]
        _, country, _ = _title_before(text, pos)
        role, country = _resolve_role(written, country, site_country)
        out.append(Person(" ".join(names), country, role, None, pos, cursor))
        taken.append((pos, cursor))
    return out


def _unknown_japanese(text: str, taken: list[tuple[int, int]]) -> list[Person]:
    """林外務大臣 / マルコ・ルビオ米国国務長官 when the roster does not know the name."""
    out: list[Person] = []
    for match in _JA_TITLE.finditer(text):
        head = text[max(0, match.start() - 24) : match.start()]
        country = None
        for pattern, code in COUNTRY_WORDS:
            tail = re.search(f"(?:{pattern})$", head)
            if tail and not tail.group(0).isascii():
                country, head = code, head[: tail.start()]
                break
        name = _JA_NAME.search(head)
        if not name or set(name.group(1)) <= _JA_COUNTRY_CHARS:
            continue
        start = match.start() - (
            len(text[max(0, match.start() - 24) : match.start()]) - name.start()
        )
        if any(s < match.start() and e > start for s, e in taken):
            continue  # the roster knows the name (マルコ・ルビオ: ルビオ)
        role, default_country = _JA_ROLE[match.group(0)]
        out.append(
            Person(
                name.group(1).strip("・"),
                country or default_country,
                role,
                None,
                start,
                match.end(),
            )
        )
        taken.append((start, match.end()))
    return out


_OFFICES = re.compile(
    r"(?:the )?(foreign|defen[cs]e)(?: and (foreign|defen[cs]e))? ministers? of "
    r"((?:(?:the )?[A-Z][\w ]*?)(?:(?:, | and |, and )(?:the )?[A-Z][\w ]*?)*)"
    r"(?= and the| met| held| convened|,|$)|(?<!Deputy )(?<!Under )(?<!Assistant )(?:the )?"
    r"Secretary of (State|Defense) of the United States",
    re.IGNORECASE,
)
_US_ROLES = {"foreign-minister": "secretary-of-state", "defense-minister": "secretary-of-defense"}


def offices(text: str, when: date, roster: Roster) -> list[Person]:
    """Principals named by office only: "the Foreign Ministers of Australia, India and Japan and
    the Secretary of State of the United States met" -> who held those offices that day."""
    out: list[Person] = []
    for match in _OFFICES.finditer(text):
        if match.group(4):
            role = (
                "secretary-of-state"
                if match.group(4).lower() == "state"
                else "secretary-of-defense"
            )
            pairs = [(role, "US")]
        else:
            roles = [
                "foreign-minister" if g.lower() == "foreign" else "defense-minister"
                for g in match.group(1, 2)
                if g
            ]
            codes = [
                code
                for part in re.split(r", and |, | and ", match.group(3))
                if (code := _country_of(part.strip()))
            ]
            pairs = [(_US_ROLES[r] if code == "US" else r, code) for r in roles for code in codes]
        for role, code in pairs:
            holders = roster.holders(role, code, when)
            if len(holders) == 1:
                o = holders[0]
                out.append(Person(o.name, o.country, role, o, match.start(), match.end()))
    return out
