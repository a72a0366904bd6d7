"""The failure and recovery policy of one page, as pure functions: given the page's state (its
failures in a row, when an alert about it went out) and the clock's reading, what to record and
which event to raise. The pipeline does the archive writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

REMIND_EVERY = timedelta(days=1)
GONE = (404, 410)  # an archived page answering these was removed

Alert = Literal["page_removed", "source_failing"]


@dataclass(frozen=True)
class OnFailure:
    """After a failed check: the new failure count and the event to raise (then the page's
    alerted-at becomes now), if any."""

    failures: int
    alert: Alert | None


@dataclass(frozen=True)
class OnSuccess:
    """After a successful check: whether the failure state is cleared and whether
    `source_recovered` is raised."""

    clear: bool
    recovered: bool


def reminder_due(alerted_at: datetime | None, now: datetime) -> bool:
    """No alert went out yet, or the last one is at least REMIND_EVERY old."""
    return alerted_at is None or now - alerted_at >= REMIND_EVERY


def is_gone(status: int | None) -> bool:
    """A status that says the page was removed (when the archive holds a version of it)."""
    return status in GONE


def on_failure(
    failures: int,
    alerted_at: datetime | None,
    now: datetime,
    *,
    gone: bool,
    failures_before_alert: int,
) -> OnFailure:
    """After `failures_before_alert` in a row: `page_removed` when an archived page answers
    404/410 (told once), else `source_failing` (reminded every REMIND_EVERY)."""
    count = failures + 1
    due = reminder_due(alerted_at, now)
    alert: Alert | None = None
    if count >= failures_before_alert and gone and alerted_at is None:
        alert = "page_removed"
    elif count >= failures_before_alert and due and not gone:
        alert = "source_failing"
    return OnFailure(count, alert)


def retires(failures: int, *, gone: bool, failures_before_alert: int) -> bool:
    """An archived page that answered 404/410 on `failures_before_alert` checks in a row (its
    count `failures` includes this one) is retired: checked no more, and no failure of a run."""
    return gone and failures >= failures_before_alert


def on_success(failures: int, alerted_at: datetime | None) -> OnSuccess:
    """A page that was failing is cleared; `source_recovered` only if an alert went out."""
    failing = failures > 0 or alerted_at is not None
    return OnSuccess(clear=failing, recovered=failing and alerted_at is not None)
