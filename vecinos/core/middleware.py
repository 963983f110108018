"""Request middleware that keeps the client's address out of the application.

``PrivacyMiddleware`` runs first. It works out the client address (from
``X-Forwarded-For`` only when the direct peer is a trusted proxy), turns it into the
day-scoped pseudonyms ``request.client_key`` for rate limiting and
``request.source_key`` (of its wider network) for counting independent sources of
reports, and then erases the
address and every forwarding header from the request, so no view, library, log line
or row can ever see it.

``SameOriginFormsMiddleware`` lets forms work under ``Referrer-Policy: no-referrer``;
``SecurityHeadersMiddleware`` adds the headers Django does not set and ``no-store`` on
anything personal.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable, Mapping
from functools import cache

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from vecinos.core import ratelimit

FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_FORWARDED_FOR",
    "HTTP_X_FORWARDED",
    "HTTP_X_ORIGINAL_FORWARDED_FOR",
    "HTTP_CLIENT_IP",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_CF_CONNECTING_IPV6",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_X_CLIENT_IP",
    "HTTP_X_CLUSTER_CLIENT_IP",
    "HTTP_FASTLY_CLIENT_IP",
    "HTTP_X_ENVOY_EXTERNAL_ADDRESS",
    "HTTP_VIA",
    # Not headers, but set by some servers: the peer's name and port.
    "REMOTE_HOST",
    "REMOTE_PORT",
)
# They name this server (which may be reached by its address), not the client.
SERVER_NAMING_HEADERS = frozenset({"HTTP_HOST", "HTTP_ORIGIN", "HTTP_REFERER"})
PLACEHOLDER_ADDRESS = "0.0.0.0"  # noqa: S104 - a placeholder, not a bind address


@cache
def trusted_networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in proxies)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as proxies write it: ``1.2.3.4``, ``1.2.3.4:5678``, ``[2001:db8::1]:80``."""
    text = address.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def _is_trusted(address: str) -> bool:
    ip = _parse(address)
    if ip is None:
        return False
    return any(ip in net for net in trusted_networks(tuple(settings.VECINOS_TRUSTED_PROXIES)))


def client_address(meta: Mapping[str, str]) -> str:
    """The client address: the peer, or, when the peer is a trusted proxy, the
    right-most ``X-Forwarded-For`` entry that is not itself a trusted proxy (each
    proxy appends the address it received the request from; entries further left
    were written by the client and prove nothing). An ``X-Forwarded-For`` sent by an
    untrusted peer is ignored."""
    peer = meta.get("REMOTE_ADDR", "") or ""
    if not _is_trusted(peer):
        return _canonical(peer)
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for candidate in reversed([part for part in forwarded if part]):
        if not _is_trusted(candidate):
            return _canonical(candidate)
    return _canonical(peer)


def _canonical(address: str) -> str:
    ip = _parse(address)
    return address.strip() if ip is None else str(ip)


class PrivacyMiddleware:
    """Runs first: derives ``request.client_key``, then erases the address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        address = client_address(meta)
        request.client_key = ratelimit.client_key(address)  # type: ignore[attr-defined]
        # Wider (an IPv6 /48): whether two reports come from independent sources.
        request.source_key = ratelimit.source_key(address)  # type: ignore[attr-defined]
        if settings.VECINOS_TRUSTED_PROXIES and not _is_trusted(meta.get("REMOTE_ADDR", "")):
            # Proxies are declared and this peer is not one: its claim to have come
            # over HTTPS (SECURE_PROXY_SSL_HEADER in production) is not believed either.
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
        # Every spelling of the addresses in play, to find them in headers we do not
        # know by name (a proxy's own X-Original-Client, a debugging header...).
        candidates = [address, meta.get("REMOTE_ADDR", "") or ""]
        for header in FORWARDING_HEADERS:
            value = meta.pop(header, None)
            if isinstance(value, str):
                candidates += value.replace(";", ",").split(",")
        seen = {str(ip) for item in candidates if (ip := _parse(item.rpartition("=")[2]))}
        for key in [key for key in meta if key.startswith("HTTP_")]:
            value = meta[key]
            if (
                key not in SERVER_NAMING_HEADERS
                and isinstance(value, str)
                and any(item in value for item in seen)
            ):
                del meta[key]
        meta["REMOTE_ADDR"] = PLACEHOLDER_ADDRESS
        scope = getattr(request, "scope", None)  # under ASGI the server's view of the peer
        if isinstance(scope, dict) and scope.get("client"):
            scope["client"] = (PLACEHOLDER_ADDRESS, 0)
        del address, seen
        return self.get_response(request)


class SameOriginFormsMiddleware:
    """Lets forms work under ``Referrer-Policy: no-referrer``. Placed just before
    Django's ``CsrfViewMiddleware``.

    Under that policy browsers send ``Origin: null`` with a same-origin form POST
    (Fetch standard, "serializing a request origin") and no ``Referer``; Django's
    CSRF check refuses both, so every form would fail in a real browser. When
    ``Sec-Fetch-Site`` (which the referrer policy does not affect) says the request
    is same-origin, or is absent (older browsers), an opaque origin is replaced by
    this site's own, and Django goes on to check the CSRF token as usual. Any other
    ``Sec-Fetch-Site`` leaves ``null`` in place, and Django refuses it.

    The token alone suffices then because a network attacker cannot plant the CSRF
    cookie: in production it is ``__Host-`` prefixed (HTTPS only, not settable by a
    subdomain) and HSTS is on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if (
            meta.get("HTTP_ORIGIN") == "null"
            and meta.get("HTTP_SEC_FETCH_SITE", "same-origin") == "same-origin"
        ):
            # A bad Host header: Django answers 400 for it a moment later.
            with contextlib.suppress(DisallowedHost):
                meta["HTTP_ORIGIN"] = f"{request.scheme}://{request.get_host()}"
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
            ) or request.method not in ("GET", "HEAD")
            cookies = set(response.cookies)
            if (
                personal
                or getattr(response, "vecinos_personal", False)
                # A cookie is meant for one browser: a cache must not keep it (the
                # session, the language, flash messages...).
                or cookies - {settings.CSRF_COOKIE_NAME}
            ):
                response.headers["Cache-Control"] = "no-store"
                response.headers.pop("Expires", None)
            else:
                response.headers.setdefault("Cache-Control", "no-cache")
                if cookies:
                    # Only the CSRF cookie (a public page with a form): the page
                    # itself is public and may stay in the browser's cache, but no
                    # shared cache may hand one browser's cookie to another.
                    patch_cache_control(response, private=True)
        return response
