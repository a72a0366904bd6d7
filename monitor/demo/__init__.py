"""`monitor demo`: the whole pipeline, offline, against a local copy of official-looking pages."""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Callable
from pathlib import Path

from monitor.config import load_config
from monitor.demo.home import claim, refusal
from monitor.demo.scenario import demo_config, site_pages
from monitor.errors import MonitorError
from monitor.events import Baseline, PageChanged
from monitor.models import RunReport
from monitor.pipeline import check
from monitor.testing.localsite import LocalSite


def run_demo(directory: Path, say: Callable[[str], None] = print) -> tuple[RunReport, RunReport]:
    """Serve round 1, check (baseline), serve round 2, check again. Returns both runs. Writes
    only what it makes in `directory` (`home.refusal` says why it may not)."""
    problem = refusal(directory)
    if problem:
        raise MonitorError(problem)
    with LocalSite() as site:
        claim(directory, site.base)
        for path, page in site_pages(1, site.base).items():
            site[path] = page
        config_path = directory / "config.yaml"
        where = shlex.quote(str(directory))
        text = demo_config(site.base, "snapshots", "reports", serve=f"--dir {where}")
        config_path.write_text(text, encoding="utf-8")
        config = load_config(config_path)
        say(f"Serving a local copy of the official sites on {site.base}")
        first = asyncio.run(check(config, email=False))
        for event in first.events:
            if event.type == Baseline.type:
                base = Baseline.from_payload(event.data)
                say(
                    f"  {base.source}: archive initialised: {base.pages} pages, "
                    f"{base.meetings} meetings"
                )
        say(
            "Changing the pages: a revised transcript line, a new 2+2 meeting on MOFA's listing "
            "and on Mirage News, an edited feed title, new footers everywhere ..."
        )
        for path, page in site_pages(2, site.base).items():
            site[path] = page
        second = asyncio.run(check(config, email=False))
    for event in second.events:
        data = event.data
        if event.type in ("meeting_new", "meeting_source_added"):
            m = data["meeting"]
            say(
                f"  {event.type}: {m['date']} [{m['kind']}] {m['title']} "
                f"— {', '.join(m['participants'])}; {len(m['sources'])} source(s)"
            )
        elif event.type == PageChanged.type:
            changed = PageChanged.from_payload(data)
            who = f", words of {', '.join(changed.speakers)}" if changed.speakers else ""
            say(f"  page_changed: {changed.title} (+{changed.added}/-{changed.removed}{who})")
        else:
            say(f"  {event.type}: {data.get('title') or data.get('url') or data}")
    say(f"Report: {second.report}")
    say(f"Plain text: {Path(second.report or '').with_suffix('.txt')}")
    say(f"All reports: {Path(second.report or '').parent / 'index.html'}")
    say(
        f"The demo's site has stopped; `monitor demo --serve --dir {where}` serves it again "
        f"for `monitor check-now --config {shlex.quote(str(config_path))}`"
    )
    return first, second
