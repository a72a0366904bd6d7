from __future__ import annotations

import pytest

from monitor.archive import text_digest
from monitor.demo import pages as P
from monitor.errors import ContentError
from monitor.models import Document
from monitor.normalise import listing_document, listing_links, normalise, normalise_html
from monitor.sites import PROFILES, profile_for

PARAS = [
    "On March 2, the ministers held a meeting in Tokyo.",
    "SECRETARY RUBIO: Thank you — it's a \u201cgreat\u201d day.",
    "They agreed to meet again.",
]


def dump(doc: Document) -> str:
    lines = [f"title: {doc.title}", f"published: {doc.published}", f"lang: {doc.lang}"]
    for b in doc.blocks:
        who = f" <{b.speaker}>" if b.speaker else ""
        lines.append(f"[{b.kind}{who}] {b.text}")
    return "\n".join(lines) + "\n"


SITES = {
    "mofa": lambda n: P.mofa_page(
        "Japan-U.S. Foreign Ministers' Meeting", "March 2, 2026", PARAS, nonce=n
    ),
    "mofa-ja": lambda n: P.mofa_page(
        "日米外相会談",
        "令和8年3月2日",
        [
            "3月2日、茂木外務大臣は、ルビオ国務長官と会談を行いました。",
            "茂木大臣：日米同盟は地域の平和の礎です。",
        ],
        nonce=n,
        lang="ja",
    ),
    "state": lambda n: P.state_page(
        "Secretary Rubio's Meeting", "Readout", "March 2, 2026", PARAS, nonce=n
    ),
    "defense": lambda n: P.defense_page("Readout of a Meeting", "March 2, 2026", PARAS, nonce=n),
    "japannews": lambda n: P.japannews_page(
        "Gist of Remarks",
        "March 3, 2026 10:00 JST",
        ["Motegi: We agreed on many points.", "Q: Anything else?", *PARAS],
        nonce=n,
    ),
    "mod": lambda n: P.mod_page(
        "Japan-U.S. Defense Ministerial Meeting", "March 2, 2026", PARAS, nonce=n
    ),
    "miragenews": lambda n: P.miragenews_page("Joint Statement", "March 3, 2026", PARAS, nonce=n),
}


@pytest.mark.parametrize("name", sorted(SITES))
def test_profile_golden_text(name: str, golden) -> None:  # type: ignore[no-untyped-def]
    url = f"https://example.org/{name}/page.html"
    doc = normalise_html(SITES[name](1), url, PROFILES[name])
    golden(f"normalise-{name}.txt", dump(doc))


@pytest.mark.parametrize("name", sorted(SITES))
def test_noise_only_variants_normalise_identically(name: str) -> None:
    url = f"https://example.org/{name}/page.html"
    docs = [normalise_html(SITES[name](n), url, PROFILES[name]) for n in (1, 2, 5)]
    assert text_digest(docs[0]) == text_digest(docs[1]) == text_digest(docs[2])
    text = docs[0].text
    for boilerplate in (
        "Visitors",
        "Page Top",
        "Back to",
        "Share",
        "Print",
        "official website",
        "Related",
        "Ranking",
        "Mirage.News does not",
        "Views",
        "Footer",
        "Here's how",
        "Hosted by",
        "このページのトップへ",
        "へ戻る",
    ):
        assert boilerplate not in text, boilerplate


def test_speakers_carry_over_turns_and_strip_interpreter() -> None:
    html = P.state_page(
        "Remarks",
        "Remarks",
        "March 2, 2026",
        [
            "SECRETARY RUBIO: Good morning.",
            "We are glad to be here.",
            "FOREIGN MINISTER MOTEGI: (Via interpreter) Thank you.",
            "Note: this is not a speaker.",
        ],
    )
    doc = normalise_html(html, "https://www.state.gov/x/", PROFILES["state"])
    speakers = [
        b.speaker
        for b in doc.blocks
        if b.text.startswith(("Good", "We", "Thank", "FOREIGN", "SECRETARY", "Note"))
    ]
    assert speakers == [
        "SECRETARY RUBIO",
        "SECRETARY RUBIO",
        "FOREIGN MINISTER MOTEGI",
        "FOREIGN MINISTER MOTEGI",
    ]


