"""Smoke test against the real official sites (needs network; excluded by default).

pytest -m live
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.fetch import Fetcher
from monitor.fetch.decode import decode_text
from monitor.normalise import listing_links
from monitor.normalise.feeds import parse_feed
from monitor.sites import profile_for

CONFIG = load_config(Path(__file__).parent.parent / "config.yaml")


@pytest.mark.live
@pytest.mark.parametrize("source", CONFIG.sources, ids=lambda s: s.id)
def test_configured_source_is_reachable_and_its_profile_fits(source) -> None:  # type: ignore[no-untyped-def]
    async def fetch():  # type: ignore[no-untyped-def]
        async with Fetcher(CONFIG.fetch) as fetcher:
            return await fetcher.fetch(source.url)

    result = asyncio.run(fetch())
    text = decode_text(result.body, result.content_type)[0]
    if source.kind == "feed":
        assert parse_feed(text, result.final_url)[1]
    else:
        assert listing_links(
            text, result.final_url, profile_for(source.url, source.profile), source.selector
        )
