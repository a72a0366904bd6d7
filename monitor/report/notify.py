"""Notify stage: one digest per run, delivered from the archive's outbox to each channel: email
(SMTP, here) and the `notify:` URLs (Apprise, `channels`). A digest is composed once, stored,
and sent to each channel on its own: a channel that fails gets it at a later run, the others
are not sent it twice."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Protocol

from monitor.archive import Archive
from monitor.config import Config, EmailConfig
from monitor.errors import MonitorError, NotifyError
from monitor.events import PageChanged, TypedEvent
from monitor.models import Event
from monitor.report import (
    ReportView,
    added_pages,
    build_view,
    documents,
    failing_now,
    gather,
    meetings_now,
    render,
    served_version,
    shown,
    site_names,
)
from monitor.report.channels import notify_channels
from monitor.testing import crash

log = logging.getLogger(__name__)
SILENT_TYPES = frozenset({"baseline"})
DEFAULT_PREFIX = "[monitor]"  # the subject's prefix when no `email:` gives one


def _header(text: str, limit: int = 200) -> str:
    """No CR/LF (header injection) and no runaway length in a header built from page text."""
    text = re.sub(r"[\r\n\x00-\x1f\x7f]+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def subject(view: ReportView, prefix: str) -> str:
    parts = []
    if view.new_meetings:
        titles = "; ".join(m["title"] for m in view.new_meetings[:2])
        n = len(view.new_meetings)
        parts.append(f"{n} new meeting{'s' if n != 1 else ''}: {titles}")
    if view.source_meetings:
        parts.append(f"{len(view.source_meetings)} meeting source(s) added")
    if view.changed:
        n = len(view.changed)
        parts.append(f"{n} revised page{'s' if n != 1 else ''}")
    if view.minor:
        parts.append(f"{len(view.minor)} minor edit(s)")
    if view.added:
        parts.append(f"{len(view.added)} new page(s)")
    if view.removed:
        parts.append(f"{len(view.removed)} removed page(s)")
    if view.failing:
        parts.append(f"{len(view.failing)} failing source(s)")
    if view.recovered:
        parts.append(f"{len(view.recovered)} recovered")
    if view.damaged:
        parts.append(f"{len(view.damaged)} page(s) archived afresh (archive damaged)")
    if view.problems:
        parts.append(f"{len(view.problems)} output(s) not written")
    return _header(f"{prefix} {', '.join(parts) or 'no changes'}".strip())


def digest_id(events: list[Event]) -> str:
    ids = ",".join(str(e.id) for e in events)
    return hashlib.sha256(ids.encode()).hexdigest()[:24]


def runs_label(runs: Sequence[int]) -> str:
    """`run 12`, `runs 11–12`, `runs 3, 7, 9`: the runs whose events a digest carries."""
    if not runs:
        return "no run"
    if len(runs) == 1:
        return f"run {runs[0]}"
    if len(runs) > 3 or list(runs) == list(range(runs[0], runs[-1] + 1)):
        return f"runs {runs[0]}–{runs[-1]}"
    return "runs " + ", ".join(map(str, runs))


def _message(
    cfg: EmailConfig | None, view: ReportView, subject_line: str, message_id: str, when: datetime
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject_line
    if cfg is not None:
        msg["From"] = _header(cfg.from_)
        msg["To"] = ", ".join(_header(t) for t in cfg.to)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id
    msg.set_content(render(view, "report.txt"))
    msg.add_alternative(render(view), subtype="html")
    return msg


def _domain(cfg: EmailConfig | None) -> str:
    domain = cfg.from_.rpartition("@")[2] if cfg is not None else ""
    return _header(domain or "monitor.invalid")


def build_message(
    cfg: EmailConfig | None, view: ReportView, digest: str, when: datetime
) -> EmailMessage:
    """A digest as a MIME message, the form it is stored in and mailed (without `email:`, a
    message with no sender nor recipients, for the other channels)."""
    prefix = cfg.subject_prefix if cfg is not None else DEFAULT_PREFIX
    message_id = f"<digest-{digest}@{_domain(cfg)}>"
    msg = _message(cfg, view, subject(view, prefix), message_id, when)
    msg["X-Monitor-Digest"] = digest
    return msg


def test_message(cfg: EmailConfig | None, when: datetime, zone: tzinfo) -> EmailMessage:
    """`monitor test-email`: labelled as a test in its subject and body, under a Message-ID of
    its own each time (a mail service drops a Message-ID it has seen)."""
    prefix = cfg.subject_prefix if cfg is not None else DEFAULT_PREFIX
    line = _header(f"{prefix} Test message from the monitor (not an alert)")
    message_id = make_msgid("test", domain=_domain(cfg))
    return _message(cfg, sample_view(when, zone), line, message_id, when)


def send(cfg: EmailConfig, msg: EmailMessage) -> None:
    """Hand `msg` to the SMTP server; NotifyError unless it was accepted."""
    password = cfg.password()
    try:
        context = ssl.create_default_context(cafile=cfg.cafile)
        if cfg.ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                cfg.host, cfg.port, timeout=cfg.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        with smtp:
            if cfg.starttls:
                smtp.starttls(context=context)
            if cfg.username:
                smtp.login(cfg.username, password or "")
            refused = smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise NotifyError(f"email via {cfg.host}:{cfg.port} failed: {reason}") from None
    if refused and len(refused) == len(cfg.to):
        raise NotifyError(f"email via {cfg.host}:{cfg.port}: every recipient refused")


def send_test(config: Config, when: datetime) -> list[tuple[str, str | None]]:
    """`monitor test-email`: a test message (`test_message`) to each channel, not through the
    outbox; for each, its name and why it failed (None when it was accepted)."""
    message = test_message(config.email, when, config.zone).as_bytes()
    outcomes: list[tuple[str, str | None]] = []
    for channel in channels(config):
        name = channel.name
        if isinstance(channel, EmailChannel):
            name = f"{name} ({', '.join(channel.cfg.to)})"
        try:
            channel.send(message)
        except MonitorError as exc:
            outcomes.append((name, str(exc)))
        else:
            outcomes.append((name, None))
    return outcomes


class Channel(Protocol):
    """Where digests go: `key` names it in the archive, `name` in logs (no secret in either)."""

    @property
    def key(self) -> str: ...

    @property
    def name(self) -> str: ...

    def send(self, message: bytes) -> None: ...


@dataclass(frozen=True)
class EmailChannel:
    cfg: EmailConfig
    key: str = "email"
    name: str = "email"

    def send(self, message: bytes) -> None:
        msg = message_from_bytes(message, policy=policy.default)
        assert isinstance(msg, EmailMessage)  # the default policy makes one
        send(self.cfg, msg)


def channels(config: Config) -> list[Channel]:
    """The configured channels: email first, then each `notify` URL."""
    out: list[Channel] = [EmailChannel(config.email)] if config.email is not None else []
    return out + list(notify_channels(config.notify))


def sync_channels(
    archive: Archive, config: Config, now: datetime, known: Sequence[TypedEvent] = ()
) -> list[Channel]:
    """The archive's channels made those configured; returns them. A channel gets what is
    recorded after it was first configured: a new one beside others, once what was queued for
    those went into a digest of theirs; the first one (mail just configured), once what was
    queued meanwhile was set aside, never delivered. A channel no longer configured is dropped
    with what it had not been sent; configured again, it starts afresh."""
    configured = channels(config)
    wanted = {c.key: c.name for c in configured}
    registered = archive.channels()
    gone = [key for key in registered if key not in wanted]
    if gone:
        archive.drop_channels(gone, now)
    added = {key: name for key, name in wanted.items() if key not in registered}
    if added:
        kept = [key for key in registered if key in wanted]
        if kept:
            compose(archive, config, now, known, to=kept)
        archive.add_channels(added, now, skip_queued=not kept)
        log.info("new channel(s), sent what is recorded from now on: %s", ", ".join(added.values()))
    return configured


async def deliver_outbox(
    archive: Archive,
    config: Config,
    *,
    clock: Callable[[], datetime],
    known: Sequence[TypedEvent] = (),
) -> str | None:
    """Deliver the outbox to each channel. First every digest composed for a channel earlier
    and not known to have reached it (it may have, just before a crash) goes again exactly as it
    was composed: the same message, Message-ID and events. Then, if a channel is working, the
    events queued since go in one new digest, stored with its events and message before it is
    sent, and sent to each working channel (those that failed get it in order at a later run).
    A delivery is marked sent only once the channel accepted it. `known`: the events the run's
    report showed (`gather`), whose changes the digest shows as they are. Returns the id of the
    last digest sent, or None; NotifyError naming each channel that failed."""
    configured = sync_channels(archive, config, clock(), known)
    errors: list[str] = []
    working = [c for c in configured if await _catch_up(archive, c, clock, errors)]
    sent = None
    composed = compose(archive, config, clock(), known) if working else None
    if composed is not None:
        for channel in working:
            if await _deliver(archive, channel, *composed, clock, errors):
                sent = composed[0]
    if errors:
        raise NotifyError("; ".join(errors))
    return sent


async def _catch_up(
    archive: Archive, channel: Channel, clock: Callable[[], datetime], errors: list[str]
) -> bool:
    """The digests `channel` has not had yet, oldest first; False at the first that fails."""
    for digest, message in archive.undelivered(channel.key):
        if not await _deliver(archive, channel, digest, message, clock, errors):
            return False
    return True


def compose(
    archive: Archive,
    config: Config,
    now: datetime,
    known: Sequence[TypedEvent] = (),
    *,
    to: Sequence[str] | None = None,
) -> tuple[str, bytes] | None:
    """One digest of the events queued and in no digest yet, stored before it is sent: (its id,
    the message). None when none of them is delivered. It goes to every channel there is, or to
    those keyed `to`. A page_changed event shows the changes in `known` when it is there (this
    run's); else, read back from the archive (an event of an earlier process: mail was off or
    failed before this digest was composed), it is diffed once from its archived documents
    (`gather`)."""
    pending = archive.outbox_unassigned()
    silent = [e.id for e in pending if e.type in SILENT_TYPES and e.id is not None]
    if silent:
        archive.mark_sent(silent, "none", now)
    mail = [e for e in pending if e.type not in SILENT_TYPES]
    if not mail:
        return None
    digest = digest_id(mail)
    ids = [e.id for e in mail if e.id is not None]
    first = min((e.created_at for e in mail if e.created_at is not None), default=now)
    served = config.serve.base_url  # digests link to `monitor serve`, not to local files
    view = build_view(
        gather(archive, config, mail, known),
        title=f"monitor digest — {runs_label(archive.event_runs(ids))}, {shown(now, config.zone)}",
        run_id=0,  # a digest may hold the events of several runs: named in its title
        started_at=shown(first, config.zone),
        finished_at=shown(now, config.zone),
        loader=documents(archive, config),
        meetings=meetings_now(archive),
        health=failing_now(archive, config),  # a short health block when something fails
        base_url=config.serve.base_url,
        zone=config.zone,
        sites=site_names(config),
        added_href=added_pages(archive, served_version(served)) if served else None,
    )
    message = build_message(config.email, view, digest, now).as_bytes()
    archive.compose_digest(digest, ids, message, now, to)
    crash.point("digest-composed")
    return digest, message


async def _deliver(
    archive: Archive,
    channel: Channel,
    digest: str,
    message: bytes,
    clock: Callable[[], datetime],
    errors: list[str],
) -> bool:
    """Send one digest to one channel; False (the error noted and kept with the delivery)
    when it failed."""
    try:
        await asyncio.to_thread(channel.send, message)
    except MonitorError as exc:  # NotifyError; ConfigError: a password's variable not set
        archive.delivery_failed(digest, channel.key, str(exc), clock())
        errors.append(str(exc))
        return False
    crash.point("mail-accepted" if isinstance(channel, EmailChannel) else "notify-accepted")
    archive.delivered(digest, channel.key, clock())
    if isinstance(channel, EmailChannel):
        log.info("email digest %s sent to %s", digest, ", ".join(channel.cfg.to))
    else:
        log.info("digest %s sent to %s", digest, channel.name)
    return True


def sample_view(when: datetime, zone: tzinfo) -> ReportView:
    """A test message: a made-up revision, for `monitor test-email`."""
    from monitor.diff import diff_documents
    from monitor.models import Block, Document

    title = "A sample revision, made up for this test"
    old = Document("https://example.org/p", title, (Block("paragraph", "The ministers met."),))
    new = Document(
        "https://example.org/p", title, (Block("paragraph", "The ministers met in Tokyo."),)
    )
    changes = diff_documents(old, new).changes
    event = PageChanged("sample", old.url, old.title, 2, 0, False, (), changes=changes, id=1)
    return build_view(
        [event],
        title="Test message from the monitor — not an alert: digests will look like this",
        run_id=0,
        started_at=f"sent {shown(when, zone)}",
        finished_at="a test, not an alert",
        loader=lambda _: None,
        zone=zone,
    )
