"""Docs tested: every config key and every command is documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import click
from pydantic import BaseModel

from monitor.cli import main
from monitor.config import Config

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    out = []
    for name, field in model.model_fields.items():
        if name == "base_dir":
            continue
        key = prefix + (field.alias or name)
        annotation = field.annotation
        inner = [
            a
            for a in getattr(annotation, "__args__", (annotation,))
            if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        if getattr(annotation, "__origin__", None) is list and inner:
            out += keys(inner[0], key + "[].")
        elif inner:
            out += keys(inner[0], key + ".")
        else:
            out.append(key)
    return out


def test_every_config_key_is_documented() -> None:
    documented = set(re.findall(r"`([a-z_]+(?:\[\])?(?:\.[a-z_]+)*)`", README))
    missing = [k for k in keys(Config) if k not in documented]
    assert missing == []


def test_every_command_is_documented() -> None:
    ctx = click.Context(main)
    names = main.list_commands(ctx)  # imported when invoked: named here, each found
    assert "meetings" in names and "check-now" in names
    for name in names:
        assert main.get_command(ctx, name) is not None, name
        assert f"monitor {name}" in README, name
