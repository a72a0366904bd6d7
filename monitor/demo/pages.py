"""Official-looking pages in the structure of each site we watch, with synthetic text.

Used by `monitor demo`, the tests and the benchmark. `nonce` varies boilerplate (footer
counters, timestamps, rotating related links) that must never read as a change."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from xml.sax.saxutils import escape as xml_escape

Links = Sequence[tuple[str, str]]


def _paras(paragraphs: Sequence[str]) -> str:
    return "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)


# --- MOFA (English and Japanese) ----------------------------------------------------------------


def mofa_page(
    title: str,
    date_text: str,
    paragraphs: Sequence[str],
    *,
    nonce: int = 0,
    lang: str = "en",
    charset: str = "UTF-8",
) -> str:
    ja = lang == "ja"
    site = "外務省" if ja else "Ministry of Foreign Affairs of Japan"
    back = "日米関係へ戻る" if ja else "Back to Japan-United States of America Relations"
    top = "このページのトップへ戻る" if ja else "Page Top"
    share = (
        "<span>シェア</span><span>メール</span><span>印刷</span>"
        if ja
        else "<span>Share</span><span>Email</span><span>Print</span>"
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="{charset}"><title>{escape(title)}｜{site}</title></head>
<body>
<header id="header"><div id="logo-mofa"><a href="/"><img src="/files/logo.png" alt="{site}"></a></div>
<div class="menu-sub"><a href="#contents">{"本文へ" if ja else "Skip to main content"}</a>
<a href="/sitemap.html">{"サイトマップ" if ja else "Site map"}</a></div>
<form id="cse-search-box"><input type="text" name="q"></form></header>
<nav id="navi-global"><ul><li><a href="/policy/">{"外交政策" if ja else "Foreign Policy"}</a></li>
<li><a href="/region/">{"国・地域" if ja else "Countries &amp; Regions"}</a></li></ul></nav>
<div id="breadcrumb"><a href="/">{"トップページ" if ja else "Home"}</a> &gt; {escape(title)}</div>
<main id="contents"><article id="contents-article">
<div id="contents-header"><h1 class="title1"><span>{escape(title)}</span></h1></div>
<div id="contents-body"><div id="main"><div id="maincontents">
<div class="social-btn-top">{share}</div>
<div class="rightalign">{escape(date_text)}</div>
<div class="main-section section"><div class="any-area">
{_paras(paragraphs)}
</div></div>
<div class="main-section"><p><a href="/files/photo{nonce % 3}.html"><img src="/files/ext.gif" alt="{"別ウィンドウで開く" if ja else "Open a New Window"}"></a></p></div>
</div></div></div></article></main>
<div id="pagetop" class="link-arrow"><span><a href="#header">{top}</a></span></div>
<div class="index"><a href="/region/n-america/us/index.html">{back}</a></div>
<footer id="footer"><p>{"アクセス数" if ja else "Visitors"}: {1000 + nonce * 37}</p>
<p>Copyright &copy; Ministry of Foreign Affairs of Japan</p></footer>
</body></html>"""


def mofa_listing(
    title: str,
    groups: Sequence[tuple[str, Links]],
    *,
    nonce: int = 0,
    lang: str = "en",
    charset: str = "UTF-8",
) -> str:
    entries = []
    for date_text, links in groups:
        items = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in links)
        entries.append(
            f'<dt class="list-title">{escape(date_text)}</dt>'
            f'<dd><ul class="link-list">{items}</ul></dd>'
        )
    body = f'<div id="pressrelease"><dl class="title-list">{"".join(entries)}</dl></div>'
    page = mofa_page(title, "", [], nonce=nonce, lang=lang, charset=charset)
    return page.replace('<div class="any-area">', f'<div class="any-area">{body}', 1)


# --- State --------------------------------------------------------------------------------------


