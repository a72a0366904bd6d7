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
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")
# A space between two CJK characters is layout, not content.
_CJK_GAP = re.compile(
    r"(?<=[\u3040-\u30ff\u3400-\u9fff、。「」（）])\s+(?=[\u3040-\u30ff\u3400-\u9fff、。「」（）])"
)


def clean(text: str) -> str:
    """NFKC, straight quotes and dashes, no zero-width characters, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = text.replace("…", "...")
    text = _SPACE.sub(" ", text).strip()
    if _CJK.search(text):
        text = _CJK_GAP.sub("", text)
    return text


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None
