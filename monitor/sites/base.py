"""What a site profile says about a site: where the content is and what is boilerplate."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# "SECRETARY BLINKEN:", "FOREIGN MINISTER KAMIKAWA: (Via interpreter)", "QUESTION:", "Q:"
CAPS_SPEAKER = re.compile(
    r"^((?:[A-Z][A-Z.'’\-]*\s+){0,4}[A-Z][A-Z.'’\-]*)\s*(?:\([^)]{0,40}\))?\s*:\s*(?:\([^)]{0,40}\))?"
)
# "Motegi:", "Prime Minister Takaichi:" (The Japan News' gists)
TITLE_SPEAKER = re.compile(
    r"^((?:(?:Prime|Foreign|Defense|Chief|Cabinet|Minister|Secretary|President|Deputy|Mr\.|Ms\.)"
    r"\s+){0,3}[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s*:\s"
)
# "茂木大臣：", "【茂木外務大臣】", "記者："
JA_SPEAKER = re.compile(
    r"^(?:【([^】]{1,24})】|((?:[\u4e00-\u9fff\u30a0-\u30ff]{1,12}"
    r"(?:大臣|長官|総理|報道官|大統領|次官)|記者|問|答))\s*[：:])"
)
NOT_SPEAKERS = frozenset(
    {
        "NOTE",
        "NOTES",
        "DATE",
        "TIME",
        "LOCATION",
        "PLACE",
        "SUBJECT",
        "UPDATE",
        "UPDATED",
        "SOURCE",
        "TAGS",
        "PHOTO",
        "CREDIT",
        "WASHINGTON",
        "TOKYO",
        "RELATED",
        "SEE",
        "READ",
        "ALSO",
        "FACT SHEET",
        "PDF",
        "VIDEO",
        "AUDIO",
        "MEDIA NOTE",
        "READOUT",
        "TOPICS",
    }
)
SPEAKER_ALIASES = {"Q": "QUESTION", "問": "記者", "答": None}

COMMON_DROP = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "nav",
    "footer",
    "aside",
    "object",
    "embed",
    "video",
    "audio",
    "[role=navigation]",
    "[role=banner]",
    "[aria-hidden=true]",
    "[hidden]",
    ".visually-hidden",
    ".sr-only",
    ".screen-reader-text",
    ".skip-link",
)

COMMON_IGNORE = (
    r"^(?:Print|Share|Email|Tweet|印刷|シェア|メール)$",
    r"^(?:Back to top|Page top|Return to top)\.?$",
    r"^Last (?:Updated|Modified)\s*:",
)


@dataclass(frozen=True)
class Profile:
    name: str
    hosts: tuple[str, ...]
    content: tuple[str, ...]  # CSS selectors for the main content, tried in order
    drop: tuple[str, ...] = ()  # boilerplate inside the content
    ignore: tuple[str, ...] = ()  # regexes: blocks they match are dropped
    title: tuple[str, ...] = ("h1",)
    date: tuple[str, ...] = ()  # where the publication date is written
    listing: tuple[str, ...] = ("a[href]",)  # links to meeting pages on a listing page
    title_suffix: str = ""  # regex stripped from <title>
    speakers: tuple[re.Pattern[str], ...] = (CAPS_SPEAKER, JA_SPEAKER)
    lang: str = "en"
    fallback_to_body: bool = False  # only the generic profile may fall back
    version: int = 1
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def drops(self) -> tuple[str, ...]:
        return COMMON_DROP + self.drop

    @property
    def ignores(self) -> tuple[str, ...]:
        return COMMON_IGNORE + self.ignore
