"""What is worth an alert (issue 12): a retraction is a change, a genuine oscillation is not; a
trivial edit is archived and reported under minor edits, and mailed only when asked for."""

from __future__ import annotations

from pathlib import Path

from monitor.testing.localsite import LocalSite
from tests.conftest import of_type, types
from tests.smtp import SMTPServer, email_config, text_part
from tests.support import MEETING, ON_SECURITY, make_config, mofa, site_source

PARAS = (MEETING, ON_SECURITY)
RETRACTED = "The ministers also agreed to hold a further meeting in Washington in May."


def test_a_retraction_of_text_that_stood_is_reported(
    site: LocalSite, tmp_path: Path, runner, clock
) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa(PARAS)
    run = runner(make_config(tmp_path, [site_source(site)]))
    run()
    site["/fm.html"] = mofa([*PARAS, RETRACTED])
    assert types(run(advance_hours=24)) == ["page_changed"]
    for _ in range(3):  # it stands for three checks, over three days
        assert run(advance_hours=24).events == ()
    site["/fm.html"] = mofa(PARAS)  # and is taken back
    retraction = run(advance_hours=24)
    changed = of_type(retraction, "page_changed")
    assert types(retraction) == ["page_changed"]
    assert changed[0]["removed"] == len(RETRACTED.split()) and changed[0]["added"] == 0
    assert "[-" + RETRACTED + "-]" in Path(str(retraction.report)).with_suffix(".txt").read_text()
    assert run(advance_hours=24).events == ()


def test_alternating_on_consecutive_checks_is_reported_once(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    a, b = mofa(PARAS), mofa([*PARAS, RETRACTED])
    site["/fm.html"] = a
    run = runner(make_config(tmp_path, [site_source(site)]))
    run()
    seen = []
    for page in (b, a, b, a, b):  # A -> B -> A -> B ... a few minutes apart
        site["/fm.html"] = page
        seen.append(types(run(advance_hours=0.05)))
    assert seen == [["page_changed"], [], [], [], []]


def test_a_return_within_the_day_is_an_oscillation_and_a_day_later_a_change(
    site: LocalSite, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    a, b = mofa(PARAS), mofa([*PARAS, RETRACTED])
    site["/fm.html"] = a
    run = runner(make_config(tmp_path, [site_source(site)]))
    run()
    site["/fm.html"] = b
    assert types(run(advance_hours=6)) == ["page_changed"]
    assert run(advance_hours=6).events == ()  # B seen twice, six hours apart
    site["/fm.html"] = a
    assert run(advance_hours=6).events == ()  # back to A the same day: a flip-flop
    site["/fm.html"] = b
    assert run(advance_hours=30).events == ()  # A stood one check: still flip-flopping
    assert run(advance_hours=24).events == ()
    site["/fm.html"] = a  # B stood two days and two checks: taking it back is news
    assert types(run(advance_hours=24)) == ["page_changed"]


TRIVIAL = [PARAS[0], PARAS[1].replace("cooperation on", "cooperation, on")]
REAL = [PARAS[0], TRIVIAL[1].replace("close", "very close")]


def test_a_trivial_edit_is_reported_under_minor_edits_and_not_mailed(
    site: LocalSite, smtp: SMTPServer, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa(PARAS)
    run = runner(make_config(tmp_path, [site_source(site)], email=email_config(smtp)))
    run(email=True)
    site["/fm.html"] = mofa(TRIVIAL)
    report = run(email=True)
    assert smtp.messages == [] and report.mail_error is None  # archived, reported, not mailed
    assert [(e["trivial"], e["added"], e["removed"]) for e in of_type(report, "page_changed")] == [
        (True, 0, 0)
    ]
    text = Path(str(report.report)).with_suffix(".txt").read_text(encoding="utf-8")
    assert "MINOR EDITS" in text and "REVISED PAGES" not in text
    assert "cooperation{+,+} on" in text
    assert "Minor edits" in Path(str(report.report)).read_text(encoding="utf-8")
    site["/fm.html"] = mofa(REAL)
    run(email=True)
    assert len(smtp.messages) == 1 and smtp.messages[0]["Subject"] == "[monitor] 1 revised page"
    body = text_part(smtp.messages[0])
    assert "{+very +}" in body and "{+,+}" not in body and "MINOR" not in body


def test_alert_trivial_mails_minor_edits(
    site: LocalSite, smtp: SMTPServer, tmp_path: Path, runner
) -> None:  # type: ignore[no-untyped-def]
    site["/fm.html"] = mofa(PARAS)
    run = runner(
        make_config(tmp_path, [site_source(site)], email=email_config(smtp), alert_trivial=True)
    )
    run(email=True)
    site["/fm.html"] = mofa(TRIVIAL)
    run(email=True)
    assert len(smtp.messages) == 1
    msg = smtp.messages[0]
    assert msg["Subject"] == "[monitor] 1 minor edit(s)"
    body = text_part(msg)
    assert "MINOR EDITS" in body and "cooperation{+,+} on" in body
