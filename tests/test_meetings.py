from __future__ import annotations

from datetime import date

import pytest

from monitor.dates import find_dates, parse_date
from monitor.meetings import extract_meeting, same_meeting
from monitor.models import Block, Document, Meeting
from monitor.meetings.roster import _WORD, default_roster, words_of


def doc(title: str, *paras: str, published: str | None = None) -> Document:
    return Document(
        "https://x.org/p", title, tuple(Block("paragraph", p) for p in paras), published=published
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和4年2月11日", date(2022, 2, 11)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("Sept. 3, 2024", date(2024, 9, 3)),
        ("3 September 2024", date(2024, 9, 3)),
        ("2026-07-08T10:00:00Z", date(2026, 7, 8)),
        ("2026年7月8日", date(2026, 7, 8)),
    ],
)
def test_dates_as_the_sites_write_them(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_impossible_dates_are_ignored() -> None:
    assert find_dates("February 30, 2026 and 令和8年13月1日") == []


def test_met_yesterday_counts_back_from_publication() -> None:
    m = extract_meeting(
        doc(
            "Secretary's Meeting with Japanese Foreign Minister Motegi",
            "Secretary Rubio met yesterday with Japanese Foreign Minister Motegi.",
            published="2026-07-08",
        )
    )
    assert m is not None and m.date == "2026-07-07" and m.kind == "foreign-ministers"


def test_names_in_both_orders_and_aliases_are_one_person() -> None:
    roster = default_roster()
    for text in (
        "Toshimitsu Motegi",
        "MOTEGI Toshimitsu",
        "Motegi Toshimitsu",
        "茂木敏充外務大臣",
        "FOREIGN MINISTER MOTEGI:",
    ):
        assert [o.name for o in roster.find(text)] == ["Motegi Toshimitsu"], text
    for text in ("Secretary Blinken", "BLINKEN:", "Antony J. Blinken", "ブリンケン国務長官"):
        assert [o.name for o in roster.find(text)] == ["Antony J. Blinken"], text


def test_terms_resolve_who_held_office() -> None:
    roster = default_roster()
    assert roster.find("Secretary of State Blinken", date(2026, 1, 1)) == []
    assert [o.name for o in roster.find("Kishida", date(2016, 1, 1))] == ["Kishida Fumio"]


@pytest.mark.parametrize(
    ("title", "text", "kind"),
    [
        ("Japan-U.S. Security Consultative Committee", "On March 2, 2026 the 2+2 was held.", "2+2"),
        (
            "日米安全保障協議委員会（「2+2」）",
            "令和8年3月2日、茂木外務大臣はルビオ国務長官と会合を行った。",
            "2+2",
        ),
        (
            "Japan-U.S.-Philippines Trilateral Meeting",
            "On March 2, 2026 they met in Manila.",
            "trilateral",
        ),
        (
            "Japan-U.S. Summit Telephone Talk",
            "On March 2, 2026 Prime Minister Takaichi held a telephone talk with President Trump.",
            "telephone-talk",
        ),
        (
            "Japan-U.S. Summit Meeting",
            "On March 2, 2026 Prime Minister Takaichi met President Trump.",
            "summit",
        ),
        (
            "Readout",
            "On March 2, 2026 Secretary Hegseth met Japanese Defense Minister Koizumi.",
            "defense-ministers",
        ),
        (
            "日米外相会談",
            "3月2日、茂木外務大臣はルビオ国務長官と会談した。令和8年3月2日",
            "foreign-ministers",
        ),
    ],
)
def test_meeting_kinds(title: str, text: str, kind: str) -> None:
    m = extract_meeting(doc(title, text, published="2026-03-02"))
    assert m is not None and m.kind == kind and m.date == "2026-03-02"


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Harbour Authority Opens New Ferry Terminal", "A terminal opened in the port."),
        (
            "Deputy Secretary's Call with French Counterpart",
            "The Deputy Secretary spoke with France.",
        ),
        ("大空外務大臣政務官の日本・カナダ会合出席", "政務官はカナダ側と懇談した。"),
    ],
)
def test_pages_that_report_no_japan_us_meeting(title: str, text: str) -> None:
    assert extract_meeting(doc(title, text, published="2026-03-02")) is None


def test_place_duration_and_participants() -> None:
    m = extract_meeting(
        doc(
            "Japan-U.S. Foreign Ministers' Meeting",
            "On March 2, commencing at 10:00 a.m. for approximately 45 minutes, "
            "Mr. MOTEGI Toshimitsu held a meeting with the Honorable Marco Rubio, "
            "Secretary of State, in Washington, D.C.",
            "Later, Prime Minister Takaichi was briefed.",
            published="2026-03-02",
        )
    )
    assert m is not None
    assert (m.location, m.duration) == ("Washington, D.C.", "45 minutes")
    assert m.participants == ("Motegi Toshimitsu", "Marco Rubio")  # the briefed PM was not there


def test_same_meeting_rules() -> None:
    a = Meeting("a", "2026-03-02", "2+2", "t", None, ("Marco Rubio",), ("u1",))
    assert same_meeting(a, Meeting("b", "2026-03-03", "2+2", "t", None, ("Marco Rubio",), ("u2",)))
    assert not same_meeting(
        a, Meeting("b", "2026-03-05", "2+2", "t", None, ("Marco Rubio",), ("u2",))
    )
    assert not same_meeting(
        a, Meeting("b", "2026-03-03", "2+2", "t", None, ("Pete Hegseth",), ("u2",))
    )


@pytest.mark.parametrize(
    "text",
    [
        "Secretary Rubio met Foreign Minister Iwaya on 12 March 2026.",
        "U.S.-Japan 2+2: Hegseth's remarks (Q&A)\tat   the_press\x00room; 'Nakatani' — 3pm",
        "Rubio,Iwaya/Hegseth;Nakatani:Ishiba[1]{2}<Trump>~Takaichi|Biden",
        "Ministre des Affaires étrangères: Iwaya et Rubio",  # not ASCII: the regex path
        "岩屋外務大臣とRubio国務長官が会談した。",
        "",
    ],
)
def test_word_prefilter_finds_what_the_word_pattern_finds(text: str) -> None:
    assert words_of(text) == set(_WORD.findall(text))
