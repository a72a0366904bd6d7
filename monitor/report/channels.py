"""The channels beside email (`notify:`): Apprise URLs — ntfy, Slack, Discord, Matrix, Telegram,
a JSON webhook … — each sent the digest the mail carries, titled with its subject.

A URL may hold a token (a Telegram bot's, a webhook's path): it is never logged, printed or
stored. A channel is stored as a hash of its URL and named by its place in the config and, when
that part is a real host name or address, its scheme and host (`notify[1] json://127.0.0.1:8123`).
Apprise's own log lines print whole URLs, so they are kept out of the process's log; the reason
a delivery failed is taken from what Apprise reports and stripped of the URL's parts."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from monitor.errors import NotifyError
from monitor.text import one_line

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]{0,19})://", re.IGNORECASE)
_HOST_NAME = re.compile(r"^(?=.*[a-z.])[a-z0-9-]+(\.[a-z0-9-]+)+$", re.IGNORECASE)
EXAMPLES = "like json://host:port/path, ntfys://ntfy.sh/topic or tgram://bottoken/chat_id"


class _Redact(logging.Filter):
    """On Apprise's logger: the secret parts of each URL it was handed (`_plugin`) are taken out
    of every line it logs, whoever reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: dict[str, str] = {}  # URL -> the part of it its name shows

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        for url, shown in list(self.urls.items()):
            text = redact(text, url, shown)
        record.msg, record.args = text, ()
        return True


_REDACT = _Redact()


@cache
def _apprise() -> Any:
    """Apprise, imported when a channel is used (loading its 190 plugins takes half a second).
    Its logger prints whole URLs, tokens included (at debug level, and in errors): it logs
    warnings and errors only, with the URLs' secrets taken out, and not into the process's log
    (the reason a delivery failed is read from its result); urllib3's debug lines, which print
    request paths, are off."""
    import apprise

    log = logging.getLogger("apprise")
    log.setLevel(logging.WARNING)
    log.addFilter(_REDACT)
    log.propagate = False
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    return apprise


def _plugin(url: str) -> Any:
    """Apprise's plugin for `url`, or None; its secrets kept out of Apprise's log lines."""
    _REDACT.urls[url] = display_name(url, 0)
    return _apprise().Apprise.instantiate(url)


def check_url(url: str) -> str:
    """`url` if Apprise can read it; a ValueError that does not repeat it otherwise."""
    scheme = _SCHEME.match(url)
    if scheme is None:
        raise ValueError(f"not an Apprise URL ({EXAMPLES})")
    if _plugin(url) is None:
        raise ValueError(
            f"{scheme.group(1).lower()}:// URL that Apprise cannot read: an unknown service, "
            f"or a part of the URL missing or malformed ({EXAMPLES})"
        )
    return url


def channel_key(url: str) -> str:
    """How the archive knows a channel: a hash of its URL, which may hold a secret."""
    return "notify:" + hashlib.sha256(url.encode()).hexdigest()[:20]


def display_name(url: str, index: int) -> str:
    """`notify[1] json://127.0.0.1:8123`: the channel's place in the config, and its scheme and
    host when the host is an address or a dotted host name, never a token, a topic or a
    password (`tgram://TOKEN/…`, `ntfy://TOPIC`, `discord://ID/TOKEN` give `notify[1] tgram`)."""
    scheme = _SCHEME.match(url)
    name = f"notify[{index}]"
    if scheme is None:
        return name
    name += f" {scheme.group(1).lower()}"
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return name
    if _is_address(host) or _HOST_NAME.match(host):
        return f"{name}://{host}{f':{port}' if port else ''}"
    return name


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _secrets(url: str) -> list[str]:
    """The parts of `url` that may be secret: all but its scheme, longest first."""
    rest = _SCHEME.sub("", url)
    parts = re.split(r"[/@:?&#=]", rest)
    parts += [v for _, v in parse_qsl(urlsplit(url).query)]
    found = {p for p in parts if len(p) >= 3} | {unquote(p) for p in parts if len(p) >= 3}
    return sorted(found, key=len, reverse=True)


def redact(text: str, url: str, shown: str = "") -> str:
    """`text` with every part of `url` that may be secret (not in `shown`) replaced by `…`."""
    for part in _secrets(url):
        if part not in shown:
            text = text.replace(part, "…")
    return text


def digest_parts(message: bytes) -> tuple[str, str, str | None]:
    """A stored digest (a MIME message) as its subject, plain text and HTML (if it has one)."""
    msg = message_from_bytes(message, policy=policy.default)
    assert isinstance(msg, EmailMessage)  # the default policy makes one
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    return (
        str(msg["Subject"] or ""),
        str(text.get_content()) if isinstance(text, EmailMessage) else "",
        str(html.get_content()) if isinstance(html, EmailMessage) else None,
    )


@dataclass(frozen=True)
class NotifyChannel:
    """One `notify:` URL. `key` names it in the archive, `name` in logs and messages."""

    url: str = field(repr=False)
    index: int

    @property
    def key(self) -> str:
        return channel_key(self.url)

    @property
    def name(self) -> str:
        return display_name(self.url, self.index)

    def send(self, message: bytes) -> None:
        """Post the digest `message` (a stored MIME message): its subject as the title, its HTML
        to a service whose default is HTML, its text to the others (Apprise turns it into their
        markup). NotifyError, naming the channel without its secrets, unless it was accepted."""
        apprise = _apprise()
        plugin = _plugin(self.url)
        if plugin is None:
            raise NotifyError(f"{self.name}: not a URL Apprise can read")
        if "overflow" not in {k for k, _ in parse_qsl(urlsplit(self.url).query)}:
            # a digest longer than the service takes (Discord: 2,000 characters) goes in parts
            # rather than failing at every run
            plugin.overflow_mode = apprise.OverflowMode.SPLIT
        title, text, html = digest_parts(message)
        as_html = html is not None and plugin.resolve_format() == apprise.NotifyFormat.HTML
        body, body_format = (
            (html, apprise.NotifyFormat.HTML) if as_html else (text, apprise.NotifyFormat.TEXT)
        )
        sender = apprise.Apprise()
        sender.add(plugin)
        result = sender.notify(
            body=body, title=title, body_format=body_format, log_level=logging.WARNING
        )
        if not result:
            raise NotifyError(f"{self.name} failed: {self._reason(result)}")

    def _reason(self, result: Any) -> str:
        lines = [e.message for e in result.logs() if e.level in ("WARNING", "ERROR")]
        reason = one_line(lines[-1] if lines else "the service refused it")
        reason = redact(reason, self.url, self.name)
        return reason.rstrip(".")


def notify_channels(urls: list[str]) -> list[NotifyChannel]:
    return [NotifyChannel(url, i) for i, url in enumerate(urls)]
