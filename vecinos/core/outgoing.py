"""The guard for requests to addresses a user supplied (a browser's web-push endpoint,
and anything of the kind later): without it, anyone could make our workers send
requests into the operator's own network. A URL whose host is, or resolves to, a
private, loopback, link-local, multicast, reserved or unspecified address is refused,
unless the operator allows it (``VECINOS_ALLOW_PRIVATE_ADDRESSES``: development and
the test suite's loopback receivers).

The check resolves the name when called; the request resolves it again, so a name whose
answer changes in between (DNS rebinding) is not caught here. That is why the push
services are also a list of known hosts in production (``SUBSCRIPTION_PUSH_HOSTS``).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


class RefusedAddress(ValueError):
    """The URL points at an address user-supplied requests must not reach."""


def is_public(address: str) -> bool:
    """Whether ``address`` (an IP address) is one on the public Internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def allowed_private() -> bool:
    return bool(getattr(settings, "OUTGOING_PRIVATE_ALLOWED", False))


def check_url(url: str) -> None:
    """Raise ``RefusedAddress`` unless every address ``url``'s host has is public (or
    the operator allows private ones). A name that does not resolve is refused too."""
    if allowed_private():
        return
    host = urlsplit(url).hostname or ""
    if not host:
        raise RefusedAddress("no host")
    try:
        addresses = {ipaddress.ip_address(host).compressed}
    except ValueError:
        try:
            found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            raise RefusedAddress("the host does not resolve") from None
        addresses = {str(info[4][0]) for info in found}
    if not addresses or not all(is_public(address) for address in addresses):
        raise RefusedAddress("the host is a private, loopback or link-local address")


def literal_refused(url: str) -> bool:
    """Without a lookup: whether ``url``'s host is written as an address (or is
    ``localhost``) that ``check_url`` would refuse. For checks on a request's path,
    where resolving names is not wanted."""
    if allowed_private():
        return False
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not is_public(host)
    except ValueError:
        return False
