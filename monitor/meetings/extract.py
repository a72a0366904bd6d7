"""Which Japan-U.S. meeting a document reports, read from its title and lead. Pure.

GUIDE.md (corpus/meetings) is the definition followed here: a meeting that took place, with
principals of Japan and of the United States, in a bilateral to four-country format; its
date (the local day), format, level, mode, kind, participants and location. The rest of the text
never sets a field: a mention of an earlier 2+2, of the Quad or of an upcoming summit is not the
meeting the document is about."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from monitor.meetings import forms, when
from monitor.meetings.people import Person, offices, people
from monitor.meetings.places import Place, city_in, dateline_city
from monitor.meetings.roster import LEVELS, Roster, default_roster, rank
from monitor.models import Document, Meeting, MeetingKind

SITE_COUNTRY = {"mofa": "JP", "mofa-ja": "JP", "mod": "JP", "state": "US", "defense": "US"}
# sites whose headline always names the meeting: no headline form, no meeting
HEADLINE_SITES = frozenset({"mofa", "mofa-ja", "mod"})
# sites whose headline may be a news headline: the lead's dateline sentence reports the meeting
NEWS_SITES = frozenset({"japannews", "generic"})
_REPRESENTATIVES = re.compile(
    r"\b(?:representatives|officials|delegations|delegates|officers)\s+(?:from|of)\s+"
    r"(?:the\s+)?(United States|Japan)(?:,?\s+and\s+(?:the\s+)?(United States|Japan))",
    re.IGNORECASE,
)
_FORMER = re.compile(r"(?:former|late|then)\s+(?:[A-Z][\w.]*\s+){0,4}$", re.IGNORECASE)
_LEVEL_WORDS = (
    (re.compile(r"Summit|Leaders|首脳", re.I), "leaders"),
    (
        re.compile(r"Foreign Ministers|Defense Ministers|Ministerial|外相|防衛相|2\+2|閣僚", re.I),
        "ministers",
    ),
    (re.compile(r"Vice[- ]Minist|Deputy Secretar|次官", re.I), "vice-ministers"),
)


@dataclass(frozen=True)
class Claim:
    """What the title and lead say: the text naming the principals, the words naming the
    meeting, and the sentence telling when and where."""

    people_text: tuple[str, ...]
    naming: str  # the words that name the meeting ("Trilateral Meeting", "held separate calls")
    sentence: str  # the lead sentence reporting it ("" when only the title does)
    extra: tuple[Person, ...] = ()  # principals known otherwise (a byline, a speaker)
    opening: str = ""  # a news lead's first sentence: its date when the claim has none


def extract_meeting(
    doc: Document, site: str | None = None, roster: Roster | None = None
) -> Meeting | None:
    """The Japan-U.S. meeting `doc` reports, or None if it reports none. `site` is the name of
    the profile the page was read with (it says which forms and time zone apply)."""
    roster = roster or default_roster()
    title = doc.title.strip()
    if not title or forms.REFUSED_TITLE.search(title):
        return None
    opening = forms.lead(doc)
    pub = when.published(doc.published, site)
    claim = _claim(title, opening, site, roster, pub.day)
    if claim is None:
        return None
    day, basis = _date(claim, opening, pub, title)
    if day is None:
        return None
    site_country = SITE_COUNTRY.get(site or "")
    found = _principals(claim, day, roster, site_country)
    found += _office_holders(f"{claim.naming} {title}", found, day, roster)
    naming = f"{claim.naming} {title if _title_claims(title) else ''}"
    if forms.SEPARATE.search(claim.naming) and not forms.TRILATERAL.search(naming):
        found = [p for p in found if p.country in ("JP", "US")]
    countries = {p.country for p in found if p.country}
    countries |= _representatives(claim.sentence)
    hinted = forms.compound_countries(naming)
    if len(hinted) >= 2 and not forms.SEPARATE.search(claim.naming):
        countries |= hinted
    if not {"JP", "US"} <= countries or len(countries) > 4:
        return None
    if forms.MULTILATERAL.search(claim.naming) and not hinted:
        return None  # "participated in the G7 meeting", "call with G7 counterparts"
    fmt = _format(naming, claim, countries, found, day)
    if fmt == "quad":
        countries |= {"AU", "IN"} if forms.QUAD.search(naming) else set()
    mode = _mode(claim)
    level = _level(found, countries, naming)
    kind = derive_kind(fmt, mode, level, found, day)
    place = None if mode != "in-person" else _place(claim, opening, title)
    return Meeting(
        id=meeting_id(day, kind),
        date=day.isoformat(),
        kind=kind,
        title=title,
        location=place.city if place else None,
        participants=tuple(p.name for p in found),
        sources=(doc.url,),
        duration=duration(claim.sentence),
        format=fmt,
        level=level,
        mode=mode,
        countries=tuple(sorted(countries, key=_country_order)),
        date_basis=basis,
    )


def _country_order(code: str) -> tuple[int, str]:
    return ({"JP": 0, "US": 1}.get(code, 2), code)


# --- the claim ----------------------------------------------------------------------------------


def _title_claims(title: str) -> bool:
    return bool(
        forms.TITLE_WITH.match(title)
        or forms.TITLE_BEFORE.match(title)
        or forms.TITLE_OFFICIAL.search(title)
        or forms.TITLE_JA.search(title)
        or forms.TITLE_JOINT.match(title)
        or forms.TITLE_VERB.match(title)
    )


def _claim(
    title: str, opening: forms.Lead, site: str | None, roster: Roster, pub: date | None
) -> Claim | None:
    sentence, naming = _lead_sentence(opening, news=site in NEWS_SITES)
    extra = _speakers(opening, roster, pub)
    with_ = forms.TITLE_WITH.match(title)
    if with_:
        if not sentence and not opening.transcript:
            sentence = _first(opening)  # a readout's first sentence reports what its title names
        return Claim((title, _clause(sentence)), f"{with_.group('noun')} with {naming}", sentence)
    before = forms.TITLE_BEFORE.match(title)
    if before:
        return Claim((before.group("subj"),), before.group("noun"), sentence, extra)
    joint = forms.TITLE_JOINT.match(title)
    if joint:
        return Claim((title, _clause(sentence)), naming, sentence, extra)
    verb = forms.TITLE_VERB.match(title)
    if verb and site not in HEADLINE_SITES and not forms.JOINT_STATEMENT.search(title):
        return Claim((title, _clause(sentence)), f"{verb.group('noun')} {naming}", sentence)
    official = forms.TITLE_OFFICIAL.search(title) or forms.TITLE_JA.search(title)
    if official and (sentence or site in HEADLINE_SITES or site in NEWS_SITES):
        sentence = sentence or _first(opening)
        return Claim((_clause(sentence),), f"{title} {naming}", sentence)
    if not sentence:
        return None
    if site in NEWS_SITES and opening.paragraphs and _news_headline(title, roster, pub):
        # a news lead names the people in its first sentence, whichever sentence says they met
        first = forms.sentences(opening.paragraphs[0])[0]
        return Claim((first, _clause(sentence)), naming or title, sentence or first, (), first)
    if forms.JOINT_STATEMENT.search(title) or site == "miragenews":
        return Claim((_clause(sentence),), naming, sentence)
    if opening.transcript and forms.JUST_MET.search(sentence):
        return Claim((_clause(sentence),), naming, sentence, extra)
    return None


_PAIR = re.compile(
    r"\b(?:Japan|Japanese)\b.{0,40}\b(?:U\.S\.|United States|American|Trump|Biden)|"
    r"\b(?:U\.S\.|United States)\b.{0,40}\bJapan|日米"
)


def _news_headline(title: str, roster: Roster, pub: date | None) -> bool:
    """A news headline about a Japan-U.S. encounter names both countries ("Japan, U.S. Defense
    Chiefs ...") or officials of both ("Takaichi, Trump Hold Phone Talks"); a story that only
    recalls a meeting ("Japanese Utilities Move Toward ...") does not."""
    if _PAIR.search(title):
        return True
    nations = {p.country for p in people(title, pub, roster)}
    return {"JP", "US"} <= nations


def _first(opening: forms.Lead) -> str:
    return forms.sentences(opening.paragraphs[0])[0] if opening.paragraphs else ""


def _lead_sentence(opening: forms.Lead, news: bool = False) -> tuple[str, str]:
    """The first lead sentence saying a meeting took place, and the words naming it."""
    for paragraph in opening.paragraphs[:2]:
        for sentence in forms.sentences(paragraph)[:3]:
            if opening.transcript:
                match = forms.JUST_MET.search(sentence)
            else:
                match = forms.PAST_MEETING.search(sentence) or forms.JA_MEETING.search(sentence)
                if match is None and news:
                    match = forms.NEWS_MEETING.search(sentence)
            if not match:
                continue
            before = sentence[: match.start()]
            if forms.FUTURE.search(before[-40:]) or forms.JA_FUTURE.search(sentence):
                continue
            clause = forms.claim_clause(sentence, match.end())
            return sentence, clause[match.start() :] or match.group(0)
    return "", ""


def _clause(sentence: str) -> str:
    if not sentence:
        return ""
    match = forms.PAST_MEETING.search(sentence) or forms.JA_MEETING.search(sentence)
    return forms.claim_clause(sentence, match.end() if match else 0)


def _speakers(opening: forms.Lead, roster: Roster, pub: date | None) -> tuple[Person, ...]:
    """The transcript's byline and first speaker: principals of remarks they give."""
    out: list[Person] = []
    for text in (opening.byline, opening.speaker):
        if text:
            out.extend(people(text.title() if text.isupper() else text, pub, roster))
    return tuple(out)


# --- fields ---------------------------------------------------------------------------------------


def _principals(claim: Claim, day: date, roster: Roster, site_country: str | None) -> list[Person]:
    found: list[Person] = list(claim.extra)
    for text in claim.people_text:
        if not text:
            continue
        for person in [*people(text, day, roster, site_country), *offices(text, day, roster)]:
            if _FORMER.search(text[max(0, person.start - 60) : person.start]):
                continue
            if person.country is None or (person.role is None and person.official is None):
                continue
            found.append(person)
    unique: list[Person] = []
    for person in found:
        if all(not _same_person(person, u) for u in unique):
            unique.append(person)
    return unique


# a meeting named by its level: "Gist of Japan-U.S. Summit", "the 2+2 was held", 日米外相会談
_OFFICE_NAMES = (
    (re.compile(r"Summit|首脳", re.I), ("prime-minister", "president")),
    (re.compile(r"Foreign Ministers?'?|外相", re.I), ("foreign-minister", "secretary-of-state")),
    (re.compile(r"Defen[cs]e Minist|防衛相", re.I), ("defense-minister", "secretary-of-defense")),
)


def _office_holders(naming: str, found: list[Person], day: date, roster: Roster) -> list[Person]:
    """When the document names the meeting by its offices but not the people in them, the
    holders of those offices that day (a 2+2: both countries' foreign and defense ministers)."""
    japan_us = {"JP", "US"} <= forms.compound_countries(naming)
    scc = bool(re.search(r"Security Consultative Committee|安全保障協議委員会", naming))
    if not (japan_us or scc):
        return []  # only a meeting named as Japan-U.S. ("Japan-U.S. Summit", 日米外相会談)
    offices_named = [pair for pattern, pair in _OFFICE_NAMES if pattern.search(naming)]
    if (scc or forms.TWO_PLUS_TWO.search(naming)) and not forms.ECONOMIC.search(naming):
        offices_named = [_OFFICE_NAMES[1][1], _OFFICE_NAMES[2][1]]
    out: list[Person] = []
    for jp_role, us_role in offices_named:
        for role, country in ((jp_role, "JP"), (us_role, "US")):
            if any(p.country == country and p.role == role for p in found):
                continue
            if any(p.country == country for p in found) and len(offices_named) == 1:
                continue  # the document names who came for that side
            holders = roster.holders(role, country, day)
            if len(holders) == 1:
                o = holders[0]
                out.append(Person(o.name, country, role, o, -1, -1))
    return out


def _same_person(a: Person, b: Person) -> bool:
    if a.official and b.official:
        return a.official is b.official
    if a.country != b.country:
        return False
    words_a, words_b = set(a.name.lower().split()), set(b.name.lower().split())
    return bool(words_a & words_b) and (a.official is None or b.official is None)


def _representatives(sentence: str) -> set[str]:
    match = _REPRESENTATIVES.search(sentence)
    if not match:
        return set()
    return {"US" if g.lower() == "united states" else "JP" for g in match.groups() if g}


def _format(naming: str, claim: Claim, countries: set[str], found: list[Person], day: date) -> str:
    if forms.TWO_PLUS_TWO.search(naming) and not forms.ECONOMIC.search(naming):
        return "2+2"
    roles = {(p.country, p.role) for p in found}
    if {
        ("US", "secretary-of-state"),
        ("US", "secretary-of-defense"),
        ("JP", "foreign-minister"),
        ("JP", "defense-minister"),
    } <= roles and len(countries) == 2:
        return "2+2"
    if forms.QUAD.search(naming) and countries <= {"JP", "US", "AU", "IN"}:
        return "quad"
    if countries == {"JP", "US", "AU", "IN"}:
        return "quad"
    # GUIDE.md keeps `quad` for the Quad; another small group (Japan, U.S., Australia and the
    # Philippines) is, like a trilateral, a small-group meeting
    if len(countries) >= 3 or forms.TRILATERAL.search(naming):
        return "trilateral"
    return "bilateral"


def _mode(claim: Claim) -> str:
    text = claim.naming
    if forms.MODE_VIDEO.search(text):
        return "video"
    if forms.MODE_PHONE.search(text):
        return "telephone"
    return "in-person"


def _level(found: list[Person], countries: set[str], naming: str) -> str:
    tops = []
    for country in countries:
        ranks = [rank(p.level) for p in found if p.country == country and p.level]
        if ranks:
            tops.append(max(ranks))
    if tops:
        return LEVELS[min(tops)]
    for pattern, level in _LEVEL_WORDS:
        if pattern.search(naming):
            return level
    return "officials"


def derive_kind(fmt: str, mode: str, level: str, found: list[Person], day: date) -> MeetingKind:
    """GUIDE.md's order: 2+2, trilateral, telephone-talk, summit, foreign-, defense-ministers,
    other."""
    if fmt == "2+2":
        return "2+2"
    if fmt in ("trilateral", "quad"):
        return "trilateral"
    if mode in ("telephone", "video"):
        return "telephone-talk"
    if level == "leaders":
        return "summit"
    top = {(p.country, p.role) for p in found if p.level and rank(p.level) >= rank("ministers")}
    if top == {("US", "secretary-of-state"), ("JP", "foreign-minister")}:
        return "foreign-ministers"
    if top == {("US", "secretary-of-defense"), ("JP", "defense-minister")}:
        return "defense-ministers"
    return "other"


def _date(
    claim: Claim, opening: forms.Lead, pub: when.Published, title: str
) -> tuple[date | None, str]:
    base = pub.day
    for text in (claim.sentence, title):
        found = when.stated(text, base) if text else None
        if found:
            return found, "stated"
    for text in (claim.sentence, claim.opening):
        if not text:
            continue
        found = when.stated(text, base) or when.weekday(text, base)
        if found:
            return found, "stated"
        found = when.relative(text, base)
        if found:
            return found, "relative"
    if opening.transcript:
        for line in opening.datelines:
            place = dateline_city(line)
            if place and place.zone:
                return pub.day_in(place.zone), "dateline"
    return base, "published"


def _place(claim: Claim, opening: forms.Lead, title: str) -> Place | None:
    for text in (claim.sentence, title):
        found = city_in(text) if text else None
        if found:
            return found
    for line in opening.datelines:
        found = dateline_city(line)
        if found:
            return found
    if opening.paragraphs:
        return dateline_city(opening.paragraphs[0][:60])
    return None


DURATION = re.compile(
    r"(?:for|lasting)\s+(?:approximately|about|around|some|roughly)?\s*(\d+|an?|one|two)\s*"
    r"(minutes?|hours?)(?:\s+and\s+(\d+)\s+minutes)?|約?\s*(\d+)\s*分間?|約?\s*(\d+)\s*時間",
    re.IGNORECASE,
)


def duration(sentence: str) -> str | None:
    """ "for approximately 55 minutes" / 「約55分間」 in the sentence reporting the meeting."""
    match = DURATION.search(sentence)
    if not match:
        return None
    if match.group(4):
        return f"{match.group(4)} minutes"
    if match.group(5):
        return f"{match.group(5)} hours"
    amount = {"a": "1", "an": "1", "one": "1", "two": "2"}.get(
        match.group(1).lower(), match.group(1)
    )
    unit = match.group(2).lower().rstrip("s") + ("s" if amount != "1" else "")
    extra = f" {match.group(3)} minutes" if match.group(3) else ""
    return f"{amount} {unit}{extra}"


def meeting_id(day: date, kind: str, salt: str = "") -> str:
    slug = {"2+2": "2plus2"}.get(kind, kind)
    suffix = f"-{hashlib.sha1(salt.encode()).hexdigest()[:6]}" if salt else ""
    return f"{day.isoformat()}-{slug}{suffix}"
