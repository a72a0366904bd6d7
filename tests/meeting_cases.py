"""The labelled synthetic pages of tests/fixtures/meetings/<site>/ and how to score a meeting
against a label the way GUIDE.md (corpus/meetings) defines its fields."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from monitor.fetch.decode import decode_text
from monitor.models import Document, Meeting
from monitor.normalise import normalise
from monitor.sites import PROFILES

FIXTURES = Path(__file__).parent / "fixtures" / "meetings"


@dataclass(frozen=True)
class Case:
    site: str
    file: str
    url: str
    profile: str
    form: str
    meeting: dict[str, Any] | None

    @property
    def path(self) -> Path:
        return FIXTURES / self.site / self.file

    @property
    def id(self) -> str:
        return f"{self.site}/{self.file}"

    def document(self) -> Document:
        body = self.path.read_bytes()
        text, _ = decode_text(body, "text/html; charset=utf-8")
        return normalise(body, text, "text/html", self.url, PROFILES[self.profile])


def cases() -> list[Case]:
    out = []
    for listing in sorted(FIXTURES.glob("*/cases.yaml")):
        for entry in yaml.safe_load(listing.read_text(encoding="utf-8")):
            out.append(
                Case(
                    listing.parent.name,
                    entry["file"],
                    entry["url"],
                    entry["profile"],
                    entry.get("form", ""),
                    entry.get("meeting"),
                )
            )
    return out


def _named(gold: str, predicted: tuple[str, ...]) -> bool:
    return any(gold.lower() in p.lower().replace(".", " ").split() for p in predicted)


def wrong_fields(gold: dict[str, Any], found: Meeting) -> list[str]:
    """The fields of `found` that disagree with the label (as the corpus's scorer counts them,
    plus format, level and mode)."""
    wrong = []
    if gold.get("date") and found.date not in gold["date"]:
        wrong.append("date")
    for key in ("kind", "format", "level", "mode"):
        if key in gold and getattr(found, key) != gold[key]:
            wrong.append(key)
    people = gold.get("participants") or []
    extra = [p for p in found.participants if not any(_named(g, (p,)) for g in people)]
    if not all(_named(g, found.participants) for g in people) or extra:
        wrong.append("participants")
    if (gold.get("location") or "").lower() != (found.location or "").lower():
        wrong.append("location")
    return wrong
