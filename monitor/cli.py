"""Command line: a thin shell over the library; errors become one line and an exit code."""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import logging
import re
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from monitor.config import Config, load_config
from monitor.errors import ConfigError, MonitorError
from monitor.text import printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_UNCHECKED = 3  # verify: the archive could not be read (full disk, I/O error, permission)
F = TypeVar("F", bound=Callable[..., Any])


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


class _PrintableFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record), newlines=True)


def settle() -> None:
    """Once the modules a long job needs are imported: what importing made lives as long as the
    process, so the garbage collector stops scanning it (-5% CPU in a 1,000-page check)."""
    gc.freeze()


def setup_logging(verbose: int) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PrintableFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default", "mail.log"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose > 2 else logging.WARNING)


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    echo(f"monitor: {message}", err=True)
    sys.exit(code)


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        default="config.yaml",
        show_default=True,
        type=click.Path(dir_okay=False),
        help="Path to config.yaml.",
    )(func)


def load(path: str) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)


def open_archive(config: Config, *, outdated_ok: bool = False) -> Any:
    """The archive for a command that only reads it: opened read-only, without the lock, so that
    it works on a read-only archive, as another user, on a full disk, beside a running daemon.
    One written by an older monitor lacks columns that only a writer adds: said in one line."""
    from monitor.archive import Archive

    archive = Archive.for_config(config, lock=False, readonly=True)
    if archive.outdated and not outdated_ok:
        archive.close()
        fail(
            f"{config.archive_dir}: written by an older monitor (no {', '.join(archive.outdated)});"
            " a run of `monitor check-now` brings it up to date"
        )
    return archive


class Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            fail(str(exc), EXIT_USAGE)
        except MonitorError as exc:
            fail(str(exc), EXIT_FAILED)
        except OSError as exc:  # a full disk or an unwritable directory: one line, not a trace
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"{where}{exc.strerror or exc}", EXIT_FAILED)
        except sqlite3.Error as exc:  # a damaged index read by a command: one line
            fail(f"archive: {exc}", EXIT_FAILED)
        except KeyboardInterrupt:
            fail("interrupted", 130)


@click.group(cls=Group)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="monitor")
def main(verbose: int) -> None:
    """Watch the official record of Japan-U.S. meetings and report what changed."""
    setup_logging(verbose)


@main.command("check-now")
@config_option
@click.option("--source", "sources", multiple=True, help="Check only this source (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the run as one JSON object.")
@click.option("--no-email", is_flag=True, help="Do not send the email digest.")
def check_now(config_path: str, sources: tuple[str, ...], as_json: bool, no_email: bool) -> None:
    """Check every (or the named) source once and write the run's report."""
    from monitor.pipeline import check

    settle()
    config = load(config_path)
    for source_id in sources:
        try:
            config.source(source_id)
        except ConfigError as exc:
            fail(str(exc), EXIT_USAGE)
    interactive = not as_json and sys.stderr.isatty()
    if interactive:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[url]}", markup=False),
            console=console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task("checking", total=None, url="")
            report = asyncio.run(
                check(
                    config,
                    source_ids=list(sources) or None,
                    email=not no_email,
                    progress=lambda _w, url: bar.update(task, advance=1, url=printable(url[-60:])),
                )
            )
    else:
        report = asyncio.run(check(config, source_ids=list(sources) or None, email=not no_email))
    if as_json:
        echo_json(report.to_json())
    else:
        print_summary(report)
    sys.exit(EXIT_FAILED if report.failures or report.output_errors else EXIT_OK)


def print_summary(report: Any) -> None:
    """A table of the run's events, the baselines, the failures, and where the report is."""
    from monitor.events import Baseline

    counts: dict[str, int] = {}
    for event in report.events:
        counts[event.type] = counts.get(event.type, 0) + 1
    if report.failures:
        counts["failed checks"] = len(report.failures)
    echo(
        f"Run {report.run_id}: {report.sources_checked} source(s), "
        f"{report.pages_checked} page(s) checked"
    )
    table = new_table()
    table.add_column("event")
    table.add_column("count", justify="right")
    for kind, n in sorted(counts.items()):
        table.add_row(*cells(kind, str(n)))
    if not counts:
        table.add_row(*cells("no changes", "0"))
    console().print(table)
    for event in report.events:
        if event.type == Baseline.type:
            base = Baseline.from_payload(event.data)
            echo(
                f"{base.source}: archive initialised: {base.pages} pages, {base.meetings} meetings"
            )
    for source, error in report.failures:  # whole lines: URLs must stay copyable
        echo(f"failed: {source}: {error}", err=True)
    if report.mail_error:
        echo(f"mail not sent (queued for the next run): {report.mail_error}", err=True)
    echo(f"report: {report.report or 'not written'}")


