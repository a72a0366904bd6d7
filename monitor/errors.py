"""The exception tree. Every message is one line, fit for a terminal or an email."""

from __future__ import annotations

from monitor.text import one_line


class MonitorError(Exception):
    """Base of every error the monitor raises on purpose."""


class ConfigError(MonitorError):
    """The configuration file is missing, unreadable or invalid."""


class FetchError(MonitorError):
    """A page could not be fetched (network, HTTP status, size, redirects)."""

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        url, reason = one_line(url), one_line(reason)  # both may carry a server's text
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


class ContentError(MonitorError):
    """A page was fetched but its content is unusable (layout changed, error page)."""

    def __init__(self, url: str, reason: str) -> None:
        url, reason = one_line(url), one_line(reason)  # both may carry a server's text
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class ArchiveError(MonitorError):
    """The archive is unusable, locked by another process or inconsistent."""


class NotifyError(MonitorError):
    """Mail could not be delivered."""


class ArchiveDamaged(ArchiveError):
    """Something the archive holds is missing or is not what its name or row says it is."""


class ArchiveUnreadable(ArchiveError):
    """The archive could not be read or written (a full disk, an I/O error, no permission, busy):
    nothing is known of whether it is sound."""