def state_page(
    title: str, doctype: str, date_text: str, paragraphs: Sequence[str], *, nonce: int = 0
) -> str:
    related = [
        "Readout of a Call on Pacific Fisheries",
        "Remarks at a Trade Forum",
        "Media Note: Exchange Program Awards",
        "Statement on Regional Elections",
    ]
    shown = [related[(nonce + i) % len(related)] for i in range(2)]
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="UTF-8"><title>{escape(title)} - United States Department of State</title></head>
<body>
<section class="usa-banner" aria-label="Official website of the United States government">
<p>An official website of the United States Government</p><button>Here's how you know</button>
<p>Official websites use .gov</p></section>
<header class="site-header"><a href="/">U.S. Department of State</a><nav><a href="/countries-areas/">Countries &amp; Areas</a></nav></header>
<main id="content">
<p>Office of the Spokesperson</p>
<section class="wp-block-default-hero-container"><div class="wp-block-default-hero module featured-content page-header">
<div class="row bc_row"><a href="/">Home</a> &gt; <a href="/press/">Press</a></div>
<div class="featured-content__copy"><h1 class="featured-content__headline stars-above">{escape(title)}</h1>
<div class="article-meta"><p class="article-meta doctype-meta">{escape(doctype)}</p>
<p class="article-meta__audience"></p><p class="article-meta__publish-date">{escape(date_text)}</p></div>
<div class="page-header__actions"><button>Share</button></div></div></div></section>
<div class="classic-block-wrapper"><div class="wp-block-classic">
{_paras(paragraphs)}
<p><input type="hidden" data-filter="{nonce:012b}" /></p>
</div></div>
<div style="height:70px" aria-hidden="true" class="wp-block-spacer"></div>
<div class="related-tags"><a href="/tag/japan/">Japan</a> <a href="/tag/east-asia/">East Asia and the Pacific</a></div>
<aside class="related-content"><h2>Related Articles</h2><ul>{"".join(f"<li>{escape(r)}</li>" for r in shown)}</ul></aside>
</main>
<footer><p>Page generated in {nonce % 97} ms</p><a href="/privacy/">Privacy Policy</a></footer>
</body></html>"""


def state_listing(title: str, links: Links, *, nonce: int = 0) -> str:
    items = "".join(
        f'<li class="collection-result"><a href="{escape(h)}">{escape(t)}</a></li>'
        for h, t in links
    )
    body = f'<ul class="collection-results">{items}</ul>'
    page = state_page(title, "Country Page", "", [], nonce=nonce)
    return page.replace(
        '<div class="wp-block-classic">', f'<div class="wp-block-classic">{body}', 1
    )


def state_feed(items: Sequence[tuple[str, str, str, Sequence[str]]], *, nonce: int = 0) -> str:
    """items: (link, title, RFC 822 date, paragraphs)"""
    script = (
        '<script type="text/javascript">document.addEventListener("DOMContentLoaded",'
        "function(){});</script>"
    )
    out = []
    for link, title, date, paras in items:
        body = f'{script}{_paras(paras)}<p><input type="hidden" data-filter="{nonce:09b}" /></p>'
        out.append(f"""<item><title>{xml_escape(title)}</title><link>{xml_escape(link)}</link>
<dc:creator><![CDATA[Office of the Spokesperson]]></dc:creator><pubDate>{date}</pubDate>
<guid isPermaLink="false">{xml_escape(link)}</guid>
<description><![CDATA[{body}]]></description></item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Press Releases &#8211; United States Department of State</title>
<link>https://www.state.gov</link><description></description>
<lastBuildDate>Mon, 0{nonce % 9 + 1} Mar 2026 10:{nonce % 60:02d}:00 +0000</lastBuildDate>
{"".join(out)}
</channel></rss>"""


# --- Defense ------------------------------------------------------------------------------------


def defense_page(title: str, date_text: str, paragraphs: Sequence[str], *, nonce: int = 0) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} &gt; U.S. Department of Defense &gt; Release</title></head>
<body>
<div class="usa-banner"><p>An official website of the United States Government</p><p>Here's how you know</p></div>
<header class="top" id="header-main"><nav class="main"><a href="/News/">News</a><a href="/Spotlights/">Spotlights</a></nav></header>
<main><article class="article">
<div class="breadcrumbs"><a href="/">Home</a> &gt; <a href="/News/">News</a> &gt; Releases</div>
<h1 class="maintitle">{escape(title)}</h1>
<div class="date">{escape(date_text)}</div>
<div class="share-bar"><button>Facebook</button><button>Print</button></div>
<div class="body">{_paras(paragraphs)}</div>
<div class="related"><h3>Related Stories</h3><a href="/News/{nonce}">Story {nonce}</a></div>
</article></main>
<footer id="footer-main"><p>Hosted by Defense Media Activity - WEB.mil</p><p>{nonce}</p></footer>
</body></html>"""


def defense_listing(title: str, links: Links, *, nonce: int = 0) -> str:
    items = "".join(
        f'<div class="item"><a href="{escape(h)}">{escape(t)}</a></div>' for h, t in links
    )
    return defense_page(title, "", [], nonce=nonce).replace(
        '<div class="body">', f'<div class="body">{items}', 1
    )


