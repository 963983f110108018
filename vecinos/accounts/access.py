"""Who may do what: roles, the view decorators that require them, and the pieces the
permission-checked getters share. The getters themselves live beside each app's reads
(``get_incident_for_user`` in ``vecinos/reports/queries.py``, ``get_alert_for_user``
in ``vecinos/alerts/queries.py``, ...): every view and API endpoint fetches objects
through them, never with a bare ``get_object_or_404``, and an object outside the
user's reach raises ``Http404``, exactly like one that does not exist."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from vecinos.accounts.models import Role, User


class Forbidden(Exception):
    """The user may see the object but not do this to it (maps to 403)."""


def require_role(user: User, *roles: str) -> None:
    """Raise ``Forbidden`` unless the signed-in ``user`` holds one of ``roles``
    (admins hold every staff role)."""
    if not user.is_authenticated:
        raise Forbidden
    if user.role != Role.ADMIN and user.role not in roles:
        raise Forbidden


View = Callable[..., HttpResponseBase]


def role_required(*roles: str) -> Callable[[View], View]:
    """A view decorator: signed in (else the sign-in page) and holding one of
    ``roles`` (else 403; admins hold every role, as in ``require_role``)."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                require_role(acting_user(request), *roles)
            except Forbidden:
                raise PermissionDenied from None
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


dispatcher_required = role_required(Role.DISPATCHER)
responder_required = role_required(Role.RESPONDER)


def recorded_actor(actor: Any) -> User | None:
    """The account a history row names as having acted: None for no one, or for an
    anonymous visitor (a public form, a task)."""
    return actor if actor is not None and actor.is_authenticated else None


def acting_user(request: HttpRequest) -> User:
    """The signed-in user (or the API token's owner) acting in this request."""
    return request.user  # type: ignore[return-value]


def parse_uuid(value: object) -> uuid.UUID:
    """An id from a URL or payload as a UUID; anything else is a 404 (no hint)."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None
