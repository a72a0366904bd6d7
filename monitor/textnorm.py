"""Text clean-up shared by the normaliser and the diff: only real edits survive it."""

from __future__ import annotations

import re
import unicodedata

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


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")
# A space between two CJK characters is layout, not content.
_CJK_GAP = re.compile(
    r"(?<=[\u3040-\u30ff\u3400-\u9fff、。「」（）])\s+(?=[\u3040-\u30ff\u3400-\u9fff、。「」（）])"
)


# UTF-8 read as Windows-1252/Latin-1 ("EspaÃ±ol", "â€œ"): a charset accident, not an edit.
_MOJIBAKE = re.compile(
    r"[ÂÃâÅÆ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
    r"\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)


def clean(text: str) -> str:
    """Mojibake repaired, NFKC, straight quotes and dashes, no zero-width characters, single
    spaces."""
    if text.isascii():  # most English text: nothing but whitespace to fold
        return " ".join(text.split()) if _untidy(text) else text
    if _MOJIBAKE.search(text):
        import ftfy  # rarely needed: 57 ms and 8 MB to import

        text = ftfy.fix_encoding(text)
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = text.replace("…", "...")
    text = _SPACE.sub(" ", text).strip()
    if _CJK.search(text):
        text = _CJK_GAP.sub("", text)
    return text


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None