# --- The Japan News -----------------------------------------------------------------------------


def japannews_page(title: str, date_text: str, paragraphs: Sequence[str], *, nonce: int = 0) -> str:
    ranking = [
        "Weather Outlook for the Weekend",
        "Rail Line Extends Service Hours",
        "Local Festival Draws Crowds",
        "Baseball Team Wins Opener",
    ]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8"><title>{escape(title)} - The Japan News</title></head>
<body>
<header class="l-header"><a href="/">The Japan News by The Yomiuri Shimbun</a><nav><a href="/politics/">Politics</a></nav></header>
<main class="l-main"><article class="p-article">
<h1>{escape(title)}</h1>
<time datetime="">{escape(date_text)}</time>
<div class="print"><button>Print</button></div>
{_paras(paragraphs)}
<ul class="tag-list"><li>Japan-U.S. Relations</li><li>Politics</li></ul>
</article>
<aside class="p-ranking"><h2>Ranking</h2><ol>{"".join(f"<li>{escape(ranking[(nonce + i) % 4])}</li>" for i in range(3))}</ol></aside>
</main>
<footer><p>&copy; The Yomiuri Shimbun. Updated {nonce} minutes ago</p></footer>
</body></html>"""


def japannews_listing(title: str, links: Links, *, nonce: int = 0) -> str:
    items = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in links)
    page = japannews_page(title, "", [], nonce=nonce)
    return page.replace(
        '<main class="l-main">', f'<main class="l-main"><ul class="p-list">{items}</ul>', 1
    )


# --- Mirage News --------------------------------------------------------------------------------


def miragenews_page(
    title: str, date_text: str, paragraphs: Sequence[str], *, nonce: int = 0
) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8"><title>{escape(title)} | Mirage News</title></head>
<body>
<header><a href="/">Mirage News</a><nav><a href="/government/">Government</a></nav></header>
<main><article>
<h1>{escape(title)}</h1>
<time class="entry-date">{escape(date_text)}</time>
<div class="entry-content">{_paras(paragraphs)}
<p class="disclaimer">This material from the originating organization/author(s) might be of the point-in-time nature, and edited for clarity, style and length. Mirage.News does not take institutional positions or sides.</p>
</div>
<div class="tags">Tags: <a href="/tag/japan/">Japan</a></div>
<div class="related-posts"><a href="/p/{nonce}">Related item {nonce}</a></div>
</article></main>
<footer><p>Views: {nonce * 13}</p></footer>
</body></html>"""


def miragenews_listing(title: str, links: Links, *, nonce: int = 0) -> str:
    items = "".join(
        f'<article><h2><a href="{escape(h)}">{escape(t)}</a></h2></article>' for h, t in links
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><title>{escape(title)} | Mirage News</title></head>
<body><header><a href="/">Mirage News</a></header><main>{items}</main>
<footer><p>Views: {nonce}</p></footer></body></html>"""


# --- Ministry of Defense ------------------------------------------------------------------------


def mod_page(title: str, date_text: str, paragraphs: Sequence[str], *, nonce: int = 0) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8"><title>{escape(title)} | Ministry of Defense</title></head>
<body>
<header class="l-header"><a href="/en/">Japan Ministry of Defense</a><nav><a href="/en/d_act/">Defense Policy</a></nav></header>
<div class="breadcrumb"><a href="/en/">Home</a> &gt; {escape(title)}</div>
<main id="main"><div class="l-main">
<h1>{escape(title)}</h1>
<p class="date">{escape(date_text)}</p>
<div class="sns"><button>Share</button><button>Print</button></div>
{_paras(paragraphs)}
<div class="pagetop"><a href="#">Page Top</a></div>
</div></main>
<footer class="l-footer"><p>Ministry of Defense. Last visit counter {nonce * 11}</p></footer>
</body></html>"""


def mod_listing(title: str, links: Links, *, nonce: int = 0) -> str:
    items = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in links)
    return mod_page(title, "", [], nonce=nonce).replace(
        '<div class="l-main">', f'<div class="l-main"><ul class="news-list">{items}</ul>', 1
    )


# --- a PDF joint statement ----------------------------------------------------------------------


def pdf_document(title: str, lines: Sequence[str]) -> bytes:
    """A minimal, valid PDF (one page, Helvetica) holding `lines` of ASCII text."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = (
        "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(f"({esc(line)}) Tj T*" for line in lines) + " ET"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Resources << /Font << /F1 4 0 R"
        " >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        f"<< /Title ({esc(title)}) >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n"
        f"{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)
