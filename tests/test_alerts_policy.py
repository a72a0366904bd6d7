"""The failure and recovery policy as a table: a page's state and the clock in, what to record and
which event to raise out (no server, no archive)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.pipeline.alerts import (
    REMIND_EVERY,
    OnFailure,
    OnSuccess,
    is_gone,
    on_failure,
    on_success,
    reminder_due,
    retires,
)

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
JUST_NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)  # an hour ago: no reminder yet
A_DAY_AGO = datetime(2026, 2, 28, 9, 0, tzinfo=UTC)  # exactly REMIND_EVERY ago: reminder due

FAILURES = [
    # failures so far, alerted at, gone, failures_before_alert -> expected
    (0, None, False, 3, OnFailure(1, None)),  # first failure: not yet
    (1, None, False, 3, OnFailure(2, None)),
    (2, None, False, 3, OnFailure(3, "source_failing")),  # the threshold reached
    (0, None, False, 1, OnFailure(1, "source_failing")),  # alert at once
    (3, JUST_NOW, False, 3, OnFailure(4, None)),  # alerted an hour ago
    (3, A_DAY_AGO, False, 3, OnFailure(4, "source_failing")),  # reminded daily
    (2, None, True, 3, OnFailure(3, "page_removed")),  # 404/410 of an archived page
    (0, None, True, 3, OnFailure(1, None)),  # gone, not yet the threshold
    (3, JUST_NOW, True, 3, OnFailure(4, None)),  # removed is told once
    (3, A_DAY_AGO, True, 3, OnFailure(4, None)),  # ... and never reminded
]


@pytest.mark.parametrize(("failures", "alerted", "gone", "threshold", "expected"), FAILURES)
def test_on_failure(
    failures: int, alerted: datetime | None, gone: bool, threshold: int, expected: OnFailure
) -> None:
    got = on_failure(failures, alerted, NOW, gone=gone, failures_before_alert=threshold)
    assert got == expected


SUCCESSES = [
    # failures so far, alerted at -> expected
    (0, None, OnSuccess(clear=False, recovered=False)),  # nothing to clear
    (2, None, OnSuccess(clear=True, recovered=False)),  # failed quietly: cleared, no event
    (3, JUST_NOW, OnSuccess(clear=True, recovered=True)),  # an alert went out: recovered
    (0, JUST_NOW, OnSuccess(clear=True, recovered=True)),  # alerted, count already reset
]


@pytest.mark.parametrize(("failures", "alerted", "expected"), SUCCESSES)
def test_on_success(failures: int, alerted: datetime | None, expected: OnSuccess) -> None:
    assert on_success(failures, alerted) == expected


@pytest.mark.parametrize(
    ("alerted", "now", "due"),
    [
        (None, NOW, True),
        (JUST_NOW, NOW, False),
        (A_DAY_AGO, NOW, True),
        (A_DAY_AGO, NOW - REMIND_EVERY / 2, False),
    ],
)
def test_reminder_due(alerted: datetime | None, now: datetime, due: bool) -> None:
    assert reminder_due(alerted, now) is due


@pytest.mark.parametrize(
    ("status", "gone"), [(404, True), (410, True), (500, False), (403, False), (None, False)]
)
def test_is_gone(status: int | None, gone: bool) -> None:
    assert is_gone(status) is gone


@pytest.mark.parametrize(
    ("failures", "gone", "retired"),
    [(2, True, False), (3, True, True), (7, True, True), (3, False, False), (9, False, False)],
)
def test_a_page_gone_for_good_retires(failures: int, gone: bool, retired: bool) -> None:
    assert retires(failures, gone=gone, failures_before_alert=3) is retired
