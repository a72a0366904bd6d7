"""Commands that read the archive: meetings, history, diff, verify and export. Each opens it
read-only, without the lock, so that it works beside a running daemon, and reads the config
through `monitor.config_cache` (validated in full once, then without pydantic)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from monitor.cli.output import echo, echo_json, print_table
from monitor.cli.shell import (
    EXIT_UNCHECKED,
    EXIT_USAGE,
    config_option,
    fail,
    load_for_reading,
    open_archive,
)
from monitor.config_cache import Settings
from monitor.errors import ConfigError
from monitor.models import DocDiff, shown


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True)
@click.option("--since", default=None, help="Only meetings on or after this date (YYYY-MM-DD).")
def meetings(config_path: str, as_json: bool, since: str | None) -> None:
    """List the meetings in the archive."""
    from monitor.archive.meetings import list_meetings

    if since is not None:
        from monitor.normalise.dates import parse_date  # the normaliser: only for --since

        if parse_date(since) is None or len(since) != 10:
            fail(f"--since: {since!r} is not a date like 2026-01-31", EXIT_USAGE)
    config = load_for_reading(config_path)
    found = []
    if (config.archive_dir / "index.sqlite").exists():  # no archive yet: no meetings
        with open_archive(config) as archive:
            found = list_meetings(archive, since)
    if as_json:
        echo_json([m.to_json() for m in found])
        return
    print_table(
        ("date", "kind", "format · level · mode", "title", "location", "participants", "sources"),
        [
            (
                m.date,
                m.kind,
                f"{m.format} · {m.level} · {m.mode}",
                m.title,
                m.location or "",
                ", ".join(m.participants),
                str(len(m.sources)),
            )
            for m in found
        ],
    )


def url_key(url: str) -> str:
    """A URL as a reader may type it: without scheme, `www.` or trailing slash, host in any
    case (`https://www.state.gov/a/` and `http://state.gov/a` are one key)."""
    rest = url.strip().split("://", 1)[-1]
    host, slash, path = rest.partition("/")
    host = host.lower().removeprefix("www.")
    path, mark, query = (slash + path).partition("?")
    return f"{host}{path.rstrip('/')}{mark}{query}"


def similar_urls(urls: Iterable[str], typed: str) -> list[str]:
    """The archived URLs that differ from `typed` only in scheme, `www.` or trailing slash."""
    key = url_key(typed)
    return sorted({url for url in urls if url_key(url) == key})


def _page_for(archive: Any, config: Settings, what: str) -> Any:
    """The page a command names: an archived URL (exact, or unambiguous up to scheme, `www.` and
    trailing slash) or a source id."""
    page = archive.page(what)
    if page is not None:
        return page
    try:
        source = config.source(what)
    except ConfigError:
        source = None
    if source is not None:
        page = archive.page(source.url, source.id)
        if page is None:
            fail(f"{what}: source has not been checked yet")
        return page
    found = similar_urls((p.url for p in archive.pages()), what)
    if len(found) > 1:
        fail(f"{what}: ambiguous; archived URLs like it: {' '.join(found)}", EXIT_USAGE)
    if not found:
        fail(f"{what}: no such source or archived URL", EXIT_USAGE)
    return archive.page(found[0])


@click.command()
@config_option
@click.argument("what")
def history(config_path: str, what: str) -> None:
    """Versions of a source's page (or any archived URL), with times and sizes."""
    config = load_for_reading(config_path)
    with open_archive(config) as archive:
        page = _page_for(archive, config, what)
        zone = config.zone
        print_table(
            ("version", "fetched", "bytes", "status", "content sha"),
            [
                (
                    str(v.seq),
                    shown(v.fetched_at, zone),
                    str(v.size),
                    str(v.status or ""),
                    v.text_sha[:12],
                )
                for v in archive.versions(page.id)
            ],
            title=page.url,
        )
        if page.role in ("listing", "feed"):
            pages = [p for p in archive.pages(page.source_id) if p.url != page.url]
            echo(f"{len(pages)} page(s) found through this {page.role}:")
            for p in pages:  # whole lines, not a table: URLs must stay copyable
                title = f"  {p.title}" if p.title else ""
                gone = f"  (not checked since {shown(p.retired_at, zone)})" if p.retired_at else ""
                echo(f"  {p.url}  {len(archive.versions(p.id))} version(s){gone}{title}")


