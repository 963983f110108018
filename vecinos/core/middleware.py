"""Request middleware that keeps the client's address out of the application.

``PrivacyMiddleware`` runs first. It works out the client address (from
``X-Forwarded-For`` only when the direct peer is a trusted proxy), turns it into the
day-scoped pseudonym ``request.client_key`` for rate limiting, and then erases the
address and every forwarding header from the request, so no view, library, log line
or row can ever see it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from vecinos.core import ratelimit

FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_X_CLIENT_IP",
    "HTTP_X_CLUSTER_CLIENT_IP",
    "HTTP_FASTLY_CLIENT_IP",
)
PLACEHOLDER_ADDRESS = "0.0.0.0"  # noqa: S104 - a placeholder, not a bind address


@cache
def trusted_networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in proxies)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted_networks(tuple(settings.VECINOS_TRUSTED_PROXIES)))


def client_address(meta: dict[str, str]) -> str:
    """The client address: the peer, or, behind trusted proxies, the right-most
    forwarded address that is not itself a trusted proxy."""
    peer = meta.get("REMOTE_ADDR", "") or ""
    if not _is_trusted(peer):
        return peer
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for candidate in reversed([part for part in forwarded if part]):
        if not _is_trusted(candidate):
            return candidate
    return peer


class PrivacyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = client_address(request.META)
        request.client_key = ratelimit.client_key(address)  # type: ignore[attr-defined]
        for header in FORWARDING_HEADERS:
            request.META.pop(header, None)
        request.META["REMOTE_ADDR"] = PLACEHOLDER_ADDRESS
        del address
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django does not set by itself, and ``no-store`` on anything personal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(self), payment=()"
        )
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if not request.path.startswith(settings.STATIC_URL):
            personal = (
                getattr(request, "user", None) is not None and request.user.is_authenticated
            ) or request.method != "GET"
            if personal or getattr(response, "vecinos_personal", False):
                response.headers["Cache-Control"] = "no-store"
                response.headers.pop("Expires", None)
            else:
                response.headers.setdefault("Cache-Control", "no-cache")
        return response
