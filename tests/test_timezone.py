"""`timezone:`: the zone cron schedules run in (and reports, digests and logs show)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.config import parse_config
from monitor.errors import ConfigError
from monitor.models import instant
from monitor.schedule import plan
from monitor.testing.localsite import LocalSite
from tests.support import make_config, mofa, site_source, write_config

SOURCE = {"id": "a", "url": "https://www.mofa.go.jp/"}


def test_a_cron_schedule_runs_on_the_configured_zone_s_clock() -> None:
    config = parse_config({"sources": [SOURCE], "timezone": "Asia/Tokyo"})
    config = config.model_copy(
        update={"schedule": config.schedule.model_copy(update={"default": "0 9 * * *"})}
    )
    last = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo, after that day's run
    now = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    (job,) = plan(config, {"a": last}, now)
    # 09:00 in Tokyo the next day is 00:00 UTC
    assert job.first_run == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert job.first_run.astimezone(ZoneInfo("Asia/Tokyo")).hour == 9


def test_without_a_timezone_the_system_zone_is_used() -> None:
    from tzlocal import get_localzone

    assert parse_config({"sources": [SOURCE]}).zone == get_localzone()


def test_an_unknown_zone_is_a_one_line_error() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"sources": [SOURCE], "timezone": "Tokyo"})
    assert str(info.value) == (
        "config.yaml: timezone: 'Tokyo' is not an IANA time zone like 'Asia/Tokyo'"
    )


def test_log_lines_show_times_in_the_configured_zone(site: LocalSite, tmp_path: Path) -> None:
    site["/fm.html"] = mofa()
    write_config(tmp_path, [site_source(site)], timezone="Asia/Tokyo")
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", "check-now", "--no-email", "-v"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    logged = [line for line in proc.stderr.splitlines() if " INFO " in line]
    assert logged and all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST INFO ", x) for x in logged)


def test_run_reports_and_the_index_show_times_in_the_configured_zone(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa()
    report = runner(make_config(tmp_path, [site_source(site)], timezone="Asia/Tokyo"))()
    started = instant(report.started_at).astimezone(ZoneInfo("Asia/Tokyo"))
    html = Path(str(report.report)).read_text(encoding="utf-8")
    text = Path(str(report.report)).with_suffix(".txt").read_text(encoding="utf-8")
    header = f"{started:%Y-%m-%d %H:%M} JST"
    assert header in html and header in text
    assert report.started_at not in html  # not the UTC instant the archive stores
    assert f"<title>monitor report — {started:%Y-%m-%d}</title>" in html
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert header in index
