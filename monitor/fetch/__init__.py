"""Fetch stage: HTTP with bounded concurrency per run and per host, conditional requests,
retries, a byte cap and bounded decompression (`fetcher`, `inflate`), text decoding (`decode`)
and the policy of which URLs may be followed (`urls`)."""

from __future__ import annotations

from monitor.fetch.fetcher import Fetcher, HostTurn, retry_after

__all__ = ["Fetcher", "HostTurn", "retry_after"]
