"""Who a report comes from, as far as independence goes (``Report.source_tag``).

Reports of one incident count as corroboration only from independent sources, so a
flood from one place must count once. A source is, for an anonymous reporter, the
day-scoped pseudonym of their network (``request.source_key``: an IPv4 address, or an
IPv6 /48, never the address itself, see vecinos/core/middleware.py); for a signed-in
responder, dispatcher or admin (a reporter the network knows and has trained), their
account, whatever network they are on.
"""

from __future__ import annotations

from django.http import HttpRequest


def source_of(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "is_staff_role", False):
        return f"account:{user.pk}"
    return str(getattr(request, "source_key", "") or getattr(request, "client_key", ""))
