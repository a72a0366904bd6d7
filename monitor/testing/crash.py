"""Crash points for the crash trials: `MONITOR_CRASHPOINT=name[:n]` kills the process with
SIGKILL the n-th time (default first) it passes the point called `name`. Unset, it costs one
dictionary lookup."""

from __future__ import annotations

import os
import signal

# Points named in the code: blob-written, before-commit, after-commit, report-written,
# digest-composed, mail-accepted, notify-accepted (MONITOR_CRASHPOINT=name[:n] kills at the
# n-th reach).
_hits: dict[str, int] = {}


def point(name: str) -> None:
    spec = os.environ.get("MONITOR_CRASHPOINT")
    if not spec:
        return
    target, _, nth = spec.partition(":")
    if target != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
