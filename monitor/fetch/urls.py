"""Which URLs a listing may lead to and which addresses a request may reach: allowed hosts,
http(s), no private, loopback, link-local or metadata addresses (by literal or by what a name
resolves to) unless a configured source itself lives there or `fetch.allow_private` is set."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

Resolve = Callable[[str, int], list[str]]  # (host, port) -> IP addresses; blocking, may raise


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for `host`, in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class AddressRefused(OSError):
    """A host name resolves to an address that a followed link or redirect may not reach."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to {address}, a private or local address")
        self.host = host
        self.address = address


def is_public(address: str) -> bool:
    """A globally routable unicast address: not private, loopback, link-local (cloud metadata at
    169.254.169.254), unique-local (fd00:ec2::254), shared, reserved, multicast or unspecified.
    An IPv4 address mapped into IPv6 is judged as itself."""
    try:
        addr = ipaddress.ip_address(address.split("%", 1)[0].strip("[]"))
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


def _private_literal(host: str) -> bool:
    """A host that is private by its text alone: localhost names and non-public IP literals."""
    if host in ("localhost", "localhost.localdomain") or host.rstrip(".").endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host.rstrip(".") == "localhost"
    return not is_public(host)


def _host_port(netloc: str) -> tuple[str, int | None]:
    parts = urlsplit("//" + netloc)
    return (parts.hostname or "").lower(), parts.port


class UrlPolicy:
    """Links are followed only to `hosts`; private and loopback addresses only when a configured
    source itself lives there (a local copy of a site) or `allow_private` is set. Host names are
    judged by what they resolve to when a request connects (`connectable`), so that a name cannot
    lead to an address its text hides."""

    def __init__(
        self,
        hosts: set[str],
        source_netlocs: Iterable[str],
        *,
        allow_private: bool = False,
        resolve: Resolve = system_resolve,
    ) -> None:
        self.hosts = {h.lower() for h in hosts}
        self.netlocs = {n.lower() for n in source_netlocs}
        self.allow_private = allow_private
        self._own = {_host_port(n) for n in self.netlocs}
        self._resolve = resolve

    def allows(self, url: str) -> bool:
        """Whether a link or a redirect may lead to `url`, judged by its text."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
            return False
        if host not in self.hosts:
            return False
        if _private_literal(host) and not self.allow_private:
            return parts.netloc.lower() in self.netlocs
        return True

    def own(self, host: str, port: int) -> bool:
        """Whether host:port is where a configured source lives."""
        host = host.lower()
        default = port in (80, 443)
        return (host, port) in self._own or (default and (host, None) in self._own)

    def connectable(self, host: str, port: int) -> list[str]:
        """The addresses a request to host:port may connect to. Blocking (it resolves the name);
        raises AddressRefused when one of them is not public and host:port is no configured
        source's, or OSError when the name does not resolve."""
        addresses = self._resolve(host, port)
        if self.allow_private or self.own(host, port):
            return addresses
        for address in addresses:
            if not is_public(address):
                raise AddressRefused(host, address)
        return addresses
