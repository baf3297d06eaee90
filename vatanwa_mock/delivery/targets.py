"""Which addresses a callback URL may reach.

The mock posts to a URL a tenant chooses and shows the first bytes of the answer back to that
tenant, so a callback URL must not be a way to read from the host's own neighbourhood. Users'
receivers run on loopback or on a private network, and those stay allowed; refused unless
``--allow-unsafe-callback-targets`` is set:

- link-local addresses, ``169.254.0.0/16`` (with ``169.254.169.254``, the cloud metadata
  service) and ``fe80::/10``, also when written as IPv4-mapped IPv6 (``::ffff:169.254.1.1``);
- the unspecified address (``0.0.0.0``, ``::``), multicast and reserved ranges;
- an IPv4 address in any spelling but the canonical dotted quad: ``0x7f.1``, ``2130706433``,
  ``0177.0.0.1``, ``127.1``, which the C resolver reads as addresses but which hide what they
  are.

A URL is checked when it is set (:func:`check_url`: ``PUT /_mock/callback``,
``--callback-url``) and again before each attempt (:func:`check_connect`), after resolving its
host name, so a DNS name that resolves to a refused address is refused too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(ValueError):
    """The callback URL targets an address the mock refuses; the message says which and why."""


def _why_refused(address: IPAddress) -> str | None:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if address.is_link_local:
        return "a link-local address (such as the cloud metadata service)"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved and not address.is_private:
        return "a reserved address"
    return None


def _literal(host: str) -> IPAddress | None:
    """The address ``host`` spells, if it is an IP literal in canonical form.

    :raises UnsafeTarget: ``host`` is an IPv4 address in a non-canonical spelling.
    """
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
    except OSError:
        return None  # a host name
    raise UnsafeTarget(
        f"the host {host!r} is an IPv4 address in a non-canonical spelling; write it as a "
        "dotted quad (such as 127.0.0.1)"
    )


def check_url(url: str) -> None:
    """Refuse ``url`` if its host is an IP literal the mock does not post to.

    :raises UnsafeTarget: with the reason.
    """
    host = urlsplit(url).hostname or ""
    address = _literal(host)
    if address is not None and (why := _why_refused(address)):
        raise UnsafeTarget(f"the host {host} is {why}")


async def check_connect(url: str) -> None:
    """Refuse ``url`` if its host resolves to an address the mock does not post to.

    :raises UnsafeTarget: with the reason; an unresolvable name is left to the connection.
    """
    check_url(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    if _literal(host) is not None:
        return
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, parts.port or 80, type=socket.SOCK_STREAM)
    except OSError:
        return
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if why := _why_refused(address):
            raise UnsafeTarget(f"the host {host} resolves to {address}, {why}")
