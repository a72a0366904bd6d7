"""`monitor forget URL`: a page retired by hand. It is no longer checked and stays in the archive
with its versions; a listing or feed that lists it anew brings it back."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from monitor.cli.output import echo
from monitor.cli.reading import similar_urls, url_key
from monitor.cli.shell import EXIT_FAILED, EXIT_USAGE, config_option, fail, load
from monitor.models import shown


@click.command()
@click.argument("url")
@config_option
def forget(url: str, config_path: str) -> None:
    """Stop checking the archived page at URL (its versions stay in the archive). URL may be
    typed as for `history`: with or without its trailing slash, `https` or `http`, `www.`."""
    from monitor.archive import Archive

    config = load(config_path)
    for source in config.sources:
        if url_key(source.url) == url_key(url):
            fail(
                f"{url}: the URL of source {source.id} in {config_path}; remove the source "
                f"instead (monitor remove {source.id})",
                EXIT_USAGE,
            )
    with Archive.for_config(config) as archive:  # a writer: takes the lock
        every = archive.pages()
        urls = {p.url for p in every}
        alike = [url] if url in urls else similar_urls(urls, url)  # exact beats alike
        if len(alike) > 1:
            fail(f"{url}: ambiguous; archived URLs like it: {' '.join(alike)}", EXIT_USAGE)
        if not alike:
            fail(f"{url}: no such page in the archive {config.archive_dir}", EXIT_FAILED)
        pages = [p for p in every if p.url == alike[0]]
        now = datetime.now(UTC).replace(microsecond=0)
        with archive.transaction():
            archive.retire([p.id for p in pages if p.retired_at is None], now)
    for page in pages:
        if page.retired_at is not None:
            since = shown(page.retired_at, config.zone)
            echo(f"{page.url} ({page.source_id}): already not checked since {since}")
        else:
            echo(f"{page.url} ({page.source_id}): no longer checked; its versions stay archived")
