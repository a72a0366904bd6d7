"""Notify stage: one email digest per run, delivered from the archive's outbox."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import smtplib
import ssl
from collections.abc import Callable, Sequence
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime

from monitor.archive import Archive
from monitor.config import Config, EmailConfig
from monitor.errors import NotifyError
from monitor.events import PageChanged, TypedEvent
from monitor.models import Event, iso
from monitor.report import ReportView, build_view, documents, gather, meetings_now, render
from monitor.testing import crash

log = logging.getLogger(__name__)
SILENT_TYPES = frozenset({"baseline"})


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


def build_message(cfg: EmailConfig, view: ReportView, digest: str, when: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject(view, cfg.subject_prefix)
    msg["From"] = _header(cfg.from_)
    msg["To"] = ", ".join(_header(t) for t in cfg.to)
    msg["Date"] = format_datetime(when)
    domain = cfg.from_.rpartition("@")[2] or "monitor.invalid"
    msg["Message-ID"] = f"<digest-{digest}@{_header(domain)}>"
    msg["X-Monitor-Digest"] = digest
    msg.set_content(render(view, "report.txt"))
    msg.add_alternative(render(view), subtype="html")
    return msg


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


async def deliver_outbox(
    archive: Archive,
    config: Config,
    *,
    clock: Callable[[], datetime],
    known: Sequence[TypedEvent] = (),
) -> str | None:
    """Deliver the outbox. First every digest composed earlier and not known to be accepted
    (the server may have taken it just before a crash) goes again exactly as it was composed:
    the same message, Message-ID and events. Then the events queued since go in one new digest,
    stored with its events and message before it is sent. A digest is marked sent only once the
    server has accepted it. `known`: the events the run's report showed (`gather`), whose
    changes the digest shows as they are. Returns the id of the last digest sent, or None."""
    cfg = config.email
    if cfg is None:
        return None
    sent = None
    for digest, message in archive.unsent_digests():
        await _deliver(archive, cfg, digest, message, clock)
        sent = digest
    composed = compose(archive, config, cfg, clock(), known)
    if composed is not None:
        await _deliver(archive, cfg, *composed, clock)
        sent = composed[0]
    return sent


def compose(
    archive: Archive,
    config: Config,
    cfg: EmailConfig,
    now: datetime,
    known: Sequence[TypedEvent] = (),
) -> tuple[str, bytes] | None:
    """One digest of the events queued and in no digest yet, stored before it is sent: (its id,
    the message). None when none of them is mailed. A page_changed event shows the changes in
    `known` when it is there (this run's); else, read back from the archive (an event of an
    earlier process: mail was off or failed before this digest was composed), it is diffed once
    from its archived documents (`gather`)."""
    pending = archive.outbox_unassigned()
    stamp = iso(now)
    silent = [e.id for e in pending if e.type in SILENT_TYPES and e.id is not None]
    if silent:
        archive.mark_sent(silent, "none", now)
    mail = [e for e in pending if e.type not in SILENT_TYPES]
    if not mail:
        return None
    digest = digest_id(mail)
    view = build_view(
        gather(archive, config, mail, known),
        title=f"monitor digest — {stamp[:10]}",
        run_id=0,
        started_at=iso(mail[0].created_at) if mail[0].created_at else stamp,
        finished_at=stamp,
        loader=documents(archive, config),
        meetings=meetings_now(archive),
    )
    message = build_message(cfg, view, digest, now).as_bytes()
    archive.compose_digest(digest, [e.id for e in mail if e.id is not None], message, now)
    crash.point("digest-composed")
    return digest, message


async def _deliver(
    archive: Archive, cfg: EmailConfig, digest: str, message: bytes, clock: Callable[[], datetime]
) -> None:
    msg = message_from_bytes(message, policy=policy.default)
    assert isinstance(msg, EmailMessage)  # the default policy makes one
    await asyncio.to_thread(send, cfg, msg)
    crash.point("mail-accepted")
    archive.digest_sent(digest, clock())
    log.info("email digest %s sent to %s", digest, ", ".join(cfg.to))


def sample_view() -> ReportView:
    """A digest with a made-up revision, for `monitor test-email`."""
    from monitor.diff import diff_documents
    from monitor.models import Block, Document

    old = Document(
        "https://example.org/p", "Sample page", (Block("paragraph", "The ministers met."),)
    )
    new = Document(
        "https://example.org/p", "Sample page", (Block("paragraph", "The ministers met in Tokyo."),)
    )
    changes = diff_documents(old, new).changes
    event = PageChanged("sample", old.url, old.title, 2, 0, False, (), changes=changes, id=1)
    return build_view(
        [event],
        title="monitor test email",
        run_id=0,
        started_at="",
        finished_at="",
        loader=lambda _: None,
    )
