"""The report and the digest show the changes the run computed: a changed page is diffed once,
by the pipeline, never again to be shown. An event read back from the archive (recorded by a
process that did not report or mail it) is diffed once from its archived documents."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import monitor.diff
import monitor.report.notify  # imported by a run only when it writes: here before `diffs`
from monitor.config import Config
from monitor.models import DocDiff, Document
from monitor.testing import crash
from monitor.testing.localsite import LocalSite
from tests.conftest import Runner, types
from tests.smtp import SMTPServer, email_config, text_part
from tests.support import PARAS, make_config, mofa, site_source

EDITED = "The two ministers confirmed closer cooperation."


@pytest.fixture
def diffs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URL of each pair of documents diffed, wherever `diff_documents` was imported to."""
    calls: list[str] = []
    original = monitor.diff.diff_documents

    def counted(old: Document, new: Document) -> DocDiff:
        calls.append(new.url)
        return original(old, new)

    for module in list(sys.modules.values()):
        if getattr(module, "diff_documents", None) is original:
            monkeypatch.setattr(module, "diff_documents", counted)
    return calls


def two_versions(
    site: LocalSite, smtp: SMTPServer, tmp_path: Path, runner: Callable[[Config], Runner]
) -> Runner:
    """A source checked once (the baseline), then changed on the site."""
    site["/fm.html"] = mofa()
    run = runner(make_config(tmp_path, [site_source(site)], email=email_config(smtp)))
    assert types(run(email=True)) == ["baseline"]
    site["/fm.html"] = mofa([PARAS[0], EDITED])
    return run


def shown(tmp_path: Path, report: str | None) -> str:
    return Path(str(report)).with_suffix(".txt").read_text(encoding="utf-8")


def test_a_run_diffs_a_changed_page_once_for_its_report_and_digest(
    site: LocalSite, smtp: SMTPServer, tmp_path: Path, runner, diffs: list[str]
) -> None:  # type: ignore[no-untyped-def]
    run = two_versions(site, smtp, tmp_path, runner)
    diffs.clear()
    report = run(email=True)
    assert types(report) == ["page_changed"] and report.mail_error is None
    assert diffs == [site.url("/fm.html")]  # the pipeline's diff, and no other
    assert "[-close-]{+closer+}" in shown(tmp_path, report.report)
    assert len(smtp.messages) == 1 and "[-close-]{+closer+}" in text_part(smtp.messages[0])


def test_an_event_of_an_earlier_process_is_diffed_once_from_the_archive(
    site: LocalSite, smtp: SMTPServer, tmp_path: Path, runner, diffs: list[str]
) -> None:  # type: ignore[no-untyped-def]
    """Mail off in the run that found the change: the next run's digest has only the archive."""
    run = two_versions(site, smtp, tmp_path, runner)
    assert types(run(email=False)) == ["page_changed"] and smtp.messages == []
    diffs.clear()
    assert run(email=True).events == ()
    assert diffs == [site.url("/fm.html")]  # once, for the digest
    assert len(smtp.messages) == 1 and "[-close-]{+closer+}" in text_part(smtp.messages[0])


class Killed(BaseException):
    """The process dying at a crash point (nothing is mid-transaction there)."""


def test_after_a_crash_the_report_and_digest_share_one_diff_from_the_archive(
    site: LocalSite,
    smtp: SMTPServer,
    tmp_path: Path,
    runner,
    diffs: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    """Killed after the change was recorded and before it was reported: the next run reports
    and mails it, from one diff of the archived documents."""
    run = two_versions(site, smtp, tmp_path, runner)

    def die(name: str) -> None:
        if name == "report-written":
            raise Killed(name)

    with monkeypatch.context() as patch:
        patch.setattr(crash, "point", die)
        with pytest.raises(Killed):
            run(email=True)
    assert smtp.messages == []
    diffs.clear()
    report = run(email=True)
    assert types(report) == ["page_changed"]  # told now, by this run's report
    assert diffs == [site.url("/fm.html")]
    assert "[-close-]{+closer+}" in shown(tmp_path, report.report)
    assert len(smtp.messages) == 1 and "[-close-]{+closer+}" in text_part(smtp.messages[0])