def test_text_normalisation_removes_only_non_edits() -> None:
    a = P.mofa_page(
        "T", "March 2, 2026", ["It\u2019s  the\u00a0\u201cbest\u201d \u2014 plan\u200b."]
    )
    b = P.mofa_page("T", "March 2, 2026", ['It\'s the "best" - plan.'])
    da, db = (normalise_html(x, "https://www.mofa.go.jp/a.html", PROFILES["mofa"]) for x in (a, b))
    assert text_digest(da) == text_digest(db)
    full = P.mofa_page("T", "令和8年3月2日", ["日米（２＋２）会合"], lang="ja")
    doc = normalise_html(full, "https://www.mofa.go.jp/mofaj/a.html", PROFILES["mofa-ja"])
    assert "日米(2+2)会合" in doc.text and doc.published == "2026-03-02"


def test_selector_matching_nothing_is_a_content_error() -> None:
    html = P.mofa_page("T", "March 2, 2026", PARAS)
    with pytest.raises(
        ContentError, match=r"selector '#gone' matched nothing \(layout changed\?\)"
    ):
        normalise_html(html, "https://www.mofa.go.jp/a.html", PROFILES["mofa"], selector="#gone")
    with pytest.raises(ContentError, match="no main content"):
        normalise_html(
            "<html><body><div>x</div></body></html>",
            "https://www.state.gov/a",
            PROFILES["state"].__class__(**{**PROFILES["state"].__dict__, "content": ("#nope",)}),
        )


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>",
        "<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1>You don't have "
        "permission to access this server. Reference #18.2c3e1602.1700000000.2f1c2b3</body></html>",
        "<html><head><title>Just a moment...</title></head><body>Checking your browser. "
        "Cloudflare Ray ID: 7f00000000000000</body></html>",
        "<html><head><title>ERROR: The request could not be satisfied</title></head><body><h1>403 "
        "ERROR</h1>Generated by cloudfront (CloudFront)</body></html>",
        "<html><head><title>ページが見つかりません｜外務省</title></head><body><main><p>お探しのページは"
        "見つかりませんでした。</p></main></body></html>",
    ],
)
def test_error_pages_served_with_200_are_refused(html: str) -> None:
    with pytest.raises(ContentError, match="error page|WAF/CDN"):
        normalise(
            html.encode(), html, "text/html", "https://www.mofa.go.jp/x.html", PROFILES["generic"]
        )


def test_binary_and_empty_bodies_are_refused() -> None:
    with pytest.raises(ContentError, match=r"not an HTML page \(image/png"):
        normalise(b"\x89PNG\r\n", "", "image/png", "https://x.org/a", PROFILES["generic"])
    with pytest.raises(ContentError, match="no text"):
        normalise(
            b"<html></html>", "<html></html>", "text/html", "https://x.org/a", PROFILES["generic"]
        )


def test_ignore_patterns_drop_volatile_lines() -> None:
    html = P.mofa_page("T", "March 2, 2026", ["Updated at 10:32", "Real content."])
    doc = normalise_html(
        html, "https://www.mofa.go.jp/a.html", PROFILES["mofa"], ignore=[r"^Updated at \d+:\d+$"]
    )
    assert "Real content." in doc.text and "Updated" not in doc.text


def test_listing_links_are_a_set() -> None:
    links = [("/a.html", "First meeting"), ("/b.html", "Second meeting")]
    one = P.mofa_listing("Index", [("March 2", links)], nonce=1)
    two = P.mofa_listing("Index", [("March 2", links[::-1])], nonce=2)
    url = "https://www.mofa.go.jp/region/n-america/us/index.html"
    la = listing_links(one, url, PROFILES["mofa"])
    lb = listing_links(two, url, PROFILES["mofa"])
    assert [link.url for link in la] == [
        "https://www.mofa.go.jp/a.html",
        "https://www.mofa.go.jp/b.html",
    ]
    assert text_digest(listing_document(url, "x", la)) == text_digest(
        listing_document(url, "x", lb)
    )


