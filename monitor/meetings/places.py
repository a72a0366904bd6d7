"""Where a meeting took place: cities as the sites write them, with their time zones. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

# city -> IANA zone; the zone reads a transcript's publication time as the day it was given
CITIES: dict[str, str] = {
    "Tokyo": "Asia/Tokyo",
    "Washington": "America/New_York",
    "New York": "America/New_York",
    "Honolulu": "Pacific/Honolulu",
    "San Francisco": "America/Los_Angeles",
    "Los Angeles": "America/Los_Angeles",
    "Camp David": "America/New_York",
    "Chicago": "America/Chicago",
    "Palm Beach": "America/New_York",
    "Anchorage": "America/Anchorage",
    "Osaka": "Asia/Tokyo",
    "Hiroshima": "Asia/Tokyo",
    "Nagasaki": "Asia/Tokyo",
    "Karuizawa": "Asia/Tokyo",
    "Ise-Shima": "Asia/Tokyo",
    "Nagoya": "Asia/Tokyo",
    "Yokohama": "Asia/Tokyo",
    "Yokosuka": "Asia/Tokyo",
    "Naha": "Asia/Tokyo",
    "Okinawa": "Asia/Tokyo",
    "Seoul": "Asia/Seoul",
    "Busan": "Asia/Seoul",
    "Gyeongju": "Asia/Seoul",
    "Manila": "Asia/Manila",
    "Singapore": "Asia/Singapore",
    "Jakarta": "Asia/Jakarta",
    "Bali": "Asia/Makassar",
    "Kuala Lumpur": "Asia/Kuala_Lumpur",
    "Vientiane": "Asia/Vientiane",
    "Phnom Penh": "Asia/Phnom_Penh",
    "Bangkok": "Asia/Bangkok",
    "Hanoi": "Asia/Ho_Chi_Minh",
    "Ho Chi Minh City": "Asia/Ho_Chi_Minh",
    "Beijing": "Asia/Shanghai",
    "Ulaanbaatar": "Asia/Ulaanbaatar",
    "New Delhi": "Asia/Kolkata",
    "Canberra": "Australia/Sydney",
    "Sydney": "Australia/Sydney",
    "Melbourne": "Australia/Melbourne",
    "Darwin": "Australia/Darwin",
    "Perth": "Australia/Perth",
    "Wellington": "Pacific/Auckland",
    "Auckland": "Pacific/Auckland",
    "Brussels": "Europe/Brussels",
    "London": "Europe/London",
    "Paris": "Europe/Paris",
    "Berlin": "Europe/Berlin",
    "Munich": "Europe/Berlin",
    "Rome": "Europe/Rome",
    "Madrid": "Europe/Madrid",
    "Vilnius": "Europe/Vilnius",
    "The Hague": "Europe/Amsterdam",
    "Geneva": "Europe/Zurich",
    "Vienna": "Europe/Vienna",
    "Warsaw": "Europe/Warsaw",
    "Kyiv": "Europe/Kyiv",
    "Ankara": "Europe/Istanbul",
    "Istanbul": "Europe/Istanbul",
    "Antalya": "Europe/Istanbul",
    "Riyadh": "Asia/Riyadh",
    "Doha": "Asia/Qatar",
    "Abu Dhabi": "Asia/Dubai",
    "Dubai": "Asia/Dubai",
    "Jeddah": "Asia/Riyadh",
    "Ottawa": "America/Toronto",
    "Toronto": "America/Toronto",
    "Vancouver": "America/Vancouver",
    "Charlevoix": "America/Toronto",
    "Kananaskis": "America/Edmonton",
    "Lima": "America/Lima",
    "Rio de Janeiro": "America/Sao_Paulo",
    "Buenos Aires": "America/Argentina/Buenos_Aires",
    "Johannesburg": "Africa/Johannesburg",
}
# other ways of writing a city
SPELLINGS: dict[str, str] = {
    "Washington, D.C.": "Washington",
    "Washington, DC": "Washington",
    "Washington D.C.": "Washington",
    "Washington DC": "Washington",
    "Nusa Dua": "Bali",
    "東京": "Tokyo",
    "ワシントン": "Washington",
    "ワシントンD.C.": "Washington",
    "ニューヨーク": "New York",
    "ホノルル": "Honolulu",
    "大阪": "Osaka",
    "広島": "Hiroshima",
    "沖縄": "Okinawa",
    "那覇": "Naha",
    "横須賀": "Yokosuka",
    "ソウル": "Seoul",
    "釜山": "Busan",
    "慶州": "Gyeongju",
    "マニラ": "Manila",
    "シンガポール": "Singapore",
    "ジャカルタ": "Jakarta",
    "バリ": "Bali",
    "クアラルンプール": "Kuala Lumpur",
    "ビエンチャン": "Vientiane",
    "プノンペン": "Phnom Penh",
    "バンコク": "Bangkok",
    "ハノイ": "Hanoi",
    "ニューデリー": "New Delhi",
    "キャンベラ": "Canberra",
    "シドニー": "Sydney",
    "メルボルン": "Melbourne",
    "ブリュッセル": "Brussels",
    "ロンドン": "London",
    "パリ": "Paris",
    "ベルリン": "Berlin",
    "ミュンヘン": "Munich",
    "ローマ": "Rome",
    "マドリード": "Madrid",
    "ジュネーブ": "Geneva",
    "ウィーン": "Vienna",
    "アンカラ": "Ankara",
    "リヤド": "Riyadh",
    "オタワ": "Ottawa",
    "リマ": "Lima",
    "リオデジャネイロ": "Rio de Janeiro",
    "ヨハネスブルグ": "Johannesburg",
    "Pentagon": "Washington",
    "the Pentagon": "Washington",
    "the State Department": "Washington",
    "the Department of State": "Washington",
    "the White House": "Washington",
    "the Prime Minister's Office": "Tokyo",
    "the Kantei": "Tokyo",
    "the Ministry of Foreign Affairs": "Tokyo",
    "Iikura House": "Tokyo",
    "the Ministry of Defense": "Tokyo",
    "Japan Ministry of Defense": "Tokyo",
    "the Japanese Ministry of Defense": "Tokyo",
    "Iikura Guest House": "Tokyo",
    "Akasaka Palace": "Tokyo",
    "Yokota Air Base": "Tokyo",
    "国防総省": "Washington",
    "国務省": "Washington",
    "ホワイトハウス": "Washington",
    "総理大臣官邸": "Tokyo",
    "飯倉公館": "Tokyo",
    "迎賓館": "Tokyo",
    "外務省": "Tokyo",
    "防衛省": "Tokyo",
}
COUNTRIES = (
    "Japan|the United States|United States|Australia|India|Indonesia|Malaysia|Thailand|Vietnam|"
    "Viet Nam|the Philippines|Philippines|Singapore|Laos|Lao PDR|Cambodia|Korea|the Republic of "
    "Korea|Republic of Korea|the ROK|ROK|Germany|France|Belgium|the United Kingdom|United Kingdom|"
    "the UK|Italy|Spain|Canada|Peru|Brazil|Argentina|South Africa|Turkey|Türkiye|Saudi Arabia|"
    "Qatar|Switzerland|Austria|Poland|Ukraine|Lithuania|the Netherlands|Mongolia|New Zealand|"
    "Fiji|Papua New Guinea|China|Egypt|Israel|Jordan|the UAE|Hawaii|California|Florida|Alaska|"
    "Okinawa"
)
_ALL = {**{c: c for c in CITIES}, **SPELLINGS}
_LATIN = sorted((n for n in _ALL if n.isascii()), key=len, reverse=True)
_CJK = sorted((n for n in _ALL if not n.isascii()), key=len, reverse=True)
# "in Tokyo", "in Bali, Indonesia", "visiting Washington", "at the Pentagon", "Today in Seoul"
_LOCATIVE = re.compile(
    r"(?:\b(?:in|at|to|visiting|visit to|trip to|hosted (?:him |her |them )?(?:at|in)|"
    r"(?:sidelines|margins) of(?: the)?)\s+|^)"
    r"(" + "|".join(re.escape(n) for n in _LATIN) + r")(?![\w-])",
    re.IGNORECASE,
)
_CITY = re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in _LATIN) + r")(?![\w-])")
# an unknown city: "in Nadi, Fiji"
_UNKNOWN = re.compile(r"\bin ((?:[A-Z][a-z]+)(?: [A-Z][a-z]+)?), (?:" + COUNTRIES + r")\b")
_JA = re.compile("(" + "|".join(re.escape(n) for n in _CJK) + ")")
_NOT_HERE = re.compile(r"^\s*(?:next|later|this (?:coming|weekend)|in the coming|soon)\b", re.I)


@dataclass(frozen=True)
class Place:
    city: str
    zone: str | None


def place(name: str) -> Place:
    city = _ALL.get(name) or next((v for k, v in _ALL.items() if k.lower() == name.lower()), name)
    return Place(city, CITIES.get(city))


def city_in(text: str) -> Place | None:
    """The city a sentence says the meeting was in ("met ... in Tokyo", "at the Pentagon",
    「…を訪問中の」, "(於：東京)"); not "visiting Tokyo next month"."""
    for match in _LOCATIVE.finditer(text):
        if not _NOT_HERE.match(text[match.end() :]):
            return place(match.group(1))
    unknown = _UNKNOWN.search(text)
    if unknown:
        return place(unknown.group(1))
    japanese = _JA.search(text)
    if japanese:
        return place(japanese.group(1))
    return None


def dateline_city(text: str) -> Place | None:
    """The city of a dateline or venue line ("Melbourne, Australia", "Washington, DC",
    "Benjamin Franklin Room Washington, D.C.", "TOKYO -", "KUALA LUMPUR (Jiji Press) -")."""
    for match in _CITY.finditer(text):
        return place(match.group(1))
    upper = re.match(
        r"^([A-Z][A-Z .'-]{2,30}?)(?:,\s*[A-Z][A-Za-z. ]+)?\s*(?:\([^)]*\)\s*)?-\s", text
    )
    if upper:
        found = next((n for n in _LATIN if n.upper() == upper.group(1).strip()), None)
        if found:
            return place(found)
    return None
