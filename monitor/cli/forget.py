"""`monitor forget URL`: a page retired by hand. It is no longer checked and stays in the archive
with its versions; a listing or feed that lists it anew brings it back."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from monitor.cli.output import echo
from monitor.cli.shell import EXIT_FAILED, EXIT_USAGE, config_option, fail, load
from monitor.models import iso


def spellings(url: str) -> list[str]:
    """`url` as given, then with or without its trailing slash."""
    other = url[:-1] if url.endswith("/") else url + "/"
    return [url, other] if other else [url]


@click.command()
@click.argument("url")
@config_option
def forget(url: str, config_path: str) -> None:
    """Stop checking the archived page at URL (its versions stay in the archive)."""
    from monitor.archive import Archive

    config = load(config_path)
    names = spellings(url)
    for source in config.sources:
        if source.url in names:
            fail(
                f"{url}: the URL of source {source.id} in {config_path}; remove the source "
                f"instead (monitor remove {source.id})",
                EXIT_USAGE,
            )
    with Archive.for_config(config) as archive:  # a writer: takes the lock
        pages = [p for p in archive.pages() if p.url in names]
        if not pages:
            fail(f"{url}: no such page in the archive {config.archive_dir}", EXIT_FAILED)
        now = datetime.now(UTC).replace(microsecond=0)
        with archive.transaction():
            archive.retire([p.id for p in pages if p.retired_at is None], now)
    for page in pages:
        if page.retired_at is not None:
            echo(f"{page.url} ({page.source_id}): already not checked since {iso(page.retired_at)}")
        else:
            echo(f"{page.url} ({page.source_id}): no longer checked; its versions stay archived")
