"""What a document's title and lead claim: the words naming the meeting, the text naming its
principals, and the sentence telling when and where. Pure.

Forms (monitor.meetings.forms) say how a title or a lead sentence reports a meeting; a site says
which forms apply: a headline site's title always names the meeting, a news site's may be a
news headline whose lead sentence reports it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from monitor.meetings import forms
from monitor.meetings.people import Person, people
from monitor.meetings.roster import Roster

# sites whose headline always names the meeting: no headline form, no meeting
HEADLINE_SITES = frozenset({"mofa", "mofa-ja", "mod"})
# sites whose headline may be a news headline: the lead's dateline sentence reports the meeting
NEWS_SITES = frozenset({"japannews", "generic"})


@dataclass(frozen=True)
class Claim:
    """What the title and lead say: the text naming the principals, the words naming the
    meeting, and the sentence telling when and where."""

    people_text: tuple[str, ...]
    naming: str  # the words that name the meeting ("Trilateral Meeting", "held separate calls")
    sentence: str  # the lead sentence reporting it ("" when only the title does)
    extra: tuple[Person, ...] = ()  # principals known otherwise (a byline, a speaker)
    opening: str = ""  # a news lead's first sentence: its date when the claim has none


def title_claims(title: str) -> bool:
    """Whether the title itself reports a meeting (in one of the title forms)."""
    return bool(
        forms.TITLE_WITH.match(title)
        or forms.TITLE_BEFORE.match(title)
        or forms.TITLE_OFFICIAL.search(title)
        or forms.TITLE_JA.search(title)
        or forms.TITLE_JOINT.match(title)
        or forms.TITLE_VERB.match(title)
    )


def read_claim(
    title: str, opening: forms.Lead, site: str | None, roster: Roster, pub: date | None
) -> Claim | None:
    """What the title and lead claim, in the forms `site` uses; None when they report no meeting."""
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