@main.command("validate-config")
@config_option
def validate_config(config_path: str) -> None:
    """Check config.yaml and say what is wrong with it."""
    config = load(config_path)
    echo(f"{config_path}: ok ({len(config.sources)} sources)")


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True)
@click.option("--since", default=None, help="Only meetings on or after this date (YYYY-MM-DD).")
def meetings(config_path: str, as_json: bool, since: str | None) -> None:
    """List the meetings in the archive."""
    from monitor.archive.meetings import list_meetings
    from monitor.normalise.dates import parse_date

    if since is not None and (parse_date(since) is None or len(since) != 10):
        fail(f"--since: {since!r} is not a date like 2026-01-31", EXIT_USAGE)
    config = load(config_path)
    found = []
    if (config.archive_dir / "index.sqlite").exists():  # no archive yet: no meetings
        with open_archive(config) as archive:
            found = list_meetings(archive, since)
    if as_json:
        echo_json([m.to_json() for m in found])
        return
    table = new_table()
    for col in ("date", "kind", "format · level · mode", "title", "location", "participants"):
        table.add_column(col)
    table.add_column("sources")
    for m in found:
        table.add_row(
            *cells(
                m.date,
                m.kind,
                f"{m.format} · {m.level} · {m.mode}",
                m.title,
                m.location or "",
                ", ".join(m.participants),
                str(len(m.sources)),
            )
        )
    console().print(table)


def _page_for(archive: Any, config: Config, what: str) -> Any:
    page = archive.page(what)
    if page is None:
        try:
            source = config.source(what)
        except ConfigError:
            fail(f"{what}: no such source or archived URL", EXIT_USAGE)
        page = archive.page(source.url, source.id)
        if page is None:
            fail(f"{what}: source has not been checked yet")
    return page


@main.command()
@config_option
@click.argument("what")
def history(config_path: str, what: str) -> None:
    """Versions of a source's page (or any archived URL), with times and sizes."""
    config = load(config_path)
    with open_archive(config) as archive:
        page = _page_for(archive, config, what)
        table = new_table(title=page.url)
        for col in ("version", "fetched", "bytes", "status", "content sha"):
            table.add_column(col)
        for v in archive.versions(page.id):
            table.add_row(
                *cells(str(v.seq), v.fetched_at, str(v.size), str(v.status or ""), v.text_sha[:12])
            )
        console().print(table)
        if page.role in ("listing", "feed"):
            pages = [p for p in archive.pages(page.source_id) if p.url != page.url]
            console().print(f"{len(pages)} page(s) found through this {page.role}", markup=False)


@main.command()
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
    from monitor.diff import diff_documents
    from monitor.events import PageChanged
    from monitor.report import build_view, plain_segments, render, write_atomic

    config = load(config_path)
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
            title=f"{page.url}: version {old_v.seq} → {new_v.seq}",
            run_id=0,
            started_at=old_v.fetched_at,
            finished_at=new_v.fetched_at,
            loader=lambda _: (old_doc, new_doc, old_v, new_v),
        )
        write_atomic(Path(html_out), render(view))
        echo(html_out)
        return
    echo(
        f"{page.url}: version {old_v.seq} ({old_v.fetched_at}) → {new_v.seq} "
        f"({new_v.fetched_at}): +{result.added} / -{result.removed}"
    )
    for change in result.changes:
        who = f" {change.speaker}" if change.speaker else ""
        echo(f"[{change.op}{who}] {plain_segments(change)}")


@main.command()
@config_option
def verify(config_path: str) -> None:
    """Check the archive's integrity: SQLite, every blob, every reference. Exit 0 when sound, 1
    when damaged, 3 when it could not be checked (a full disk, an I/O error, no permission)."""
    from monitor.archive import verify as verify_archive
    from monitor.errors import ArchiveUnreadable

    config = load(config_path)
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


@main.command("test-email")
@config_option
def test_email(config_path: str) -> None:
    """Send a sample digest to the configured recipients."""
    from datetime import UTC, datetime

    from monitor.report.notify import build_message, sample_view, send

    config = load(config_path)
    if config.email is None:
        fail(f"{config_path}: email: not configured", EXIT_USAGE)
    assert config.email is not None
    msg = build_message(config.email, sample_view(), "test", datetime.now(UTC))
    send(config.email, msg)
    echo(f"sent a sample digest to {', '.join(config.email.to)}")


@main.command()
@click.option(
    "--dir",
    "directory",
    default="monitor-demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where the demo's archive and reports go.",
)
def demo(directory: str) -> None:
    """Run the pipeline offline on a bundled local copy of official-looking pages."""
    from monitor.demo import run_demo

    target = Path(directory)
    if (target / "snapshots").exists():
        fail(f"{target}: already holds a demo archive; remove it or pass --dir", EXIT_USAGE)
    run_demo(target, say=echo)


@main.command()
@config_option
def run(config_path: str) -> None:
    """The daemon: check every source on its schedule until SIGTERM/SIGINT."""
    from monitor.pipeline import check  # noqa: F401  (imported before settle())
    from monitor.schedule import run_daemon

    settle()
    config = load(config_path)
    if not logging.getLogger().isEnabledFor(logging.INFO):
        logging.getLogger().setLevel(logging.INFO)
    run_daemon(config)


@main.command()
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
    config = load(config_path)
    with open_archive(config) as archive:
        if warc:
            n = export_warc(archive, Path(warc))
            echo(f"{warc}: {n} record(s)")
        if json_path:
            counts = export_json(archive, Path(json_path))
            echo(f"{json_path}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
