"""Where webhooks may send: public addresses only, unless an operator names a host.

A webhook URL is checked when it is created and again before every delivery: its host is
resolved, and every address it resolves to must be a public unicast address. Loopback, private
(10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 with the cloud metadata service,
fe80::/10), shared (100.64/10), multicast, reserved and unspecified (0.0.0.0, ::) addresses are
refused, in every spelling the resolver accepts (`2130706433`, `0x7f.1`, `::ffff:127.0.0.1`).
A delivery is then sent to the address that was checked (the host name stays in the `Host`
header and in TLS), so a second DNS answer cannot send it elsewhere.

`TAMIS_WEBHOOK_ALLOWED_HOSTS` (comma-separated host names or addresses, as written in the URL)
lets an operator allow an internal receiver explicitly; nothing else bypasses the check.
"""

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class DestinationRefused(Exception):
    """The URL's host is not a public address (or does not resolve)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, as the operating system resolves it."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def allowed_hosts(setting: str | Iterable[str]) -> frozenset[str]:
    """The operator's allow-list, normalised (lower case, no brackets)."""
    items = setting.split(",") if isinstance(setting, str) else setting
    return frozenset(h.strip().strip("[]").lower() for h in items if h.strip())


def is_public(address: Address) -> bool:
    """True for a global unicast address a webhook may reach."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


@dataclass(frozen=True)
class Destination:
    """A checked URL: its host as written, and the address to connect to (None: allowed)."""

    host: str
    port: int
    address: str | None


def check(url: str, allowed: frozenset[str], resolve: Resolver | None = None) -> Destination:
    """The destination of `url`, or DestinationRefused saying why it may not be reached."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise DestinationRefused("the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise DestinationRefused("the URL's port is not valid") from exc
    if host in allowed:
        return Destination(host, port, None)
    try:
        found = (resolve or system_resolver)(host, port)
    except (OSError, UnicodeError) as exc:
        raise DestinationRefused(f"the host '{host}' does not resolve") from exc
    if not found:
        raise DestinationRefused(f"the host '{host}' does not resolve")
    addresses = [ipaddress.ip_address(a.split("%")[0]) for a in found]
    refused = [a for a in addresses if not is_public(a)]
    if refused:
        raise DestinationRefused(
            f"the host '{host}' resolves to {refused[0]}, which is not a public address "
            "(loopback, private, link-local, multicast, reserved and unspecified addresses are "
            "refused; an operator may allow a host with TAMIS_WEBHOOK_ALLOWED_HOSTS)"
        )
    return Destination(host, port, str(addresses[0]))


def pinned_url(url: str, destination: Destination) -> str:
    """`url` with its host replaced by the checked address (unchanged when allowed by name)."""
    if destination.address is None:
        return url
    parts = urlsplit(url)
    address = ipaddress.ip_address(destination.address)
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{destination.port}"
    return parts._replace(netloc=netloc).geturl()
