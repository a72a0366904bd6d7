"""How each site announces a meeting: the forms of its titles and lead sentences. Pure.

A document reports a meeting when its title has one of the forms below ("Secretary X's Call with
Japanese Foreign Minister Y", "X and Y Before Their Meeting", "Japan-U.S. Foreign Ministers'
Meeting", 「日米外相電話会談」) or, for a joint statement, a MOFA or MOD summary, a news
article or a transcript, when its lead sentence says that the meeting took place ("X met today
with Y in Tokyo", 「…と会談を行いました」, "We just came from seeing Prime Minister Y"). Titles
that announce, brief, state or mourn are refused before anything else is read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.models import Block, Document

# --- titles ---------------------------------------------------------------------------------------

# refused outright: announcements, briefings, statements, messages (GUIDE: "No")
REFUSED_TITLE = re.compile(
    r"\bto (?:Travel|Visit|Host|Attend|Meet|Hold|Lead|Participate|Deliver)\b|^Travel (?:of|to)\b|"
    r"['’]s Travel\b|\bTravels? to\b|\bTrip to\b|\bWill (?:Travel|Meet|Host|Hold|Visit)\b|"
    r"\bUpcoming\b|\bPreview(?:ing|s)?\b|\bBriefing\b|\bBackgrounder\b|\bOn-the-Record\b|"
    r"\bNational Day\b|\bIndependence Day\b|\bCondolences?\b|\bPassing of\b|\bAnniversary\b|"
    r"\bFact Sheet\b|\bSanctions?\b|\bDesignat|\bTravel Advisory\b|\bInterview\b|"
    r"(?<!Ahead of )(?<!Sidelines of )(?<!Margins of )(?<!sidelines of )(?<!margins of )"
    r"(?<!at )(?<!At )(?<!During )(?<!during )(?<!Before )(?<!before )(?<!ahead of )"
    r"(?:\bG7\b|\bG-7\b|\bG20\b|\bG-20\b|\bASEAN\b|\bNATO\b(?! Headquarters)|"
    r"\bUnited Nations\b)|"
    r"\bSigns the\b|\bEnters? into Force\b|\bContracts? for\b|"
    r"予定|訪問予定|発表予定|来日予定|記者会見|談話|お悔やみ|弔意|報道官",
    re.IGNORECASE,
)
_MEET_NOUN = (
    r"(?:(?:Trilateral|Bilateral|Virtual|Video|Telephone|Phone|Introductory|Working|Courtesy|"
    r"Dinner|Lunch|Breakfast)\s+)*(?:Calls?|Meetings?|Phone Calls?|Telephone Calls?|Video ?Calls?|"
    r"Videoconferences?|Video Conferences?|Talks?|Discussions?|Dinner|Lunch|Breakfast|Conversation)"
)
# "Secretary Blinken's Call with Japanese Foreign Minister Hayashi",
# "Readout of Secretary of Defense Lloyd J. Austin III's Meeting With Japanese Minister of ..."
TITLE_WITH = re.compile(
    r"^(?:Readout(?: of|:)\s+)?(?P<subj>.+?)['’]s\s+(?P<noun>"
    + _MEET_NOUN
    + r")\s+[Ww]ith\s+(?P<obj>.+)$"
)
# "Secretary Antony J. Blinken and Japanese Foreign Minister Yoshimasa Hayashi Before Their Meeting"
TITLE_BEFORE = re.compile(
    r"^(?P<subj>.+?)\s+(?:Before|After|Prior to|At the (?:Top|Start) of)\s+(?:Their|the|a)\s+"
    r"(?P<noun>" + _MEET_NOUN + r")\b",
    re.IGNORECASE,
)
# "Secretary Austin Hosts Japanese Minister of Defense Kihara", "Austin Meets With Japan's ..."
TITLE_VERB = re.compile(
    r"^(?:Readout(?: of|:)\s+)?(?P<subj>.+?)\s+(?P<noun>Meets?|Met|Hosts?|Hosted|Speaks?|Spoke|"
    r"Holds? (?:a )?(?:Call|Talks|Meeting)s?|Calls?|Welcomes?)\s+(?:[Ww]ith\s+)?(?P<obj>.+)$"
)
# joint remarks and press events of both sides: "Opening Remarks with Secretary of Commerce ...",
# "Secretary Blinken, ..., Foreign Minister Hayashi, and Minister Hagiuda at a Press Availability",
# "Joint Press Conference with ...", "Secretary X and Minister Y at a Joint Press Availability"
TITLE_JOINT = re.compile(
    r"^(?:(?:Opening |Closing |Joint )?Remarks with\s+(?P<with>.+)$|"
    r"(?P<pre>.+?)\s+(?:Remarks with|at a Joint Press|at a Press Availability|"
    r"at a Press Conference|"
    r"Joint Press (?:Availability|Conference)|Remarks to the Press|Joint Statements? to the Press)"
    r"(?P<rest>.*)$|Joint Press (?:Availability|Conference) (?:with|of)\s+(?P<jwith>.+)$)",
    re.IGNORECASE,
)
# MOFA's and MOD's headlines: "Japan-U.S. Foreign Ministers' Meeting", "Japan-U.S. Summit
# Telephone Talk", "Japan-U.S.-ROK Trilateral ...", "Japan-U.S. Security Consultative Committee
# ("2+2")", "Courtesy Call on Prime Minister Kishida by Secretary of State Blinken"
TITLE_OFFICIAL = re.compile(
    r"(?:Japan|U\.S\.|United States|Australia|India|ROK|Republic of Korea|Philippines?)"
    r"(?:-(?:Japan|U\.S\.|United States|Australia|India|ROK|Republic of Korea|Philippines?))+"
    r"[^.]{0,80}?\b(?:Meeting|Talks?|Telephone Talk|Video Conference|Videoconference|Summit|"
    r"Consultative Committee|Dialogue|Consultations?|Ministerial|Dinner|Lunch)\b|"
    r"\bCourtesy Call\b|\bMeeting (?:between|with)\b|\bTelephone (?:Talk|Call|Conversation)s?\b|"
    r"\bVideo (?:Conference|Call|Meeting)\b|\bStand(?:ing)?[- ]up Talk\b|\bBrief Talk\b",
    re.IGNORECASE,
)
TITLE_JA = re.compile(
    r"日(?:米|・米)[^（(、。]{0,8}?(?:首脳|外相|防衛相|外務|防衛|次官|局長|閣僚|「?2\+2」?|2プラス2|安全保障)"
    r"[^。]{0,20}?(?:会談|会合|協議|立ち話|懇談|電話|テレビ会議|ビデオ会議|夕食会|昼食会|委員会)|"
    r"表敬|電話会談|立ち話|テレビ会談|会談|会合"
)
JOINT_STATEMENT = re.compile(
    r"\bJoint (?:Leaders'? |Ministerial |Vision )?(?:Statement|Readout|Press Statement|"
    r"Communiqu)|共同声明|共同発表",
    re.I,
)

# --- lead sentences -------------------------------------------------------------------------------

# the lines above a release's text: bureau, attribution, "Begin Text", byline, DoD's attribution
PREAMBLE = re.compile(
    r"^(?:Office of the Spokesperson|Media Note|Readout|Joint Statement|Statement|Press Statement|"
    r"(?:STORY|RELEASE|NEWS|TRANSCRIPT|STATEMENT|FEATURE|SPEECH|ADVISORY)\s*\|.*|"
    r"By [A-Z][^.]{2,60}|"
    r"The following (?:joint )?(?:statement|readout|release|text)\b.*|"
    r"Begin Text[.:]?|End Text[.:]?|The (?:below|following) is attributable to .*|"
    r"(?:The )?(?:text of the )?following (?:joint )?statement .*|The following is (?:the )?.*"
    r"(?:statement|readout|text).*|.*provided the following readout.*|Attributable to .*|"
    r"(?:Pentagon )?Press Secretary .* (?:provided|released) .*|.*(?:Spokesperson|Press Secretary)"
    r"[^.]*:$|Release No[.:].*|Immediate Release|"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"[a-z]*\.? \d{1,2}, \d{4}|\d{4}/\d{1,2}/\d{1,2}|(?:令和|平成)\d+年\d+月\d+日|"
    r"Japanese|English|日本語|\(?Photo.*|Photo: .*|\[?Unofficial translation\]?|.*写真提供.*|"
    r"\(?(?:Provisional|Tentative) [Tt]ranslation\)?|\(?仮訳\)?)$",
    re.IGNORECASE,
)
# a State transcript's byline: "Antony J. Blinken, Secretary of State"
BYLINE = re.compile(
    r"^[A-Z][\w.' -]{3,40},\s+(?:Secretary|Deputy Secretary|Under Secretary|Assistant Secretary|"
    r"Ambassador|Special|Spokesperson|Department|Counselor)[\w ,]{0,60}$"
)
_ABBREV = re.compile(
    r"(?:\b(?:U\.S|U\.N|D\.C|Mr|Ms|Mrs|Dr|Gen|Lt|Adm|Col|Sen|Rep|St|No|Jr|Sr|Amb|Sept?|Jan|Feb|Mar|Apr|Aug|Oct|Nov|Dec|Gov|Prof|H\.E|a\.m|p\.m|approx|etc|vs)|\b[A-Z])\.$"
)


def sentences(text: str) -> list[str]:
    """A paragraph split into sentences ("U.S.", "Antony J. Blinken", "D.C." do not end one)."""
    if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text):
        return [s + "。" for s in text.split("。") if s.strip()]
    out: list[str] = []
    start = 0
    for match in re.finditer(r"[.!?](?=\s+[\"'(]?[A-Z0-9])", text):
        if _ABBREV.search(text[start : match.end()]):
            continue
        out.append(text[start : match.end()].strip())
        start = match.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


@dataclass(frozen=True)
class Lead:
    """The opening of a document: what its first lines say, not what comes later."""

    paragraphs: tuple[str, ...]  # the first paragraphs of the text (transcripts: first turns)
    datelines: tuple[str, ...]  # the lines between byline and text: "Melbourne, Australia"
    byline: str | None  # "Antony J. Blinken, Secretary of State"
    speaker: str | None  # the first speaker's label in a transcript
    transcript: bool


def lead(doc: Document, count: int = 2) -> Lead:
    paragraphs: list[str] = []
    datelines: list[str] = []
    byline: str | None = None
    speaker: str | None = None
    transcript = any(b.speaker for b in doc.blocks[:12])
    for block in doc.blocks[:16]:
        text = block.text.strip()
        if not text or (block.kind == "heading" and not paragraphs and not _is_text(block)):
            if block.kind == "heading" and text != doc.title and _is_dateline(text):
                datelines.append(text)
            continue
        if PREAMBLE.match(text) or text == doc.title:
            continue
        if not paragraphs and byline is None and BYLINE.match(text):
            byline = text
            continue
        if transcript and block.speaker is None and not paragraphs and _is_dateline(text):
            datelines.append(text)
            continue
        if transcript and block.speaker and speaker is None:
            speaker = block.speaker
        paragraphs.append(_unlabelled(text, block))
        if len(paragraphs) >= count:
            break
    return Lead(tuple(paragraphs), tuple(datelines), byline, speaker, transcript)


def _is_text(block: Block) -> bool:
    return len(block.text) > 80


def _is_dateline(text: str) -> bool:
    return len(text) < 80 and not text.endswith((".", "。", ":")) and text.count(" ") < 10


def _unlabelled(text: str, block: Block) -> str:
    """A transcript paragraph without its "SECRETARY BLINKEN:" label."""
    if block.speaker and text.upper().startswith(block.speaker.upper()):
        return text[len(block.speaker) :].lstrip(" :：")
    return text


# a sentence saying a meeting took place (past tense): "met (today) with", "spoke with",
# "held (separate) calls with", "participated in a trilateral meeting", "co-hosted ... for the
# ... meeting", "received a courtesy call from", MOFA's "held a Japan-U.S. Foreign Ministers'
# Meeting with", and transcripts' "We just came from seeing Prime Minister Kishida"
PAST_MEETING = re.compile(
    r"\b(?:met|meets|(?:was|were) held)\b|"
    r"\b(?:spoke|speaks|talked)\b(?=[^;。]{0,60}?\b(?:with|by (?:tele)?phone|"
    r"counterparts?)\b)|\b(?:held|hold|had|hosted|co-hosted|welcomed|convened|conducted|"
    r"participated in|joined|received|paid|attended)\b(?=[^;。]{0,200}?\b(?:with|calls?|meetings?|"
    r"talks?|telephone talk|phone call|video ?conference|video call|(?:tele|video )?conferences?|"
    r"telecons?|teleconferences?|conversations?|discussions?|dialogue|consultations?|"
    r"courtesy call|dinner|lunch|breakfast|engagement|bilateral|trilateral|summit|2\+2|"
    r"Committee|Ministerial|(?:official |state |working )?visit)\b)|"
    r"\bwelcomed\b(?=[^;。]{0,120}?\bto (?:the )?[A-Z])",
    re.IGNORECASE,
)
# The Japan News: "X and Y agreed ... during telephone talks on Friday", "... in talks in Tokyo"
NEWS_MEETING = re.compile(
    r"\b(?:agreed|affirmed|confirmed|reaffirmed|discussed|shared|exchanged|held|met)\b[^.;]{0,240}?"
    r"\b(?:during|in|at)\s+(?:their\s+|a\s+|the\s+|an?\s+)?(?:[\w'-]+\s+){0,4}?"
    r"(?:talks|meeting|summit|call|conference|phone talks|telephone talks|video conference)\b",
    re.IGNORECASE,
)
JUST_MET = re.compile(
    r"\b(?:just|have just|just now)\s+(?:came from (?:seeing|meeting)|met(?: with)?|"
    r"had (?:a|an|our|"
    r"my|the)\s+(?:[\w-]+\s+){0,3}(?:meeting|call|conversation|discussion|talks?) with|concluded|"
    r"finished)\b",
    re.IGNORECASE,
)
FUTURE = re.compile(
    r"\b(?:will|would|plans? to|is (?:scheduled|expected|set) to|are (?:scheduled|expected|set) to|"
    r"looks? forward to|look forward to|to be held|upcoming|next (?:week|month))\b",
    re.IGNORECASE,
)
JA_MEETING = re.compile(
    r"(?:会談|会合|電話会談|テレビ会議|ビデオ会議|立ち話|懇談|表敬|協議|夕食会|昼食会|ワーキング・ランチ)"
    r"(?:を[^。、]{0,16}?)?(?:行|実施|開催|受け|し(?:まし)?た|した)"
)
JA_FUTURE = re.compile(r"予定|する見込み|します。$|行います。$")
# where a clause turns from who met to what they said or why: people after this are mentioned
CLAUSE_END = re.compile(
    r"\s(?:to (?:discuss|offer|exchange|review|reaffirm|launch|express|deliver|convey|pay|"
    r"underscore|highlight|coordinate|talk|consult|address|share|follow)|on behalf of|"
    r"following|after (?:the|a)|"
    r"building on|ahead of|on the (?:sidelines|margins)|during|regarding|concerning|about|"
    r"including|where|which|who (?:is|are|was)|in (?:the )?wake of|amid|as (?:part|they))\b|;|"
    r":(?!\d)|"
    r"、(?:概要|会談|その)|ところ、|。",
)


def claim_clause(sentence: str, verb_end: int) -> str:
    """The part of a sentence that says who met: up to where it turns to what or why."""
    stop = CLAUSE_END.search(sentence, verb_end)
    return sentence[: stop.start()] if stop else sentence


MODE_PHONE = re.compile(
    r"(?<!courtesy )(?<!Courtesy )\b(?:calls?|spoke|speaks|telephone|phone|by phone|telecon)\b|"
    r"電話",
    re.IGNORECASE,
)
MODE_VIDEO = re.compile(
    r"\b(?:video|virtual(?:ly)?|videoconference|online|teleconference)\b|テレビ会議|ビデオ会議|テレビ会談|オンライン",
    re.IGNORECASE,
)
SEPARATE = re.compile(
    r"\bseparate\b|\bCalls with\b|\bMeetings with\b|\bcalls with\b(?!.*\btrilateral\b)|"
    r"\bheld calls\b|それぞれ",
    re.IGNORECASE,
)
TWO_PLUS_TWO = re.compile(
    r"(?<!Economic )(?<!Economic \")(?<!Economic ')"
    r"(?:\b2\s?\+\s?2\b|Security Consultative Committee|"
    r"安全保障協議委員会|「2\+2」|2プラス2)",
)
ECONOMIC = re.compile(
    r"Economic (?:\"|')?2\+2|Economic Policy Consultative|経済版「?2\+2|経済政策協議委員会", re.I
)
QUAD = re.compile(r"\bQuad\b|\bQuadrilateral\b|日米豪印", re.IGNORECASE)
TRILATERAL = re.compile(r"\bTrilateral\b|三か国|3か国|日米韓|日米豪|日米比|日米印", re.IGNORECASE)
MULTILATERAL = re.compile(
    r"\b(?:G7|G-7|G20|G-20|ASEAN|NATO|United Nations|UN General Assembly|APEC|EAS|East Asia Summit|"
    r"Friends of|Global Action|Small Group|Coalition|Partners in the Blue Pacific|Mekong)\b|"
    r"G7|G20|ASEAN|国連|東アジア首脳会議",
    re.IGNORECASE,
)
# country compounds of a meeting's name: "Japan-U.S.-ROK", "Republic of Korea-U.S.-Japan", 日米韓
_C = (
    r"(?:Japan|U\.S\.|US|United States|America|ROK|Republic of Korea|Korea|Australia|India|"
    r"Philippines?)"
)
COMPOUND = re.compile(_C + r"(?:\s?-\s?" + _C + r")+")
JA_COMPOUND = re.compile(r"日[・]?米[・]?(?:韓|豪|比|印)?[・]?(?:印|豪|比|韓)?")
COMPOUND_CODES = {
    "japan": "JP",
    "u.s.": "US",
    "us": "US",
    "united states": "US",
    "america": "US",
    "rok": "KR",
    "republic of korea": "KR",
    "korea": "KR",
    "australia": "AU",
    "india": "IN",
    "philippines": "PH",
    "philippine": "PH",
    "日": "JP",
    "米": "US",
    "韓": "KR",
    "豪": "AU",
    "印": "IN",
    "比": "PH",
}


def compound_countries(text: str) -> frozenset[str]:
    """The countries of "Japan-U.S.-ROK ..." or 「日米韓…」 in a meeting's name."""
    match = COMPOUND.search(text)
    if match:
        parts = re.split(r"\s?-\s?", match.group(0))
        return frozenset(COMPOUND_CODES[p.lower()] for p in parts if p.lower() in COMPOUND_CODES)
    ja = JA_COMPOUND.search(text)
    if ja and len(ja.group(0).replace("・", "")) >= 2:
        return frozenset(COMPOUND_CODES[c] for c in ja.group(0) if c in COMPOUND_CODES)
    return frozenset()
