"""The pipeline: the only place that composes the stages. `check` runs the configured sources
once (the daemon and `check-now` both call it); `prepare` is the CPU-bound half of a page
(decode, normalise, digest, meeting, blob writes) that page workers may run."""

from __future__ import annotations

from monitor.pipeline.check import check

__all__ = ["check"]
