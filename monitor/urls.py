"""Which URLs a listing may lead to: allowed hosts, http(s), no private addresses."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def _private(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        addr = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return (
        addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_reserved
        or addr.is_multicast
        or addr.is_unspecified
    )


class UrlPolicy:
    """Links are followed only to `hosts`; private and loopback addresses only when a configured
    source itself lives there (a local copy of a site)."""

    def __init__(self, hosts: set[str], source_netlocs: set[str]) -> None:
        self.hosts = {h.lower() for h in hosts}
        self.netlocs = {n.lower() for n in source_netlocs}

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
            return False
        if host not in self.hosts:
            return False
        if _private(host):
            return parts.netloc.lower() in self.netlocs
        return True
