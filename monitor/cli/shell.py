"""What every command shares: exit codes, one-line failures, logging, the --config option,
loading the config, opening the archive read-only, and the group that turns errors into exit
codes."""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from monitor.cli.output import echo
from monitor.config_cache import Settings, load_settings
from monitor.errors import ConfigError, MonitorError
from monitor.text import printable

if TYPE_CHECKING:
    from monitor.config import Config

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_UNCHECKED = 3  # verify: the archive could not be read (full disk, I/O error, permission)
F = TypeVar("F", bound=Callable[..., Any])


class _PrintableFormatter(logging.Formatter):
    """Log lines as plain text, their time in the config's `timezone` once a config is loaded
    (the system's until then), the zone named."""

    zone: tzinfo | None = None

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record), newlines=True)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        when = datetime.fromtimestamp(record.created, self.zone or UTC)
        if self.zone is None:
            when = when.astimezone()
        return when.strftime("%Y-%m-%d %H:%M:%S %Z")


def settle() -> None:
    """Once the modules a long job needs are imported: what importing made lives as long as the
    process, so the garbage collector stops scanning it (-5% CPU in a 1,000-page check)."""
    gc.freeze()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to `sys.stderr` as it is when a record comes: a progress bar that redirects it
    shows the line above the bar instead of breaking it."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def setup_logging(verbose: int) -> None:
    """One handler on stderr; called again (`monitor check-now -v`) it sets the level anew."""
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    root = logging.getLogger()
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(_PrintableFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("aiohttp", "apscheduler.executors.default", "mail.log"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose > 2 else logging.WARNING)


def _more_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> int:
    """`-v` after the command adds to `-v` before it."""
    if value:
        setup_logging(int(ctx.find_root().params.get("verbose") or 0) + value)
    return value


def verbose_option() -> click.Option:
    return click.Option(
        ["-v", "--verbose"],
        count=True,
        expose_value=False,
        callback=_more_verbose,
        help="More log output (-vv for debug).",
    )


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """Each line of `message` (a config lists every error, one per line) as `monitor: …`."""
    for line in message.splitlines() or [""]:
        echo(f"monitor: {line}", err=True)
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
    """The config, validated in full (pydantic)."""
    from monitor.config import load_config

    try:
        config = load_config(path)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)
    _PrintableFormatter.zone = config.zone
    return config


def load_for_reading(path: str) -> Settings:
    """What a command that only reads the archive needs from the config: remembered once the
    file has passed validation (no pydantic then), else validated in full (config_cache)."""
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE)
    _PrintableFormatter.zone = settings.zone
    return settings


def open_archive(config: Config | Settings, *, outdated_ok: bool = False) -> Any:
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
    """`monitor`: every command it holds takes `-v` as `monitor` itself does, and what goes
    wrong becomes one line and an exit code."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not any(p.name == "verbose" for p in cmd.params):
            cmd.params.append(verbose_option())
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            fail(str(exc), EXIT_USAGE)
        except MonitorError as exc:
            fail(str(exc), EXIT_FAILED)
        except BrokenPipeError:  # `monitor history … | head`: the reader had enough
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # nothing more to flush at exit
            sys.exit(EXIT_OK)
        except OSError as exc:  # a full disk or an unwritable directory: one line, not a trace
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"{where}{exc.strerror or exc}", EXIT_FAILED)
        except sqlite3.Error as exc:  # a damaged index read by a command: one line
            fail(f"archive: {exc}", EXIT_FAILED)
        except KeyboardInterrupt:
            fail("interrupted", 130)


class LazyGroup(Group):
    """A `Group` whose commands are named as "module:function" and imported when invoked (or
    listed, for `--help`): a command pays for its own imports, not for every command's."""

    def __init__(self, *args: Any, lazy: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, _, name = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), name)
            self.add_command(command, cmd_name)  # gives it `-v`, as for any command
        return super().get_command(ctx, cmd_name)
