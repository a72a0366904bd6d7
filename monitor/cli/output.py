"""What the CLI prints: every line, table cell and JSON document safe for a terminal (what a
page or a server wrote is never markup nor an escape sequence). rich is imported only when a
table or a progress bar is shown."""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING, Any

import click

from monitor.text import printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text


@functools.cache
def console(stderr: bool = False) -> Console:
    """rich is imported when a table or a progress bar is shown: `--json` runs never need it."""
    from rich.console import Console

    return Console(stderr=stderr)


def new_table(**kwargs: Any) -> Table:
    from rich.table import Table

    if isinstance(kwargs.get("title"), str):
        kwargs["title"] = cells(kwargs["title"])[0]
    return Table(**kwargs)


def cells(*values: str) -> list[Text]:
    """Table cells as plain text: what a page or a server wrote is neither rich markup nor a
    terminal escape sequence."""
    from rich.text import Text

    return [Text(printable(value)) for value in values]


def echo(text: str, *, err: bool = False) -> None:
    """Every line the CLI prints: control characters shown escaped (`\\x1b`), never sent raw to
    the terminal (a Location header or a page title is a server's to choose)."""
    click.echo(printable(text), err=err)


# In JSON, C0 controls are escaped by json.dumps; C1 controls and bidi overrides are too here.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def echo_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False)
    click.echo(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
