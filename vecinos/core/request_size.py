"""A request's declared body size, read once for every view that refuses a body too
large before reading it (413)."""

from __future__ import annotations

from django.http import HttpRequest


def declared_length(request: HttpRequest) -> int | None:
    """The ``Content-Length`` the client declared (0 when none), or None when it is
    not a number."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def too_large(request: HttpRequest, limit: int) -> bool:
    """Whether the declared body is over ``limit`` bytes (a malformed length counts as
    too large)."""
    length = declared_length(request)
    return length is None or length > limit
