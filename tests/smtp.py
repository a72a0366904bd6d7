"""A real SMTP server (aiosmtpd) on 127.0.0.1 that collects what it is sent."""

from __future__ import annotations

import socket
import ssl
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SMTPServer:
    """Start, stop and start again on the same port (an outage and a recovery)."""

    def __init__(
        self,
        *,
        tls: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
        users: dict[str, str] | None = None,
    ) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.tls = tls
        self.implicit = implicit_tls
        self.users = users
        self.controller: Controller | None = None

    def _auth(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.users is not None
            and self.users.get(auth_data.login.decode()) == auth_data.password.decode()
        )
        return AuthResult(success=ok)

    def start(self) -> SMTPServer:
        kwargs: dict[str, Any] = {}
        if self.tls is not None and not self.implicit:
            kwargs.update(tls_context=self.tls, require_starttls=True)
        if self.users is not None:
            kwargs.update(authenticator=self._auth, auth_required=True)
        self.controller = Controller(
            self.inbox,
            hostname="127.0.0.1",
            port=self.port,
            ssl_context=self.tls if self.implicit else None,
            **kwargs,
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages


def email_config(server: SMTPServer, **extra: Any) -> dict[str, Any]:
    """The `email` section of a config that mails `server`."""
    return {
        "host": "127.0.0.1",
        "port": server.port,
        "from": "monitor@example.org",
        "to": ["analyst@example.org"],
        "timeout": 2,
        **extra,
    }


def _part(msg: EmailMessage, kind: str) -> str:
    body = msg.get_body((kind,))
    assert isinstance(body, EmailMessage), f"no {kind} part"
    return str(body.get_content())


def text_part(msg: EmailMessage) -> str:
    return _part(msg, "plain")


def html_part(msg: EmailMessage) -> str:
    return _part(msg, "html")
