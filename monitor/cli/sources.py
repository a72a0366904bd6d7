"""Commands about what is watched: `sources` (each source's state), `add` and `remove` (edit
config.yaml in place, comments kept) and `preview` (one fetch, nothing archived)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import click

from monitor.cli.output import echo, echo_json, print_table
from monitor.cli.shell import config_option, load, open_archive
from monitor.config import FetchConfig, load_config
from monitor.errors import ConfigError
from monitor.sites import profile_for

KINDS = click.Choice(["page", "listing", "feed"])
PROFILES = click.Choice(
    ["mofa", "mofa-ja", "mod", "state", "defense", "japannews", "miragenews", "generic"]
)


def shown(when: datetime | None, zone: tzinfo) -> str:
    """A time as a reader wants it: in the config's zone, to the minute, the zone named."""
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if when else "never"


def when_due(due: datetime, now: datetime, zone: tzinfo) -> str:
    return shown(due, zone) if due > now else "due now"


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="One JSON list, for scripts.")
def sources(config_path: str, as_json: bool) -> None:
    """Each source: kind, profile, schedule, last check, status and next run."""
    from monitor.schedule import source_states  # APScheduler: not for every command

    config = load(config_path)
    now = datetime.now(UTC)
    if (config.archive_dir / "index.sqlite").exists():
        with open_archive(config, outdated_ok=True) as archive:
            states = source_states(config, archive, now)
    else:
        states = source_states(config, None, now)
    if as_json:
        echo_json([s.to_json() for s in states])
        return
    print_table(
        ("id", "kind", "profile", "schedule", "last check", "status", "next run", "url"),
        [
            (
                s.id,
                s.kind,
                s.profile,
                s.schedule,
                shown(s.last_check, config.zone),
                s.status,
                when_due(s.next_run, now, config.zone),
                s.url,
            )
            for s in states
        ],
    )


@click.command()
@config_option
@click.argument("url")
@click.option("--id", "source_id", default=None, help="The source's id (default: from the URL).")
@click.option("--kind", type=KINDS, default=None, help="page (default), listing or feed.")
@click.option("--profile", type=PROFILES, default=None, help="Force a site profile.")
@click.option("--selector", default=None, help="CSS selector of the main content.")
def add(
    config_path: str,
    url: str,
    source_id: str | None,
    kind: str | None,
    profile: str | None,
    selector: str | None,
) -> None:
    """Add URL to config.yaml (its comments kept); the whole config is validated first."""
    from monitor.config_edit import add_source  # ruamel.yaml: only for the commands that edit

    source = add_source(
        Path(config_path),
        url,
        source_id=source_id,
        kind=kind,
        profile=profile,
        selector=selector,
    )
    chosen = profile_for(source.url, source.profile).name
    echo(f"added source {source.id} ({source.kind}, profile {chosen}): {source.url}")


@click.command()
@config_option
@click.argument("source_id", metavar="ID")
def remove(config_path: str, source_id: str) -> None:
    """Remove source ID from config.yaml; what it archived stays in the archive."""
    from monitor.config_edit import remove_source

    source = remove_source(Path(config_path), source_id)
    echo(f"removed source {source.id} ({source.url}); its archived pages are kept")


@click.command()
@click.option(
    "--config",
    "config_path",
    default="config.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="config.yaml whose fetch settings and allowed hosts are used, when it exists.",
)
@click.argument("url")
@click.option("--kind", type=KINDS, default=None, help="Read it as a page, listing or feed.")
@click.option("--profile", type=PROFILES, default=None, help="Force a site profile.")
@click.option("--selector", default=None, help="CSS selector of the main content.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for scripts.")
def preview(
    config_path: str,
    url: str,
    kind: str | None,
    profile: str | None,
    selector: str | None,
    as_json: bool,
) -> None:
    """Fetch URL once and show what the monitor would keep: the cleaned text, the links a listing
    follows or a feed's items, the profile chosen, the meeting found. Nothing is archived."""
    from monitor.pipeline.preview import preview as run_preview

    fetch, hosts = FetchConfig(), set[str]()
    if Path(config_path).exists():
        try:
            config = load_config(config_path)
        except ConfigError:
            config = None  # a preview does not need the config to be right
        if config is not None:
            fetch, hosts = config.fetch, config.hosts()
            same = next((s for s in config.sources if s.url == url), None)
            if same is not None:  # a configured source: previewed as it is checked
                kind = kind or same.kind
                profile = profile or same.profile
                selector = selector or same.selector
    seen = asyncio.run(
        run_preview(url, fetch, kind=kind, profile=profile, selector=selector, hosts=hosts)
    )
    if as_json:
        echo_json(seen.to_json())
        return
    echo(f"{seen.url} -> HTTP {seen.status} {seen.final_url}")
    echo(f"kind: {seen.kind} · profile: {seen.profile}")
    if seen.title:
        echo(f"title: {seen.title}")
    for block in seen.blocks:
        echo(f"  {block.speaker + ': ' if block.speaker else ''}{block.text}")
    if seen.links:
        followed = sum(link.followed for link in seen.links)
        noun = "items" if seen.kind == "feed" else "links"
        echo(f"{len(seen.links)} {noun}, {followed} followed:")
        for link in seen.links:
            mark = "+" if link.followed else "-"
            echo(f"  {mark} {link.text or '(no text)'} <{link.url}>")
    if seen.meeting is not None:
        m = seen.meeting
        echo(f"meeting: {m.date} {m.kind} · {m.format} · {m.level} · {m.mode}")
        echo(f"  {m.title}; {m.location or 'no place'}; {', '.join(m.participants)}")
    elif seen.kind != "listing":
        echo("meeting: none found")
