"""What the tests share: the paragraphs of the synthetic pages and the pages made of them, the
sources and config a test runs with (in process, or written to config.yaml for the command
line), and the real pages of ../shared."""

from __future__ import annotations

import queue
import subprocess
import threading
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.config import Config, parse_config
from monitor.demo import pages as P
from monitor.testing.localsite import LocalSite, Page

# --- the Foreign Ministers' Meeting of March 2 ------------------------------------------------

TITLE = "Japan-U.S. Foreign Ministers' Meeting"
DATE = "March 2, 2026"
MEETING = (
    "On March 2, Mr. MOTEGI Toshimitsu, Minister for Foreign Affairs of Japan, held a meeting "
    "with Secretary of State Marco Rubio of the United States in Tokyo."
)
MEETING_TIMED = (  # MOFA's fuller form: the hour, how long, the counterpart's honorific
    "On March 2, commencing at 10:00 a.m. for approximately 45 minutes, Mr. MOTEGI Toshimitsu, "
    "Minister for Foreign Affairs of Japan, held a meeting with the Honorable Marco Rubio, "
    "Secretary of State of the United States, in Tokyo."
)
COOPERATION = "The two ministers confirmed close cooperation."
ON_SECURITY = "The two ministers confirmed close cooperation on regional security."
PARAS = (MEETING, COOPERATION)
TEL_TITLE = "Japan-U.S. Foreign Ministers' Telephone Talk"  # a later talk, for a page gained
TEL_PARAS = (
    "On March 9, Mr. MOTEGI Toshimitsu, Minister for Foreign Affairs, held a telephone talk "
    "with Secretary of State Marco Rubio of the United States.",
)
RSS = "application/rss+xml"


def mofa(
    paras: Sequence[str] = PARAS, *, title: str = TITLE, date: str = DATE, nonce: int = 0
) -> str:
    """The meeting's MOFA page (English), or another page of the same make."""
    return P.mofa_page(title, date, paras, nonce=nonce)


def telephone_talk() -> str:
    """The MOFA page of the telephone talk of March 9."""
    return mofa(TEL_PARAS, title=TEL_TITLE, date="March 9, 2026")


def readout(text: str) -> str:
    """A one-paragraph State Department readout: the healthy page beside a victim."""
    return P.state_page("Readout", "Readout", DATE, [text])


FeedItem = tuple[str, str, Sequence[str]]  # link, title, paragraphs


def state_feed(
    items: Sequence[FeedItem], *, date: str = "Mon, 02 Mar 2026 10:00:00 +0000", nonce: int = 0
) -> Page:
    """A State Department RSS feed, served as one, its items all published at `date`."""
    dated = [(link, title, date, paras) for link, title, paras in items]
    return Page(P.state_feed(dated, nonce=nonce), content_type=RSS)


def held_page(html: str, arrived: threading.Event, release: threading.Event) -> Page:
    """A page whose response waits for `release` once its request has `arrived`: a run held
    in the middle, for as long as a test needs."""

    def slow(h: BaseHTTPRequestHandler) -> None:
        arrived.set()
        release.wait(30)
        body = html.encode()
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return Page(raw=slow)


def stderr_lines(proc: subprocess.Popen[str]) -> queue.Queue[str]:
    """Each line `proc` writes to stderr, as it comes, read by a thread; "<eof>" last."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)
        lines.put("<eof>")

    threading.Thread(target=pump, daemon=True).start()
    return lines


# --- sources and config -------------------------------------------------------------------


def site_source(
    site: LocalSite,
    path: str = "/fm.html",
    sid: str = "mofa-fm",
    *,
    profile: str | None = "mofa",
    **extra: Any,
) -> dict[str, Any]:
    """A source on the local site; `profile=None` leaves the profile to the URL."""
    out: dict[str, Any] = {"id": sid, "url": site.url(path)}
    if profile is not None:
        out["profile"] = profile
    return {**out, **extra}


def config_data(
    defaults: Mapping[str, Any], sources: Sequence[Mapping[str, Any]], options: Mapping[str, Any]
) -> dict[str, Any]:
    """`defaults` and the sources, with each option merged into its section (a dict) or put in
    its place; an option given as None drops the section."""
    data: dict[str, Any] = {**defaults, "sources": [dict(s) for s in sources]}
    for key, value in options.items():
        if value is None:
            data.pop(key, None)
        elif isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def make_config(tmp_path: Path, sources: Sequence[Mapping[str, Any]], **options: Any) -> Config:
    """The config of a run in this process: archive and reports under `tmp_path`; failed
    fetches retried with backoff (free with the injected sleep)."""
    defaults = {
        "archive": {"dir": str(tmp_path / "snapshots"), "lock_timeout": 0},
        "reports": {"dir": str(tmp_path / "reports")},
        "fetch": {"retries": 2, "backoff": 0.5, "timeout": 5, "per_host": 4},
    }
    return parse_config(config_data(defaults, sources, options), base_dir=str(tmp_path))


def write_config(where: Path, sources: Sequence[Mapping[str, Any]], **options: Any) -> Path:
    """`where`/config.yaml for the command line, as `make_config` but with the archive and
    reports named relative to it and no retries (a real process sleeps for real)."""
    defaults = {
        "archive": {"dir": "snapshots", "lock_timeout": 0},
        "reports": {"dir": "reports"},
        "fetch": {"retries": 0, "backoff": 0, "timeout": 5},
    }
    path = where / "config.yaml"
    text = yaml.safe_dump(config_data(defaults, sources, options), sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


# --- real pages -----------------------------------------------------------------------------

SHARED = Path(__file__).resolve().parents[2] / "shared"  # beside the clone, as CI has it


def shared(*parts: str) -> Path:
    """A file or directory of ../shared, which real-page tests read in place. Missing, the test
    fails (never skips), saying what is missing and where it was looked for."""
    path = SHARED.joinpath(*parts)
    if path.exists():
        return path
    where = f"no directory {SHARED}" if not SHARED.is_dir() else f"no {path}"
    pytest.fail(
        f"real-page test needs ../shared/{'/'.join(parts)}: {where} (../shared belongs beside "
        "the clone; CI always has it)",
        pytrace=False,
    )
