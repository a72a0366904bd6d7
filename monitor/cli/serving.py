"""`monitor serve`: the read-only web application over the archive."""

from __future__ import annotations

import click

from monitor.cli.output import echo
from monitor.cli.shell import config_option, load


@click.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
def serve(config_path: str, host: str, port: int) -> None:
    """Serve the archive for reading: meetings side by side, pages and their versions, compare,
    search, runs. Read-only: it runs beside the daemon and check-now."""
    import uvicorn  # the server: only for this command

    from monitor.serve.app import create_app

    config = load(config_path)
    echo(f"serving {config.archive_dir} at http://{host}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")
