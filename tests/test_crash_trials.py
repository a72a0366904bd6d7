from __future__ import annotations

from pathlib import Path

from bench.crash_trials import run_trials


def test_a_short_crash_run(tmp_path: Path) -> None:
    """A handful of SIGKILLs at random moments (the long run is in bench/, see README)."""
    result = run_trials(6, seed=7, workdir=tmp_path)
    assert result["corrupt_archives"] == 0, result["verify_failures"]
    assert result["lost_changes"] == [] and result["duplicated_changes"] == []
    assert result["mailed_in_two_digests"] == [] and result["never_mailed"] == []
