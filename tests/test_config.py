from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config, parse_config
from monitor.errors import ConfigError

OK = {"sources": [{"id": "a", "url": "https://www.mofa.go.jp/"}]}


def error(data: object) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    return str(info.value)


def test_the_shipped_config_is_valid_and_lists_every_official_source() -> None:
    config = load_config(Path(__file__).parent.parent / "config.yaml")
    hosts = {s.host for s in config.sources}
    assert {
        "www.mofa.go.jp",
        "www.mod.go.jp",
        "www.state.gov",
        "www.defense.gov",
        "japannews.yomiuri.co.jp",
        "www.miragenews.com",
    } <= hosts
    assert any(s.kind == "feed" for s in config.sources)
    assert any(s.url.startswith("https://www.mofa.go.jp/mofaj/") for s in config.sources)


def test_unknown_key_is_named_with_its_path() -> None:
    data = {
        "sources": [
            OK["sources"][0],
            OK["sources"][0] | {"id": "b"},
            OK["sources"][0] | {"id": "c", "selectr": "main"},
        ]
    }
    assert error(data) == "config.yaml: sources[2].selectr: unknown key (did you mean 'selector'?)"


def test_every_error_is_listed_one_line_each_unknown_keys_first() -> None:
    data = {
        "source": [OK["sources"][0]],
        "fetch": {"concurency": 3, "timeout": 0},
    }
    assert error(data).splitlines() == [
        "config.yaml: fetch.concurency: unknown key (did you mean 'concurrency'?)",
        "config.yaml: source: unknown key (did you mean 'sources'?)",
        "config.yaml: sources: required key is missing",
        "config.yaml: fetch.timeout: 0: should be greater than 0",
    ]


def test_a_union_value_is_one_error_naming_the_key_not_pydantics_members() -> None:
    data = {"sources": [OK["sources"][0] | {"follow": 3}]}
    assert error(data) == (
        "config.yaml: sources[0].follow: 3: should be a valid boolean or a valid string"
    )


def test_a_file_holding_a_scalar_is_a_one_line_error(tmp_path: Path) -> None:
    for text, found in (("42\n", "int '42'"), ("- a\n", "list \"['a']\"")):
        path = tmp_path / "config.yaml"
        path.write_text(text)
        with pytest.raises(ConfigError) as info:
            load_config(path)
        assert str(info.value) == (
            f"{path}: expected a mapping with a 'sources' list at the top, found {found}"
        )


def test_one_recipient_may_be_written_as_a_string() -> None:
    email = {"host": "127.0.0.1", "from": "m@example.org", "to": "analyst@example.org"}
    assert parse_config(OK | {"email": email}).email.to == ["analyst@example.org"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"url": "ftp://x.org/"}, "sources[0].url: 'ftp://x.org/' is not an http(s) URL"),
        ({"kind": "pages"}, "sources[0].kind: 'pages' is not allowed"),
        ({"profile": "mofa-en"}, "sources[0].profile: 'mofa-en' is not allowed"),
        (
            {"ignore": ["(unclosed"]},
            "sources[0].ignore[0]: '(unclosed' is not a valid regular expression",
        ),
        ({"schedule": "often"}, "sources[0].schedule: 'often' is not an interval"),
        ({"schedule": "61 * * * *"}, "sources[0].schedule: '61 * * * *' is not a valid cron"),
        ({"selector": "main[[["}, "sources[0].selector: 'main[[[' is not a valid CSS selector"),
        ({"id": "has space"}, "sources[0].id: 'has space' is not a source id: up to 64 letters"),
    ],
)
def test_bad_source_values_are_refused(patch: dict[str, object], message: str) -> None:
    assert message in error({"sources": [OK["sources"][0] | patch]})


