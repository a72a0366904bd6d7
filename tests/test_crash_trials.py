from __future__ import annotations

from pathlib import Path

from bench.crash_trials import run_feed_trials, run_trials


def test_a_short_crash_run(tmp_path: Path) -> None:
    """A handful of SIGKILLs at random moments (the long run is in bench/, see README)."""
    result = run_trials(6, seed=7, workdir=tmp_path)
    assert result["corrupt_archives"] == 0, result["verify_failures"]
    assert result["lost_changes"] == [] and result["duplicated_changes"] == []
    assert result["mailed_in_two_digests"] == [] and result["never_mailed"] == []


def test_a_short_feed_crash_run(tmp_path: Path) -> None:
    """Kills while a feed's items are edited, added and moved under their guid (the long run is
    `python -m bench.crash_trials --feed-trials N`)."""
    result = run_feed_trials(4, seed=7, workdir=tmp_path)
    assert result["corrupt_archives"] == 0, result["verify_failures"]
    assert result["lost_changes"] == [] and result["duplicated_changes"] == []
    assert result["invented_changes"] == []
