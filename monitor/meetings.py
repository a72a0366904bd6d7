"""Meetings: which Japan-U.S. meeting a document reports (date, kind, place, people). Pure."""

from __future__ import annotations

import hashlib
import re
from datetime import date

from monitor.dates import find_dates, parse_date, partial_dates, relative_date
from monitor.models import Document, Meeting, MeetingKind
from monitor.roster import Official, Roster, default_roster


class Screened:
    """A regex tried only when one of `keys` (substrings every match contains) is in the text:
    an alternation of words costs 0.3-0.7 ms over a 4,000-character head that it does not
    match, a few substring tests a few microseconds."""

    def __init__(self, pattern: str, keys: tuple[str, ...]) -> None:
        self.pattern = re.compile(pattern)
        self.keys = keys

    def search(self, text: str) -> re.Match[str] | None:
        if not any(key in text for key in self.keys):
            return None
        return self.pattern.search(text)


JAPAN = Screened(
    r"\bJapan(?:ese)?\b|日本|日米|訪日|本邦|我が国|総理|外務大臣|防衛大臣|防衛相|外相",
    ("Japan", "日本", "日米", "訪日", "本邦", "我が国", "総理", "大臣", "防衛相", "外相"),
)
USA = Screened(
    r"\bU\.\s?S\.(?!\w)|\bUS\b|\bUnited States\b|\bAmerican?\b|\bWashington\b|"
    r"米国|日米|米側|アメリカ|国務長官|国防長官|戦争長官|大統領",
    ("U.", "US", "United States", "America", "Washington", "米", "アメリカ", "長官", "大統領"),
)
MEETING = re.compile(
    r"\bmeet(?:s|ing|ings)?\b|\bmet\b|\btalks?\b|\btelephone\b|\bphone\b|\bcall\b|\bspoke\b|"
    r"\bsummit\b|\bconsultations?\b|\b2\s?\+\s?2\b|Security Consultative Committee|"
    r"\bbilateral\b|\btrilateral\b|会談|会合|電話|協議|首脳|懇談|2\+2",
    re.IGNORECASE,
)
KINDS: tuple[tuple[MeetingKind, re.Pattern[str]], ...] = (
    (
        "2+2",
        re.compile(
            r"\b2\s?\+\s?2\b|2\+2|Security Consultative Committee|\bSCC\b|"
            r"安全保障協議委員会|2プラス2",
            re.IGNORECASE,
        ),
    ),
    (
        "trilateral",
        re.compile(
            r"\btrilateral\b|\bquad(?:rilateral)?\b|日米韓|日米豪|日米比|日米印|"
            r"日米豪印|三か国|3か国|三箇国",
            re.IGNORECASE,
        ),
    ),
    (
        "telephone-talk",
        re.compile(
            r"\btelephone\b|\bphone call\b|\bby phone\b|\bcall with\b|"
            r"\bvideo ?conference\b|\bspoke (?:with|by)\b|電話会談|電話会議|"
            r"テレビ会議",
            re.IGNORECASE,
        ),
    ),
    ("summit", re.compile(r"\bsummit\b|\bleaders'? meeting\b|首脳会談|首脳会合", re.IGNORECASE)),
    (
        "defense-ministers",
        re.compile(
            r"\bdefen[cs]e ministers?'?(?: meeting| talks)?\b|"
            r"\bdefen[cs]e ministerial\b|\bSecretary of (?:Defense|War)\b|"
            r"防衛相会談|防衛大臣会談|国防長官|戦争長官",
            re.IGNORECASE,
        ),
    ),
    (
        "foreign-ministers",
        re.compile(
            r"\bforeign ministers?'?(?: meeting| talks)?\b|"
            r"\bSecretary of State\b|外相会談|外務大臣会談|国務長官",
            re.IGNORECASE,
        ),
    ),
)
ROLE_KINDS: dict[frozenset[str], MeetingKind] = {
    frozenset({"prime-minister", "president"}): "summit",
    frozenset({"foreign-minister", "secretary-of-state"}): "foreign-ministers",
    frozenset({"defense-minister", "secretary-of-defense"}): "defense-ministers",
}
PLACES = {
    "Tokyo": "Tokyo",
    "東京": "Tokyo",
    "Washington, D.C.": "Washington, D.C.",
    "Washington": "Washington, D.C.",
    "ワシントン": "Washington, D.C.",
    "New York": "New York",
    "ニューヨーク": "New York",
    "Honolulu": "Honolulu",
    "ホノルル": "Honolulu",
    "Osaka": "Osaka",
    "Hiroshima": "Hiroshima",
    "Okinawa": "Okinawa",
    "沖縄": "Okinawa",
    "Seoul": "Seoul",
    "Manila": "Manila",
    "Singapore": "Singapore",
    "シンガポール": "Singapore",
    "Brussels": "Brussels",
    "Ankara": "Ankara",
    "Jakarta": "Jakarta",
    "Kuala Lumpur": "Kuala Lumpur",
    "Vientiane": "Vientiane",
    "Munich": "Munich",
    "ミュンヘン": "Munich",
    "Rome": "Rome",
    "London": "London",
    "Paris": "Paris",
    "Canberra": "Canberra",
    "Sydney": "Sydney",
    "Hanoi": "Hanoi",
    "Bangkok": "Bangkok",
    "New Delhi": "New Delhi",
    "Lima": "Lima",
    "Rio de Janeiro": "Rio de Janeiro",
    "Camp David": "Camp David",
    "Yokosuka": "Yokosuka",
}
_PLACE = re.compile("|".join(re.escape(p) for p in sorted(PLACES, key=len, reverse=True)))
DURATION = re.compile(
    r"(?:for|lasting)\s+(?:approximately|about|around|some)?\s*(\d+|an?|one|two)\s*"
    r"(minutes?|hours?)(?:\s+and\s+(\d+)\s+minutes)?|約?\s*(\d+)\s*分間?|約?\s*(\d+)\s*時間",
    re.IGNORECASE,
)
SCAN_BLOCKS = 12
HEAD_CHARS = 4000


