"""Command line: a thin shell over the library; errors become one line and an exit code.

`main` is the `monitor` command. Its commands live in `running` (check-now, run, demo,
validate-config, test-email), `reading` (meetings, history, diff, verify, export), `forget`,
`sources` (sources, add, remove, preview) and `serving` (serve); `shell` and `output` hold what
they share. Only the module of the command invoked is imported (`--help` imports them all):
start-up is most of what a reading command costs."""

from __future__ import annotations

import click

from monitor import __version__
from monitor.cli.shell import LazyGroup, setup_logging

COMMANDS = {
    "check-now": "monitor.cli.running:check_now",
    "run": "monitor.cli.running:run",
    "demo": "monitor.cli.running:demo",
    "validate-config": "monitor.cli.running:validate_config",
    "test-email": "monitor.cli.running:test_email",
    "meetings": "monitor.cli.reading:meetings",
    "history": "monitor.cli.reading:history",
    "diff": "monitor.cli.reading:diff",
    "verify": "monitor.cli.reading:verify",
    "export": "monitor.cli.reading:export",
    "forget": "monitor.cli.forget:forget",
    "sources": "monitor.cli.sources:sources",
    "add": "monitor.cli.sources:add",
    "remove": "monitor.cli.sources:remove",
    "preview": "monitor.cli.sources:preview",
    "serve": "monitor.cli.serving:serve",
}


@click.group(cls=LazyGroup, lazy=COMMANDS)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(__version__)  # not read from the installed metadata: 30 ms less
def main(verbose: int) -> None:
    """Watch the official record of Japan-U.S. meetings and report what changed."""
    setup_logging(verbose)
