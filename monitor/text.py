"""Text clean-up shared by the normaliser and the diff: only real edits survive it."""

from __future__ import annotations

import functools
import re
import unicodedata

# Text from a server must not carry what a reader cannot see: C0 controls (those that are not
# whitespace, which is folded instead), DEL, C1 controls (but NEL, whitespace too) and the bidi
# embeddings, overrides and isolates. They break XML (the Atom feed), drive terminals (ESC) and
# can reorder what a reader sees (U+202E).
_INVISIBLE_CHARS = "".join(
    map(
        chr,
        (
            *range(0x00, 0x09),
            *range(0x0E, 0x1C),
            *range(0x7F, 0x85),
            *range(0x86, 0xA0),
            *range(0x202A, 0x202F),
            *range(0x2066, 0x206A),
            *range(0xD800, 0xE000),  # lone surrogates: bytes no codec could read; no UTF-8
        ),
    )
)
# the same set as ranges, which compile in a quarter of the time 2,200 escaped characters take
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)

_TRANSLATE = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "―": "-",
        "−": "-",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u3000": " ",
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\u00ad": None,
    }
    | dict.fromkeys(_INVISIBLE_CHARS, None)
)
_SPACE = re.compile(r"\s+")


def _untidy(text: str) -> bool:
    """Whitespace to fold? Substring tests in C beat a regex here (this runs per block)."""
    return (
        not text
        or text[0] == " "
        or text[-1] == " "
        or "  " in text
        or "\n" in text
        or "\t" in text
        or "\r" in text
        or "\f" in text
        or "\v" in text
    )


# one Japanese (kana, kanji, half-width katakana) or Chinese character: what `has_cjk` finds,
# and what the diff compares and counts one by one
CJK_CHAR = r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]"
# A space between two CJK characters is layout, not content.
_CJK_GAP = (
    r"(?<=[\u3040-\u30ff\u3400-\u9fff、。「」（）])\s+(?=[\u3040-\u30ff\u3400-\u9fff、。「」（）])"
)
# UTF-8 read as Windows-1252/Latin-1 ("EspaÃ±ol", "â€œ"): a charset accident, not an edit.
_MOJIBAKE = (
    r"[ÂÃâÅÆ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
    r"\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """CJK, the gap between CJK characters, mojibake: compiled when first needed, as their wide
    character classes take ~10 ms to compile, and a command that prints what the archive holds
    (`monitor meetings`) needs none of them."""
    return re.compile(CJK_CHAR), re.compile(_CJK_GAP), re.compile(_MOJIBAKE)


def clean(text: str) -> str:
    """Mojibake repaired, NFKC, straight quotes and dashes, no zero-width, control or bidi
    override characters, single spaces."""
    if text.isascii():  # most English text: nothing but whitespace to fold
        if not text.isprintable():  # a tab or a newline, or a control character
            text = " ".join(text.split())
            return text if text.isprintable() else " ".join(_INVISIBLE.sub("", text).split())
        return " ".join(text.split()) if _untidy(text) else text
    cjk, cjk_gap, mojibake = _patterns()
    if mojibake.search(text):  # before controls go: mojibake is made of C1 characters
        import ftfy  # rarely needed: 57 ms and 8 MB to import

        text = ftfy.fix_encoding(text)
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)  # invisibles dropped too
    text = text.replace("…", "...")
    text = _SPACE.sub(" ", text).strip()
    if cjk.search(text):
        text = cjk_gap.sub("", text)
    return text


def has_cjk(text: str) -> bool:
    return _patterns()[0].search(text) is not None


def plural(count: int, noun: str) -> str:
    """`1 page`, `2 pages`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def one_line(text: str) -> str:
    """Text from a server inside a message (an error, a log line): one line, no control or bidi
    override characters, single spaces."""
    if text.isascii() and text.isprintable() and not _untidy(text):
        return text
    return " ".join(_INVISIBLE.sub("", text).split())


_URL_EDGES = "".join(map(chr, range(0x21)))  # C0 controls and space
_URL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8"))


def clean_url(url: str) -> str:
    """A URL from a server (a link, a redirect's Location) as a browser reads it: C0 controls
    and spaces at either end and tabs and newlines anywhere dropped; other control and bidi
    characters percent-encoded, so that the URL neither drives a terminal nor hides its own
    text. Spaces inside are left alone: the URL keys an archived page."""
    if url.isascii() and url.isprintable():  # the usual case
        return url.strip(" ")
    url = url.strip(_URL_EDGES).replace("\t", "").replace("\n", "").replace("\r", "")
    return _URL_UNSAFE.sub(_percent, url)


# What a terminal would act on: every control character but tab, and the bidi controls.
_TERMINAL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_TERMINAL_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, newlines: bool = False) -> str:
    """`text` safe to print on a terminal: control and bidi characters shown escaped (`\\x1b`),
    newlines too unless `newlines`."""
    if text.isprintable():
        return text
    return (_TERMINAL_LINES if newlines else _TERMINAL).sub(_escaped, text)
