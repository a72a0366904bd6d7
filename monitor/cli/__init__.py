"""Command line: a thin shell over the library; errors become one line and an exit code.

`main` is the `monitor` command. Its commands live in `running` (check-now, run, demo,
validate-config, test-email) and `reading` (meetings, history, diff, verify, export); `shell`
and `output` hold what they share."""

from __future__ import annotations

import click

from monitor.cli.forget import forget
from monitor.cli.reading import diff, export, history, meetings, verify
from monitor.cli.running import check_now, demo, run, test_email, validate_config
from monitor.cli.serving import serve
from monitor.cli.shell import Group, setup_logging
from monitor.cli.sources import add, preview, remove, sources


@click.group(cls=Group)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="monitor")
def main(verbose: int) -> None:
    """Watch the official record of Japan-U.S. meetings and report what changed."""
    setup_logging(verbose)


for command in (check_now, run, demo, validate_config, test_email):
    main.add_command(command)
for command in (meetings, history, diff, verify, export, forget):
    main.add_command(command)
for command in (sources, add, remove, preview, serve):
    main.add_command(command)