def _meeting_text(doc: Document) -> list[str]:
    """The title and the opening blocks, up to HEAD_CHARS: where a page says who met when."""
    out, size = [doc.title], len(doc.title)
    for block in doc.blocks[:SCAN_BLOCKS]:
        if size >= HEAD_CHARS:
            break
        out.append(block.text[: HEAD_CHARS - size])
        size += len(out[-1])
    return out


def _participant_text(doc: Document) -> list[str]:
    """The title and the first paragraphs that report the meeting: who is there, not who is
    mentioned later on."""
    reporting = [
        b.text for b in doc.blocks[:SCAN_BLOCKS] if b.kind != "heading" and MEETING.search(b.text)
    ][:2]
    return [doc.title, *reporting] if reporting else _meeting_text(doc)


def is_about_meeting(doc: Document, roster: Roster | None = None) -> bool:
    """Japan and the U.S. (by name or by their officials) and a meeting word."""
    head = " ".join(_meeting_text(doc))
    if not MEETING.search(head):
        return False
    countries = {o.country for o in (roster or default_roster()).find(head)}
    return bool(
        (JAPAN.search(head) or "JP" in countries) and (USA.search(head) or "US" in countries)
    )


def meeting_date(doc: Document) -> date | None:
    """The day of the meeting: the date in the sentence that reports it, else 'yesterday'
    counted from publication, else the publication date."""
    published = parse_date(doc.published) if doc.published else None
    texts = [b.text for b in doc.blocks[:SCAN_BLOCKS] if b.kind != "heading"]
    year = published.year if published else None
    if year is None:
        full = [d for t in texts for _, d in find_dates(t)]
        year = full[0].year if full else None
    for text in texts:
        if not MEETING.search(text):
            continue
        found = find_dates(text)
        if not found and year is not None:
            found = partial_dates(text, year)
        if found:
            return min(found)[1] if len(found) == 1 else found[0][1]
        if published:
            relative = relative_date(text, published)
            if relative:
                return relative
    if published:
        return published
    for text in [doc.title, *texts]:
        when = parse_date(text)
        if when:
            return when
    return None


