"""Permission-checked getters. Every view and API endpoint fetches objects through
these, never with a bare ``get_object_or_404``. An object outside the user's reach
raises ``Http404``, exactly like one that does not exist: no hint either way."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from vecinos.accounts.models import ApiToken, Role, User
from vecinos.alerts.models import Alert
from vecinos.reports.models import Dispatch, DispatchStatus, Incident, Report


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


def acting_user(request: HttpRequest) -> User:
    """The signed-in user (or the API token's owner) acting in this request."""
    return request.user  # type: ignore[return-value]


def _parse_uuid(value: object) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    """Every incident ``user`` may see (the rule behind ``get_incident_for_user``, for
    lists):

    - dispatchers and admins: every incident;
    - responders: only incidents they were dispatched to (not declined, not expired
      before they acknowledged);
    - everyone else: none.
    """
    if not user.is_authenticated:
        return Incident.objects.none()
    if user.is_dispatcher:
        return Incident.objects.all()
    if user.role == Role.RESPONDER:
        return Incident.objects.filter(
            pk__in=Dispatch.objects.filter(
                responder=user,
                status__in=[
                    DispatchStatus.REQUESTED,
                    DispatchStatus.ACKNOWLEDGED,
                    DispatchStatus.COMPLETED,
                ],
            ).values("incident_id")
        )
    return Incident.objects.none()


def get_incident_for_user(user: User, incident_id: object, *, write: bool = False) -> Incident:
    """An incident ``user`` may see (or, with ``write``, act on): see
    ``incidents_visible_to``. For a responder, write means filing the outcome; what
    else a dispatcher may do is decided by the action (``require_role``)."""
    pk = _parse_uuid(incident_id)
    try:
        return incidents_visible_to(user).get(pk=pk)
    except Incident.DoesNotExist:
        raise Http404 from None


def get_report_for_user(user: User, report_id: object) -> Report:
    """A report of an incident ``user`` may see (its description and photo are for
    staff on that incident only)."""
    pk = _parse_uuid(report_id)
    try:
        return Report.objects.select_related("incident").get(
            pk=pk, incident__in=incidents_visible_to(user)
        )
    except Report.DoesNotExist:
        raise Http404 from None


def get_dispatch_for_responder(user: User, dispatch_id: object) -> Dispatch:
    """A dispatch addressed to ``user`` themself."""
    try:
        pk = int(str(dispatch_id))
        return Dispatch.objects.select_related("incident").get(pk=pk, responder=user)
    except (ValueError, Dispatch.DoesNotExist):
        raise Http404 from None


def get_api_token_for_user(user: User, token_id: object) -> ApiToken:
    """One of ``user``'s own API tokens; nobody reaches another person's tokens here,
    admins included (deactivating an account stops all of its tokens at once)."""
    if not user.is_authenticated:
        raise Http404
    try:
        pk = int(str(token_id))
        return ApiToken.objects.select_related("user").get(pk=pk, user=user)
    except (ValueError, ApiToken.DoesNotExist):
        raise Http404 from None


def get_alert_for_user(user: User, alert_id: object, *, write: bool = False) -> Alert:
    """An alert ``user`` may see in the console (drafts, approvals, deliveries): for
    dispatchers and admins, every alert; for everyone else, none (the public sees
    published alerts through the public pages, not through this getter). ``write``
    changes nothing today: what a dispatcher may do to an alert is decided by the
    action (the two-person rule)."""
    pk = _parse_uuid(alert_id)
    if not user.is_authenticated or not user.is_dispatcher:
        raise Http404
    try:
        return Alert.objects.select_related("incident", "original", "created_by").get(pk=pk)
    except Alert.DoesNotExist:
        raise Http404 from None
