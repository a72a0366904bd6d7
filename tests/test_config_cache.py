"""The commands that read the archive start without pydantic once their config has passed
validation (`monitor.config_cache`), and a config edited since is validated again: refused with
the very message as ever when it is wrong. Real processes, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from monitor.config_cache import KEEP, Settings, cache_dir
from monitor.testing.localsite import LocalSite
from tests.conftest import monitor
from tests.support import PARAS, make_config, mofa, site_source, write_config

BAD = "sources:\n  - {id: a, url: 'https://x.org', selectr: main}\n"


def imports(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`python -X importtime -m monitor ARGS` in `tmp_path`, and the top-level packages it
    imported."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "monitor", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in proc.stderr.splitlines() if line.startswith("import time:")]
    return proc, {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in lines}


def records(cache: Path) -> list[Path]:
    return sorted((cache / "monitor").glob("config-*.json"))


def test_reading_commands_import_no_pydantic_once_the_config_is_known(
    site: LocalSite, tmp_path: Path, user_cache: Path
) -> None:
    site["/fm.html"] = mofa(title="T")
    write_config(tmp_path, [site_source(site)])
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    site["/fm.html"] = mofa([PARAS[0], "The two ministers confirmed closer cooperation."])
    assert monitor(tmp_path, "check-now", "--no-email").returncode == 0
    first, modules = imports(tmp_path, "meetings", "--json")  # validated in full, remembered
    assert first.returncode == 0 and "pydantic" in modules and len(records(user_cache)) == 1
    url = site.url("/fm.html")
    for args in [("meetings", "--json"), ("meetings",), ("history", "mofa-fm"), ("diff", url)]:
        proc, modules = imports(tmp_path, *args)
        assert proc.returncode == 0, proc.stderr[-2000:]
        heavy = {"pydantic", "pydantic_core", "yaml", "jinja2", "rich", "monitor.events"}
        assert not modules & heavy, args
    assert "{+closer+}" in proc.stdout  # diff's lines, as ever


def test_an_edited_config_is_validated_again(tmp_path: Path, user_cache: Path) -> None:
    path = write_config(tmp_path, [{"id": "a", "url": "https://x.org/"}])
    proc = monitor(tmp_path, "verify")
    assert proc.stderr == f"monitor: {tmp_path / 'snapshots'}: no archive here\n"
    remembered = records(user_cache)
    assert len(remembered) == 1
    path.write_text(BAD, encoding="utf-8")
    told = monitor(tmp_path, "validate-config").stderr
    assert told == (
        "monitor: config.yaml: sources[0].selectr: unknown key (did you mean 'selector'?)\n"
    )
    for args in [("meetings", "--json"), ("history", "a"), ("verify",), ("diff", "a")]:
        proc = monitor(tmp_path, *args)
        assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", told), args
    # valid again, its archive elsewhere: what the command uses is the file's, not a memory's
    write_config(tmp_path, [{"id": "a", "url": "https://x.org/"}], archive={"dir": "other"})
    proc = monitor(tmp_path, "verify")
    assert proc.stderr == f"monitor: {tmp_path / 'other'}: no archive here\n"
    assert records(user_cache) == remembered  # one record per config file, rewritten
    record = json.loads(remembered[0].read_text(encoding="utf-8"))
    assert record["settings"]["archive_dir_value"] == "other"


def test_a_cache_that_cannot_be_written_or_read_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, [{"id": "a", "url": "https://x.org/"}])
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_dir))
    for _ in range(2):
        proc = monitor(tmp_path, "meetings", "--json")
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "[]\n", "")
        proc, modules = imports(tmp_path, "meetings", "--json")
        assert proc.returncode == 0 and "pydantic" in modules  # validated every time
    damaged = tmp_path / "damaged"
    monkeypatch.setenv("XDG_CACHE_HOME", str(damaged))
    assert monitor(tmp_path, "meetings", "--json").returncode == 0
    for text in ("{not json", '{"key": 1}', "[]", ""):
        for record in records(damaged):
            record.write_text(text, encoding="utf-8")
        proc, modules = imports(tmp_path, "meetings", "--json")
        assert (proc.returncode, proc.stdout) == (0, "[]\n") and "pydantic" in modules, text
        assert json.loads(records(damaged)[0].read_text(encoding="utf-8"))["key"]  # rewritten


def test_settings_are_the_configs_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_config(tmp_path, [{"id": "a", "url": "https://x.org/"}], timezone="Asia/Tokyo")
    settings = Settings.from_config(config)
    assert (settings.archive_dir, settings.zone) == (config.archive_dir, config.zone)
    assert settings.source("a").url == config.source("a").url
    assert Settings.from_json(json.loads(json.dumps(asdict(settings)))) == settings
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored (XDG spec)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == tmp_path / ".cache" / "monitor"


def test_the_cache_keeps_the_latest_records(tmp_path: Path, user_cache: Path) -> None:
    folder = user_cache / "monitor"
    folder.mkdir()
    for i in range(KEEP + 5):
        stale = folder / f"config-{i:032x}.json"
        stale.write_text("{}", encoding="utf-8")
        os.utime(stale, ns=(i * 10**9, i * 10**9))  # oldest first
    write_config(tmp_path, [{"id": "a", "url": "https://x.org/"}])
    assert monitor(tmp_path, "meetings", "--json").returncode == 0
    kept = records(user_cache)
    assert len(kept) == KEEP and folder / f"config-{0:032x}.json" not in kept
    assert any(json.loads(path.read_text(encoding="utf-8")) for path in kept)  # the new one
