"""What parsing an HTML page will cost, read off its raw text before the parser sees it.

The HTML parser (lexbor) is fast on ordinary pages, but some shapes cost it time quadratic in
their size: each block element opened (a `<div>`, `<ul>`, `<li>` ...) scans the stack of elements
still open, so 100,000 nested `<div>`s (0.7 MB) take minutes; each `<option>` in a `<select>`
scans the options before it. One pass over the tags (linear, no tree built) emulates the stack
closely enough to count that work, and a page over the budget is refused with a ContentError
naming it, before the parser starts. Pure; no I/O.
"""

from __future__ import annotations

import math
import re

from monitor.errors import ContentError

# Work units: one per element on the stack when another opens, and one per option already in the
# select when another option is added. 50 million is ~0.3 s of parsing (a 10,000-deep nest); the
# real pages of tests/ and the shared samples do under 20,000.
MAX_WORK = 50_000_000
QUICK = math.isqrt(2 * MAX_WORK)  # fewer `<` than this (10,000): the work cannot pass the budget

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)  # to the end when never closed
_TAG = re.compile(r"</?[A-Za-z][^\s/<>]*")  # never crosses another `<`: one scan in all


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


VOID = _names(
    "area base br col embed hr img input link meta param source track wbr keygen basefont "
    "bgsound frame image"
)
# their text, up to their own end tag, is not markup
RAW_TEXT = _names("script style textarea title xmp iframe noembed noframes plaintext")
# opening one of these closes an open one of the same name (an omitted end tag)
SELF_CLOSING = _names("p li dt dd option optgroup tr td th thead tbody tfoot rb rt rtc rp")
# opening one of these closes an open `p`
CLOSES_P = _names(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section "
    "summary table ul li dd dt"
)

START, END, SKIP, RAW = range(4)


def _kind(tag: str) -> tuple[int, str]:
    name = tag.lower().lstrip("<")
    if name.startswith("/"):
        return END, name[1:]
    if name in VOID:
        return SKIP, name
    return (RAW if name in RAW_TEXT else START), name


def parse_work(html: str, budget: int = MAX_WORK) -> int:
    """The parser's work on `html` in units of MAX_WORK; counting stops past `budget`."""
    if html.count("<") < QUICK:
        return 0
    if "<!--" in html:
        html = _COMMENT.sub("", html)
    kinds: dict[str, tuple[int, str]] = {}
    stack: list[str] = []
    open_count: dict[str, int] = {}
    work = options = 0
    raw = ""  # inside this raw-text element: tags are text until its end tag
    for tag in _TAG.findall(html):
        kind = kinds.get(tag)
        if kind is None:
            kind = kinds[tag] = _kind(tag)
        what, name = kind
        if raw:
            if what == END and name == raw:
                raw = ""
            continue
        if what == END:  # close up to the element it names, if it is open
            if open_count.get(name):
                while stack:
                    top = stack.pop()
                    open_count[top] -= 1
                    if top == name:
                        break
            continue
        if what == SKIP:
            continue
        if what == RAW:
            raw = name
            continue
        if stack and (
            (name in SELF_CLOSING and stack[-1] == name) or (name in CLOSES_P and stack[-1] == "p")
        ):
            open_count[stack.pop()] -= 1
        if name == "select":
            options = 0
        elif name == "option" and open_count.get("select"):
            work += options
            options += 1
        work += len(stack)
        if work > budget:
            break
        stack.append(name)
        open_count[name] = open_count.get(name, 0) + 1
    return work


def check_parse_cost(html: str, url: str) -> None:
    """ContentError when parsing `html` would cost more than the budget (deep nesting)."""
    work = parse_work(html)
    if work > MAX_WORK:
        raise ContentError(
            url,
            f"page refused: its elements are nested too deep (or a list of options too long) "
            f"to parse in reasonable time ({len(html):,} characters, parser work over "
            f"{MAX_WORK:,})",
        )
