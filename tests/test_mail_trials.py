from __future__ import annotations

from pathlib import Path

from bench.crash_trials import run_mail_trials


def test_kills_while_a_digest_is_mailed(tmp_path: Path) -> None:
    """SIGKILLs while digests are on their way to the SMTP server, each held by the server until
    the client is dead and then accepted (the random-moment run is in bench/, see README): every
    change mailed, none under two Message-IDs."""
    result = run_mail_trials(3, seed=5, workdir=tmp_path, held=True)
    assert result["kills"] == 3 and result["corrupt_archives"] == 0, result["verify_failures"]
    assert result["lost_changes"] == [] and result["duplicated_changes"] == []
    assert result["never_mailed"] == [] and result["mailed_under_two_ids"] == []