def test_profiles_are_chosen_by_host_and_path() -> None:
    assert profile_for("https://www.mofa.go.jp/mofaj/area/usa/index.html").name == "mofa-ja"
    assert profile_for("https://www.mofa.go.jp/region/n-america/us/index.html").name == "mofa"
    assert profile_for("https://www.state.gov/x").name == "state"
    assert profile_for("https://japannews.yomiuri.co.jp/x").name == "japannews"
    assert profile_for("http://127.0.0.1:8000/x", "defense").name == "defense"
    assert profile_for("https://unknown.example/").name == "generic"


def test_nested_boilerplate_goes_with_what_holds_it() -> None:
    """Boilerplate inside boilerplate (a print button in a share bar in a footer, a script in a
    nav) is removed once, with what holds it; the text around it stays in order."""
    html = (
        '<html><head><title>T</title></head><body><div id="maincontents"><h1>Talks</h1>'
        "<p>The ministers met in Tokyo.</p>"
        '<footer><div class="social"><button class="print">Print</button><p>Share</p></div>'
        "<p>Footer text</p></footer>"
        '<nav><script>var x = 1;</script><a href="/">Home</a></nav>'
        '<div class="share"><div class="sns"><span hidden>Tweet</span></div></div>'
        "<p>They agreed to meet again.</p>"
        '<div id="breadcrumb"><div class="breadcrumb">Home &gt; Talks</div></div>'
        "</div></body></html>"
    )
    doc = normalise_html(html, "https://www.mofa.go.jp/a", PROFILES["mofa"])
    assert [b.text for b in doc.blocks] == [
        "Talks",
        "The ministers met in Tokyo.",
        "They agreed to meet again.",
    ]


def _fixture(site: str, name: str) -> str:
    from tests.meeting_cases import FIXTURES

    return (FIXTURES / site / name).read_text(encoding="utf-8")


def test_mofa_title_is_the_headline_and_related_links_are_boilerplate() -> None:
    """Real MOFA pages carry the section as h1 and the headline below it; their related-links
    box rotates without the page changing."""
    html = _fixture("mofa", "en-01-fm-meeting.html")
    url = "https://www.mofa.go.jp/na/na1/us/page1e_000901.html"
    doc = normalise_html(html, url, PROFILES["mofa"])
    assert doc.title == "Japan-U.S. Foreign Ministers' Meeting"
    rotated = html.replace(
        "Japan-United States of America Relations</a></li>",
        "Japan-Australia-India-U.S. (Quad)</a></li><li><a href='/x.html'>Visits</a></li>",
    )
    assert rotated != html
    assert text_digest(normalise_html(rotated, url, PROFILES["mofa"])) == text_digest(doc)
    ja = normalise_html(
        _fixture("mofa", "ja-01-fm-meeting-washington.html"),
        "https://www.mofa.go.jp/mofaj/na/na1/us/page1_000001.html",
        PROFILES["mofa-ja"],
    )
    assert ja.title == "日米外相会談" and "関連リンク" not in ja.text


def test_japan_news_tag_list_and_print_button_are_boilerplate() -> None:
    # the tag list and PRINT button in containers no selector names: the tags' rel=tag links
    # and the button's text are what give them away
    html = (
        _fixture("japannews", "01-fm-meeting-weekday.html")
        .replace('class="p-related-tags tags"', 'class="x-article-foot"')
        .replace('class="tag-list"', 'class="x-list"')
        .replace('class="p-article-print print"', 'class="x-tool"')
    )
    url = "https://japannews.yomiuri.co.jp/politics/politics-government/20260114-1/"
    doc = normalise_html(html, url, PROFILES["japannews"])
    assert "PRINT" not in doc.text and "Marco Rubio" not in doc.text.split("\n")[-1]
    retagged = html.replace(
        '<li><a href="/tag/economic-security/" rel="tag">Economic Security</a></li>',
        '<li><a href="/tag/tariffs/" rel="tag">Tariffs</a></li>',
    )
    assert retagged != html
    assert text_digest(normalise_html(retagged, url, PROFILES["japannews"])) == text_digest(doc)
