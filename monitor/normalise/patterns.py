"""Regular expressions from the config (`sources[].ignore`, `sources[].follow`), run by RE2: its
matching time grows linearly with the text whatever the pattern, so a pattern such as `(a+)+$`
against text a page controls (a block, a link's text) cannot hang a run. Python's `re` runs only
the profiles' own patterns, which are part of the code."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

import re2

if TYPE_CHECKING:
    UserPattern = re2._Regexp[str]

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would log every refused pattern to stderr itself

# Python's spellings RE2 lacks: `\uXXXX`, `\UXXXXXXXX` (RE2: `\x{...}`) and `\Z` (RE2: `\z`).
# An escaped backslash is matched first so that `\\u` stays a backslash and a `u`.
_PYTHON_ESCAPE = re.compile(r"\\(?:(\\)|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(Z))")


def _re2_spelling(match: re.Match[str]) -> str:
    backslash, u4, u8, end = match.groups()
    if backslash:
        return r"\\"
    if end:
        return r"\z"
    return f"\\x{{{u4 or u8}}}"


@functools.lru_cache(maxsize=512)
def compile_user(pattern: str) -> UserPattern:
    """`pattern` compiled by RE2. ValueError (one line) when it is no regular expression, or
    one RE2 cannot run: look-around and back-references need a backtracking engine."""
    try:
        re.compile(pattern)  # compiling matches nothing: safe, and Python's message is clearer
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from None
    try:
        return re2.compile(_PYTHON_ESCAPE.sub(_re2_spelling, pattern), _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise ValueError(
            f"{pattern!r} cannot be run in linear time (RE2 syntax: no look-around, "
            f"no back-references): {reason}"
        ) from None


def user_search(pattern: str, text: str) -> bool:
    return compile_user(pattern).search(text) is not None