def test_top_level_problems() -> None:
    assert error({"sources": []}).startswith("config.yaml: sources: List should have at least 1")
    assert error({"srcs": []}).startswith("config.yaml: s")
    assert "duplicate id 'a'" in error({"sources": [OK["sources"][0], OK["sources"][0]]})
    # told with the other errors, not once they are mended (found trying it afresh)
    both = error({"sources": [OK["sources"][0] | {"kindd": "page"}, OK["sources"][0]]})
    assert both.splitlines() == [
        "config.yaml: sources[0].kindd: unknown key (did you mean 'kind'?)",
        "config.yaml: sources[1].id: duplicate id 'a'",
    ]
    assert error(OK | {"email": {"host": "h", "from": "m@x.org", "to": "not an address"}}) == (
        "config.yaml: email.to[0]: 'not an address' is not an email address like "
        "'analyst@example.org'"
    )
    assert error(["not", "a", "mapping"]).startswith("config.yaml: expected a mapping")
    assert "email.to: required key is missing" in error(
        OK | {"email": {"host": "h", "from": "m@x.org"}}
    )
    assert "starttls and ssl cannot both be true" in error(
        OK | {"email": {"host": "h", "from": "m@x", "to": ["a@x"], "starttls": True, "ssl": True}}
    )


def test_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml: line \d+ invalid YAML"):
        load_config(bad)
    good = tmp_path / "c.yaml"
    good.write_text("sources:\n  - {id: a, url: 'https://www.state.gov/'}\narchive: {dir: arch}\n")
    config = load_config(good)
    assert config.archive_dir == tmp_path.resolve() / "arch"


def test_password_comes_only_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    config = parse_config(
        OK
        | {
            "email": {
                "host": "h",
                "from": "m@x.org",
                "to": ["a@x.org"],
                "password_env": "MONITOR_TEST_PW",
            }
        }
    )
    assert config.email is not None
    monkeypatch.delenv("MONITOR_TEST_PW", raising=False)
    with pytest.raises(ConfigError, match="MONITOR_TEST_PW is not set"):
        config.email.password()
    monkeypatch.setenv("MONITOR_TEST_PW", "s3cret")
    assert config.email.password() == "s3cret"
    assert "s3cret" not in config.model_dump_json()


@pytest.mark.parametrize(
    ("patch", "where"),
    [
        ({"ignore": [r"^Updated \d+:\d+$", r"(?<=Updated )\d+"]}, "sources[0].ignore[1]"),
        ({"ignore": [r"(\w+) \1"]}, "sources[0].ignore[0]"),
        ({"follow": r"(?i)japan(?!ese)"}, "sources[0].follow"),
    ],
)
def test_patterns_that_need_backtracking_are_refused_naming_the_key(
    patch: dict[str, object], where: str
) -> None:
    """User patterns run in RE2 (linear time): look-around and back-references cannot."""
    message = error({"sources": [OK["sources"][0] | patch]})
    assert message.startswith(f"config.yaml: {where}: ")
    assert "cannot be run in linear time" in message


def test_the_patterns_users_write_are_accepted() -> None:
    from monitor.normalise.patterns import user_search

    patterns = [
        "(?i)meeting|talk|telephone|summit|2\\+2|consultat|statement|visit",
        "日米|米国|アメリカ|2\\+2|会談|電話",
        r"^Updated \d+:\d+$",
        r"[\u3040-\u30ff]+です",  # Python's \u escapes, spelt for RE2
        r"\bJapan\b.*\Z",
        "(a+)+$",  # catastrophic for a backtracking engine, linear in RE2
    ]
    config = parse_config({"sources": [OK["sources"][0] | {"ignore": patterns}]})
    assert config.sources[0].ignore == patterns
    assert user_search(patterns[3], "会談はミーティングです")
    assert user_search(patterns[4], "Japan and the U.S.") and not user_search(
        patterns[4], "xJapanx"
    )
    assert not user_search(patterns[5], "a" * 100_000 + "!")


@pytest.mark.parametrize("value", ["hunter2-S3cret!", "smtp_password", "1PASSWORD", "MY PW"])
def test_password_env_must_name_a_variable_and_is_never_echoed(value: str) -> None:
    message = error(
        OK | {"email": {"host": "h", "from": "m@x.org", "to": ["a@x.org"], "password_env": value}}
    )
    assert message.startswith("config.yaml: email.password_env: must be the name of an env")
    assert value not in message


def test_the_cli_prints_every_config_error_on_its_own_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    bad = tmp_path / "config.yaml"
    bad.write_text("source:\n  - {id: a, url: 'https://x.org', follow: 3}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", "validate-config", "--config", str(bad)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"monitor: {bad}: source: unknown key (did you mean 'sources'?)",
        f"monitor: {bad}: sources: required key is missing",
    ]
    assert "Traceback" not in proc.stderr