def meeting_kind(doc: Document, officials: list[Official], when: date | None) -> MeetingKind:
    head = " ".join([doc.title, *(b.text for b in doc.blocks[:4])])
    countries = {o.country for o in officials}
    for kind, pattern in KINDS[:3]:
        if pattern.search(head):
            return kind
    if len(countries) >= 3:
        return "trilateral"
    roles = frozenset(r for r in (o.role_on(when) for o in officials) if r)
    for pair, kind in ROLE_KINDS.items():
        if pair <= roles:
            return kind
    for kind, pattern in KINDS[3:]:
        if pattern.search(doc.title):
            return kind
    for kind, pattern in KINDS[3:]:
        if pattern.search(head):
            return kind
    return "other"


def meeting_place(doc: Document) -> str | None:
    for text in _meeting_text(doc):
        match = _PLACE.search(text)
        if match:
            return PLACES[match.group(0)]
    return None


def meeting_duration(doc: Document) -> str | None:
    for text in _meeting_text(doc):
        match = DURATION.search(text)
        if not match:
            continue
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
    return None


def meeting_id(when: date, kind: str, salt: str = "") -> str:
    slug = {"2+2": "2plus2"}.get(kind, kind)
    suffix = f"-{hashlib.sha1(salt.encode()).hexdigest()[:6]}" if salt else ""
    return f"{when.isoformat()}-{slug}{suffix}"


def extract_meeting(doc: Document, roster: Roster | None = None) -> Meeting | None:
    """The Japan-U.S. meeting `doc` reports, or None if it reports none."""
    roster = roster or default_roster()
    if not is_about_meeting(doc, roster):
        return None
    when = meeting_date(doc)
    if when is None:
        return None
    officials = roster.find(" ".join(_participant_text(doc)), when)
    countries = {o.country for o in officials}
    if officials and not ({"JP", "US"} <= countries) and len(officials) >= 2:
        # Named officials, but not from both sides: not a Japan-U.S. meeting.
        return None
    kind = meeting_kind(doc, officials, when)
    return Meeting(
        id=meeting_id(when, kind),
        date=when.isoformat(),
        kind=kind,
        title=doc.title,
        location=meeting_place(doc),
        participants=tuple(o.name for o in officials),
        sources=(doc.url,),
        duration=meeting_duration(doc),
    )


def same_meeting(a: Meeting, b: Meeting) -> bool:
    """Two reports of one meeting: same kind within a day, or the same people on the same day."""
    da, db = date.fromisoformat(a.date), date.fromisoformat(b.date)
    gap = abs((da - db).days)
    if gap > 1:
        return False
    shared = set(a.participants) & set(b.participants)
    if a.kind == b.kind:
        if shared:
            return True
        return gap == 0 and (not a.participants or not b.participants)
    return gap == 0 and len(shared) >= 2


_GOOD_TITLE = re.compile(
    r"Japan-U\.?S\.?|U\.S\.-Japan|日米|Meeting|Talk|Summit|Consultative|"
    r"会談|会合|協議",
    re.IGNORECASE,
)
_WEAK_TITLE = re.compile(
    r"Remarks|Gist|Press|Transcript|Readout|Joint Statement|記者会見", re.IGNORECASE
)


def title_score(title: str) -> int:
    """How well a page title names the meeting itself (MOFA's titles do best)."""
    return len(_GOOD_TITLE.findall(title)) - 2 * len(_WEAK_TITLE.findall(title))
