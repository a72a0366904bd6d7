"""Commands that check: check-now (once), run (the daemon), demo (offline), and the set-up
checks validate-config and test-email."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

import click

from monitor.cli.output import console, echo, echo_json, print_table
from monitor.cli.shell import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    config_option,
    fail,
    load,
    settle,
)
from monitor.errors import ConfigError
from monitor.text import plural, printable


@click.command("check-now")
@config_option
@click.option("--source", "sources", multiple=True, help="Check only this source (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the run as one JSON object.")
@click.option(
    "--no-email", is_flag=True, help="Send no digest (by mail nor notify); it stays queued."
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Print nothing when there is nothing to say (no event, no failure); for cron.",
)
def check_now(
    config_path: str, sources: tuple[str, ...], as_json: bool, no_email: bool, quiet: bool
) -> None:
    """Check every (or the named) source once and write the run's report."""
    from monitor.pipeline import check

    settle()
    config = load(config_path)
    for source_id in sources:
        try:
            config.source(source_id)
        except ConfigError as exc:
            fail(str(exc), EXIT_USAGE)
    interactive = not as_json and not quiet and sys.stderr.isatty()
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
    if quiet and not worth_saying(report):
        pass
    elif as_json:
        echo_json(report.to_json())
        for source, error in report.failures:  # also in its "failures"; one line each
            echo(f"failed: {source}: {error}", err=True)
        if report.mail_error:  # also its "delivery_error"
            echo(f"not delivered (queued for the next run): {report.mail_error}", err=True)
    else:
        print_summary(report)
    sys.exit(EXIT_FAILED if report.failures or report.output_errors else EXIT_OK)


def worth_saying(report: Any) -> bool:
    """What `--quiet` still prints: a run with an event, a failure, an output or a digest
    that could not be written or sent, or pages left out."""
    return bool(
        report.events
        or report.failures
        or report.output_errors
        or report.mail_error
        or report.left_out
    )


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
    if counts:
        rows = [(kind, str(n)) for kind, n in sorted(counts.items())]
        print_table(("event", "count"), rows, right={1})
    else:
        echo("no changes")
    for event in report.events:
        if event.type == Baseline.type:
            base = Baseline.from_payload(event.data)
            pages, meetings = plural(base.pages, "page"), plural(base.meetings, "meeting")
            echo(f"{base.source}: archive initialised: {pages}, {meetings}")
    for source, error in report.failures:  # whole lines: URLs must stay copyable
        echo(f"failed: {source}: {error}", err=True)
    if report.mail_error:
        what = "mail not sent" if report.mail_error.startswith("email") else "digest not delivered"
        echo(f"{what} (queued for the next run): {report.mail_error}", err=True)
    echo(f"report: {report.report or 'not written'}")


@click.command("validate-config")
@config_option
def validate_config(config_path: str) -> None:
    """Check config.yaml and say what is wrong with it."""
    config = load(config_path)
    echo(f"{config_path}: ok ({len(config.sources)} sources)")


@click.command("test-email")
@config_option
def test_email(config_path: str) -> None:
    """Send a test message (a sample digest) to every channel: email and each notify URL."""
    from datetime import UTC, datetime

    from monitor.report.notify import send_test

    config = load(config_path)
    if config.email is None and not config.notify:
        fail(f"{config_path}: neither email nor notify is configured", EXIT_USAGE)
    failed = False
    for name, error in send_test(config, datetime.now(UTC)):
        if error is None:
            echo(f"sent a test message to {name}")
        else:
            echo(f"not sent: {error}", err=True)
            failed = True
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@click.command()
@click.option(
    "--dir",
    "directory",
    default="monitor-demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where the demo's archive and reports go.",
)
@click.option(
    "--serve",
    is_flag=True,
    help="Serve the site of the demo in --dir again, for check-now on its config, until Ctrl-C.",
)
def demo(directory: str, serve: bool) -> None:
    """Run the pipeline offline on a bundled local copy of official-looking pages."""
    from monitor.demo import home, run_demo

    target = Path(directory)
    if serve:
        if home.made_by_demo(target) is None:
            fail(f"{target}: holds no demo; `monitor demo --dir {target}` makes one", EXIT_USAGE)
        try:
            home.serve(target, say=echo)
        except KeyboardInterrupt:
            echo("stopped")
        return
    problem = home.refusal(target)
    if problem:
        fail(problem, EXIT_USAGE)
    run_demo(target, say=echo)


@click.command()
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
