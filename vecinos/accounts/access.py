"""Permission-checked getters. Every view and API endpoint fetches objects through
these, never with a bare ``get_object_or_404``. An object outside the user's reach
raises ``Http404``, exactly like one that does not exist: no hint either way."""

from __future__ import annotations

import uuid

from django.http import Http404

from vecinos.accounts.models import Role, User
from vecinos.reports.models import Dispatch, DispatchStatus, Incident


class Forbidden(Exception):
    """The user may see the object but not do this to it (maps to 403)."""


def require_role(user: User, *roles: str) -> None:
    """Raise ``Forbidden`` unless the signed-in ``user`` holds one of ``roles``
    (admins hold every staff role)."""
    if not user.is_authenticated:
        raise Forbidden
    if user.role != Role.ADMIN and user.role not in roles:
        raise Forbidden


def _parse_uuid(value: object) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def get_incident_for_user(user: User, incident_id: object, *, write: bool = False) -> Incident:
    """An incident ``user`` may see (or, with ``write``, act on).

    - dispatchers and admins: every incident, read and write;
    - responders: only incidents they were dispatched to (not declined); write means
      filing the outcome;
    - everyone else: nothing.
    """
    pk = _parse_uuid(incident_id)
    if not user.is_authenticated:
        raise Http404
    incidents = Incident.objects.all()
    if user.is_dispatcher:
        pass
    elif user.role == Role.RESPONDER:
        incidents = incidents.filter(
            dispatches__responder=user,
            dispatches__status__in=[
                DispatchStatus.REQUESTED,
                DispatchStatus.ACKNOWLEDGED,
                DispatchStatus.COMPLETED,
            ],
        )
    else:
        raise Http404
    try:
        return incidents.distinct().get(pk=pk)
    except Incident.DoesNotExist:
        raise Http404 from None


def get_dispatch_for_responder(user: User, dispatch_id: object) -> Dispatch:
    """A dispatch addressed to ``user`` themself."""
    try:
        pk = int(str(dispatch_id))
        return Dispatch.objects.select_related("incident").get(pk=pk, responder=user)
    except (ValueError, Dispatch.DoesNotExist):
        raise Http404 from None
