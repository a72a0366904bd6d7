"""What the CLI prints: every line, table cell and JSON document safe for a terminal (what a
page or a server wrote is never markup nor an escape sequence). Tables are plain lines drawn
here (rich took 0.8 s for a year's 300 meetings); rich is imported only for a progress bar."""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import click

from monitor.text import printable

if TYPE_CHECKING:
    from rich.console import Console


@functools.cache
def console(stderr: bool = False) -> Console:
    """rich is imported when a progress bar is shown: other runs never need it."""
    from rich.console import Console

    return Console(stderr=stderr)


def terminal_width() -> int | None:
    """The columns a table may take: COLUMNS, else the terminal's; None when stdout is no
    terminal (a pipe or a file gets whole lines)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns if sys.stdout.isatty() else None
    except (OSError, ValueError):  # no file behind stdout
        return None


def text_width(text: str) -> int:
    """Columns `text` takes on a terminal: East Asian wide and fullwidth characters two,
    combining marks and format characters none."""
    return len(text) if text.isascii() else sum(map(_char_width, text))


@functools.cache
def _char_width(char: str) -> int:
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def fit(text: str, width: int) -> str:
    """`text` cut to `width` columns, an ellipsis where it was cut."""
    if text_width(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        used += _char_width(char)
        if used > width - 1:
            break
        kept.append(char)
    return "".join(kept) + "…"


def _cell(text: str, size: int, width: int, right: bool) -> str:
    """`text` (`size` columns) cut or padded to `width` columns."""
    if size > width:
        text = fit(text, width)
        size = text_width(text)
    gap = " " * (width - size)
    return gap + text if right else text + gap


def _widths(natural: list[int], room: int | None) -> list[int]:
    """Each column's width: as wide as its widest cell, the widest narrowed first (to 6 at
    least) while the table is wider than `room`."""
    widths = list(natural)
    if room is None:
        return widths
    excess = sum(widths) + 2 * (len(widths) - 1) - room
    while excess > 0:
        widest = max(range(len(widths)), key=widths.__getitem__)
        if widths[widest] <= 6:
            break
        widths[widest] -= 1
        excess -= 1
    return widths


def print_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    title: str | None = None,
    right: Collection[int] = (),
) -> None:
    """A table as lines of text: a header, a rule, a row a line, columns two spaces apart and
    fitted to the terminal (the widest cut first, with an ellipsis). Every cell is plain text:
    what a page or a server wrote is never a terminal escape sequence. `right`: the columns
    (by index) aligned to the right. Whole lines when stdout is no terminal: a pipe or a file
    loses nothing."""
    body = [[printable(value).replace("\t", " ") for value in row] for row in rows]
    sizes = [[text_width(value) for value in row] for row in body]
    natural = [max([text_width(h), *(row[i] for row in sizes)]) for i, h in enumerate(headers)]
    widths = _widths(natural, terminal_width())

    def line(values: Sequence[str], sizes: Sequence[int]) -> str:
        cells = zip(values, sizes, widths, strict=True)
        return "  ".join(_cell(v, n, w, i in right) for i, (v, n, w) in enumerate(cells))

    lines = [printable(title)] if title is not None else []
    lines += [line(headers, [text_width(h) for h in headers]), "  ".join("─" * w for w in widths)]
    lines += [line(row, size) for row, size in zip(body, sizes, strict=True)]
    click.echo("\n".join(text.rstrip(" ") for text in lines))


def echo(text: str, *, err: bool = False) -> None:
    """Every line the CLI prints: control characters shown escaped (`\\x1b`), never sent raw to
    the terminal (a Location header or a page title is a server's to choose)."""
    click.echo(printable(text), err=err)


# In JSON, C0 controls are escaped by json.dumps; C1 controls and bidi overrides are too here.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def echo_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False)
    click.echo(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
