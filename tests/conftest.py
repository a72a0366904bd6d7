from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Config
from monitor.models import RunReport
from monitor.pipeline import check
from monitor.testing.localsite import LocalSite
from tests.smtp import SMTPServer
from tests.support import make_config

__all__ = ["make_config"]  # where test files long imported it from; it lives in tests.support

GOLDEN = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files")


class Clock:
    """An injected clock: tests move time forward by hand."""

    def __init__(self, start: datetime = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Sleeps:
    """An injected sleep: records the delays asked for and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own cache directory (`monitor.config_cache` remembers valid configs there),
    never the real `~/.cache`; the commands a test runs inherit it."""
    path = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(path))
    return path


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as s:
        yield s


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown: server handlers that hang wait on it, so no thread outlives a test."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def monitor(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m monitor ARGS` run in `tmp_path`, as scripts run it."""
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


class Runner:
    def __init__(self, config: Config, clock: Clock, sleeps: Sleeps) -> None:
        self.config, self.clock, self.sleeps = config, clock, sleeps

    def __call__(self, *, advance_hours: float = 1, **kwargs: Any) -> RunReport:
        self.clock.advance(hours=advance_hours)
        kwargs.setdefault("email", False)
        return asyncio.run(check(self.config, clock=self.clock, sleep=self.sleeps, **kwargs))


@pytest.fixture
def runner(clock: Clock, sleeps: Sleeps) -> Callable[[Config], Runner]:
    def make(config: Config) -> Runner:
        return Runner(config, clock, sleeps)

    return make


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    server = SMTPServer().start()
    yield server
    server.stop()


def types(report: RunReport) -> list[str]:
    return [e.type for e in report.events]


def of_type(report: RunReport, kind: str) -> list[dict[str, Any]]:
    return [e.to_json() for e in report.events if e.type == kind]


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    update = bool(request.config.getoption("--update-golden"))

    def compare(name: str, text: str) -> None:
        path = GOLDEN / name
        if update or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if not update:
                pytest.fail(f"golden file {name} was missing and has been written; review it")
        assert text == path.read_text(encoding="utf-8"), f"differs from golden {name}"

    return compare
