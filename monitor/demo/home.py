"""The demo's directory: what the demo made there (a marker file says so), refusing to write over
anything it did not make, and serving its site again for `monitor check-now`."""

from __future__ import annotations

import json
import shlex
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor.config import load_config
from monitor.demo.scenario import site_pages
from monitor.testing.localsite import LocalSite

MARKER = ".monitor-demo.json"  # written by the demo, naming what it made and where it served
MADE = ("config.yaml", "snapshots", "reports")
KEPT = {".gitkeep"}  # an otherwise empty directory the demo may write into


def made_by_demo(directory: Path) -> dict[str, Any] | None:
    """The marker of a demo directory: {"base": the site's address, "made": [names]}."""
    try:
        data = json.loads((directory / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("base"), str) else None


def refusal(directory: Path) -> str | None:
    """Why the demo may not run in `directory` (one line), or None: it writes only what it makes,
    never over a file of the user's."""
    if made_by_demo(directory) is not None:
        serve = f"monitor demo --serve --dir {shlex.quote(str(directory))}"
        return (
            f"{directory}: already holds a demo; `{serve}` serves its site again (remove the "
            "directory to run the demo afresh)"
        )
    for name in MADE:
        path = directory / name
        if path.is_dir() and {p.name for p in path.iterdir()} <= KEPT:
            continue
        if path.exists() or path.is_symlink():
            return f"{path}: exists and is not the demo's; pass another --dir"
    return None


def claim(directory: Path, base: str) -> None:
    """Mark `directory` as the demo's before writing anything else there."""
    directory.mkdir(parents=True, exist_ok=True)
    marker = {"base": base, "made": list(MADE)}
    (directory / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")


def serve(
    directory: Path,
    say: Callable[[str], None] = print,
    wait: Callable[[], object] = lambda: threading.Event().wait(),
) -> None:
    """Serve the demo's site as the demo left it, on its old port when that is free (else on
    another, the demo's config.yaml rewritten to it), until `wait` returns (Ctrl-C)."""
    marker = made_by_demo(directory)
    if marker is None:
        raise ValueError(f"{directory}: holds no demo")
    old = marker["base"]
    try:
        site = LocalSite(port=urlsplit(old).port or 0)
    except OSError:  # the port is taken
        site = LocalSite()
    config = directory / "config.yaml"
    with site:
        for path, page in site_pages(2, site.base).items():
            site[path] = page
        if site.base != old:
            move_site(load_config(config).archive_dir, old, site.base)
            config.write_text(config.read_text(encoding="utf-8").replace(old, site.base), "utf-8")
            claim(directory, site.base)
            say(f"{old} is taken: {config} and its archive now name {site.base}")
        say(f"Serving the demo's site on {site.base} until Ctrl-C")
        say(
            f"Check it from another terminal: monitor check-now --config {shlex.quote(str(config))}"
        )
        wait()


def move_site(archive_dir: Path, old: str, new: str) -> None:
    """The demo's archive made to name its site at `new` where it named `old`, so that the next
    check finds the same pages there (not new pages, nor the old ones failing)."""
    from monitor.archive import Archive

    with Archive.open(archive_dir) as archive:
        archive.move_site(old, new)
