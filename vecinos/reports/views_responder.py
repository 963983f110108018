"""The responder's pages, phone first: going on and off call, the requests sent to
them (acknowledge or decline), and filing what they found.

Plain forms and redirects: they work on any phone, with or without JavaScript (which
only adds "use my location").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from vecinos.accounts.access import Forbidden, acting_user, responder_required
from vecinos.core import hooks
from vecinos.core.views import bad_input, optional_int
from vecinos.reports import actions, queries
from vecinos.reports.models import Availability, DispatchStatus, Outcome
from vecinos.reports.queries import get_dispatch_for_responder, get_incident_for_user

NOT_A_RESPONDER = _lazy(
    "Only a responder's own account goes on call; this account is not a responder's."
)
# Requests whose incident the responder may still see (the rule of access.py).
VISIBLE = (DispatchStatus.REQUESTED, DispatchStatus.ACKNOWLEDGED, DispatchStatus.COMPLETED)


def _float_or_none(value: str | None, label: str) -> float | None:
    value = (value or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise actions.InvalidInput(_("%(field)s must be a number.") % {"field": label}) from None


def _int_or_none(value: str | None, label: str) -> int | None:
    return optional_int(value, _("%(field)s must be a whole number.") % {"field": label})


@require_safe
@responder_required
def responder_home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    availability = Availability.objects.filter(responder=user).first()
    return render(
        request,
        "reports/responder.html",
        {
            "availability": availability,
            "dispatches": queries.responder_dispatches(user),
            # Where requests reach them, so that "nowhere" is seen before it matters.
            "contacts": [pair for found in hooks.responder_contacts.call(user) for pair in found],
            "is_responder": user.is_responder,
            "min_radius": actions.MIN_RADIUS_KM,
            "max_radius": actions.MAX_RADIUS_KM,
        },
    )


@require_POST
@responder_required
def responder_availability(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    available = request.POST.get("available") == "on"
    try:
        actions.set_availability(
            responder=user,
            available=available,
            lat=_float_or_none(request.POST.get("lat"), _("Latitude")),
            lng=_float_or_none(request.POST.get("lng"), _("Longitude")),
            radius_km=_float_or_none(request.POST.get("radius_km"), _("Radius")),
            actor=user,
        )
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal.message))
    except Forbidden:
        # An admin may see this page (admins hold every role) but is no responder:
        # only a responder's own account goes on call.
        messages.error(request, NOT_A_RESPONDER)
    else:
        messages.success(request, _("You are on call.") if available else _("You are off call."))
    return HttpResponseRedirect(reverse("responder_home"))


@require_safe
@responder_required
def responder_dispatch(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    user = acting_user(request)
    dispatch = get_dispatch_for_responder(user, dispatch_id)
    context: dict[str, Any] = {"dispatch": dispatch, "outcomes": Outcome.choices}
    if dispatch.status in VISIBLE:
        incident = get_incident_for_user(user, dispatch.incident_id)
        context.update(
            incident=incident,
            reports=queries.incident_reports(incident),
            may_file=dispatch.status in actions.ACTIVE_DISPATCH
            and incident.status in actions.VERIFIABLE,
        )
    return render(request, "reports/responder_dispatch.html", context)


def _back(dispatch_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("responder_dispatch", args=[dispatch_id]))


@require_POST
@responder_required
def responder_acknowledge(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    return _answer(
        request,
        dispatch_id,
        actions.acknowledge_dispatch,
        _("Thank you. The dispatcher knows you are on the way."),
    )


@require_POST
@responder_required
def responder_decline(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    return _answer(
        request,
        dispatch_id,
        actions.decline_dispatch,
        _("Declined. The dispatcher will ask someone else."),
        then=reverse("responder_home"),
    )


def _answer(
    request: HttpRequest,
    dispatch_id: int,
    answer: Callable[..., object],
    done: str,
    *,
    then: str = "",
) -> HttpResponse:
    """``answer(dispatch=, actor=)`` on the responder's own request: a refusal is a
    message on the request's page; else ``done`` and a redirect to ``then`` (else the
    request's page)."""
    user = acting_user(request)
    dispatch = get_dispatch_for_responder(user, dispatch_id)
    try:
        answer(dispatch=dispatch, actor=user)
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal.message))
        return _back(dispatch.pk)
    messages.success(request, done)
    return HttpResponseRedirect(then) if then else _back(dispatch.pk)


@require_POST
@responder_required
def responder_outcome(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    user = acting_user(request)
    dispatch = get_dispatch_for_responder(user, dispatch_id)
    if dispatch.status not in VISIBLE:
        raise Http404
    incident = get_incident_for_user(user, dispatch.incident_id, write=True)
    try:
        actions.verify_incident(
            incident=incident,
            outcome=request.POST.get("outcome", ""),
            notes=request.POST.get("notes", ""),
            vehicles=_int_or_none(request.POST.get("vehicles"), _("Vehicles")),
            officers=_int_or_none(request.POST.get("officers"), _("Officers")),
            actor=user,
        )
    except actions.InvalidInput as refusal:
        back = reverse("responder_dispatch", args=[dispatch.pk])
        return bad_input(request, str(refusal.message), back)
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal.message))
        return _back(dispatch.pk)
    except Forbidden:
        messages.error(request, _("This request is no longer open; you cannot file an outcome."))
        return _back(dispatch.pk)
    messages.success(request, _("Outcome filed. Thank you."))
    return _back(dispatch.pk)