@click.command()
@config_option
@click.argument("url")
@click.option("--from", "from_", type=int, default=None, help="Older version number.")
@click.option("--to", "to", type=int, default=None, help="Newer version number.")
@click.option(
    "--html",
    "html_out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the diff as an HTML page here.",
)
def diff(
    config_path: str, url: str, from_: int | None, to: int | None, html_out: str | None
) -> None:
    """Compare any two archived versions of a page (default: the last two)."""
    from monitor.context import in_context, plain_segments
    from monitor.diff import diff_documents

    config = load_for_reading(config_path)
    with open_archive(config) as archive:
        page = _page_for(archive, config, url)
        versions = archive.versions(page.id)
        if len(versions) < 2 and (from_ is None or to is None):
            fail(f"{page.url}: only {len(versions)} version(s) archived; nothing to compare")
        by_seq = {v.seq: v for v in versions}
        new_v = by_seq.get(to) if to is not None else versions[-1]
        old_v = (
            by_seq.get(from_)
            if from_ is not None
            else (by_seq.get(new_v.seq - 1) if new_v else None)
        )
        if old_v is None or new_v is None:
            fail(f"{page.url}: no such version (have 1..{len(versions)})", EXIT_USAGE)
        old_doc, new_doc = archive.document(old_v), archive.document(new_v)
    result = diff_documents(old_doc, new_doc)
    if html_out:
        _write_html(Path(html_out), config, page, result, (old_doc, new_doc, old_v, new_v))
        echo(html_out)
        return
    echo(
        f"{page.url}: version {old_v.seq} ({shown(old_v.fetched_at, config.zone)}) → "
        f"{new_v.seq} ({shown(new_v.fetched_at, config.zone)}): +{result.added} / -{result.removed}"
    )
    for c in in_context(result.changes, old_doc, new_doc):  # as the text report shows them
        who = f" {c.speaker}" if c.speaker else ""
        if c.before:
            echo(f"      {c.before}")
        echo(f"[{c.op}{who}] {plain_segments(c)}")
        if c.after:
            echo(f"      {c.after}")


def _write_html(
    path: Path, config: Settings, page: Any, result: DocDiff, loaded: tuple[Any, ...]
) -> None:
    """`monitor diff --html`: the diff as the report shows a changed page."""
    from monitor.events import PageChanged
    from monitor.report import build_view, render, site_names, write_atomic

    old_doc, new_doc, old_v, new_v = loaded
    changed = PageChanged(
        page.source_id,
        page.url,
        new_doc.title,
        result.added,
        result.removed,
        result.trivial,
        result.speakers,
    )
    event = replace(changed.stored(), id=1)
    view = build_view(
        [event],
        title=f"{new_doc.title or page.url}: version {old_v.seq} → {new_v.seq}",
        run_id=0,  # no run: the template shows none
        started_at=shown(old_v.fetched_at, config.zone),
        finished_at=shown(new_v.fetched_at, config.zone),
        loader=lambda _: (old_doc, new_doc, old_v, new_v),
        zone=config.zone,
        sites=site_names(config),
    )
    write_atomic(path, render(view))


@click.command()
@config_option
def verify(config_path: str) -> None:
    """Check the archive's integrity: SQLite, every blob, every reference. Exit 0 when sound, 1
    when damaged, 3 when it could not be checked (a full disk, an I/O error, no permission)."""
    from monitor.archive import verify as verify_archive
    from monitor.errors import ArchiveUnreadable

    config = load_for_reading(config_path)
    if not (config.archive_dir / "index.sqlite").exists():
        fail(f"{config.archive_dir}: no archive here")
    try:
        with open_archive(config, outdated_ok=True) as archive:
            problems = verify_archive(archive)
            stats = archive.stats()
            changed = archive.changed()
    except ArchiveUnreadable as exc:
        fail(f"{exc}: the archive's integrity could not be checked", EXIT_UNCHECKED)
    if problems and changed:  # a run wrote meanwhile: what was read may mix two states
        fail(
            f"{config.archive_dir}: written to while it was checked; its integrity could not be "
            "checked (run verify again)",
            EXIT_UNCHECKED,
        )
    for problem in problems:
        echo(f"problem: {problem}", err=True)
    summary = ", ".join(f"{n} {k}" for k, n in stats.items())
    if problems:
        fail(f"{config.archive_dir}: {len(problems)} problem(s) ({summary})")
    echo(f"{config.archive_dir}: sound ({summary})")


@click.command()
@config_option
@click.option(
    "--warc",
    "warc",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write every archived response to this WARC file (.warc.gz).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write meetings and versions to this JSON file.",
)
def export(config_path: str, warc: str | None, json_path: str | None) -> None:
    """The archive in standard forms: WARC and/or JSON."""
    from monitor.report.export import export_json, export_warc

    if not warc and not json_path:
        fail("export: give --warc FILE and/or --json FILE", EXIT_USAGE)
    config = load_for_reading(config_path)
    with open_archive(config) as archive:
        if warc:
            n = export_warc(archive, Path(warc))
            echo(f"{warc}: {n} record(s)")
        if json_path:
            counts = export_json(archive, Path(json_path))
            echo(f"{json_path}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
