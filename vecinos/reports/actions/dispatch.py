"""Responders on call, dispatch requests and their answers."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vecinos.accounts.access import Forbidden
from vecinos.accounts.models import Role, User
from vecinos.core import geo, hooks
from vecinos.core.errors import InvalidInput, InvalidTransition
from vecinos.core.text import text_problem
from vecinos.reports import queries
from vecinos.reports.actions.common import (
    ACTIVE_DISPATCH,
    MAX_RADIUS_KM,
    MIN_RADIUS_KM,
    VERIFIABLE,
    _locked,
    _require_dispatcher,
    _status_change,
    _status_label,
)
from vecinos.reports.events import record_event
from vecinos.reports.models import (
    Availability,
    Dispatch,
    DispatchStatus,
    Incident,
    IncidentEvent,
    IncidentStatus,
)


def set_availability(
    *,
    responder: User,
    available: bool,
    lat: float | None = None,
    lng: float | None = None,
    radius_km: float | None = None,
    actor: User,
) -> Availability:
    """Put ``responder`` on or off call, with the area they can cover.

    Only the responder themself (or an admin) changes it. Going on call needs a point
    (the one given, or the last one kept); the radius is 0.5 to 50 km.
    """
    if not actor.is_authenticated or (actor.pk != responder.pk and not actor.is_admin):
        raise Forbidden
    if responder.role != Role.RESPONDER:
        raise Forbidden
    if (lat is None) != (lng is None):
        raise InvalidInput(_("Give both latitude and longitude, or neither."))
    if lat is not None and lng is not None and not geo.valid_point(lat, lng):
        raise InvalidInput(_("That location is not a valid point on the map."))
    if radius_km is not None and not (
        isinstance(radius_km, int | float) and MIN_RADIUS_KM <= radius_km <= MAX_RADIUS_KM
    ):
        raise InvalidInput(
            _("The area you cover must be between %(min)s and %(max)s km.")
            % {"min": MIN_RADIUS_KM, "max": int(MAX_RADIUS_KM)}
        )
    with transaction.atomic():
        availability, _created = Availability.objects.select_for_update().get_or_create(
            responder=responder
        )
        if lat is not None and lng is not None:
            availability.lat, availability.lng = lat, lng
        if radius_km is not None:
            availability.radius_km = float(radius_km)
        if available and (availability.lat is None or availability.lng is None):
            raise InvalidInput(_("Say where you are (or use your location) to go on call."))
        availability.is_available = available
        availability.updated_at = timezone.now()
        availability.save()
    return availability


# Dispatch --------------------------------------------------------------------------------


def responders_named(names: Iterable[str]) -> list[User]:
    """The accounts of ``names`` (usernames, duplicates ignored), in the order given,
    or ``InvalidInput`` naming every one that does not exist. Whether they are
    responders is ``dispatch_responders``' to say."""
    wanted = list(dict.fromkeys(name for name in names if name))
    if problem := next(filter(None, map(text_problem, wanted)), None):
        raise InvalidInput(problem)
    found = {user.username: user for user in User.objects.filter(username__in=wanted)}
    unknown = [name for name in wanted if name not in found]
    if unknown:
        raise InvalidInput(
            _("No such responder: %(names)s") % {"names": ", ".join(n[:150] for n in unknown)}
        )
    return [found[name] for name in wanted]


def dispatch_responders(
    *, incident: Incident, responders: Iterable[User], actor: User
) -> list[Dispatch]:
    """Ask ``responders`` to go and check ``incident``.

    Only dispatchers and admins dispatch, and only people whose role is responder are
    sent. A new incident becomes dispatched. Sending someone who already has a live
    request changes nothing; someone who declined or let it expire is asked again.
    Returns the dispatches that were (re)requested.
    """
    _require_dispatcher(actor)
    people = list({person.pk: person for person in responders}.values())
    if not people:
        raise InvalidInput(_("Choose at least one responder."))
    wrong = sorted(person.username for person in people if person.role != Role.RESPONDER)
    if wrong:
        raise InvalidInput(
            _("Only responders can be dispatched; these are not: %(names)s")
            % {"names": ", ".join(wrong)}
        )
    unfit = queries.unfit_for_dispatch(people)
    if unfit:
        raise InvalidInput(
            _("These responders cannot be dispatched: %(names)s")
            % {
                "names": "; ".join(
                    f"{person.username} ({unfit[person.pk]})"
                    for person in sorted(people, key=lambda p: p.username)
                    if person.pk in unfit
                )
            }
        )
    now = timezone.now()
    acknowledge_by = now + timedelta(minutes=settings.DISPATCH_ACK_MINUTES)
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status not in VERIFIABLE:
            raise InvalidTransition(
                _(
                    "This incident is %(status)s: responders can only be sent to a new "
                    "or dispatched incident."
                )
                % {"status": _status_label(incident.status)}
            )
        existing = {
            d.responder_id: d
            for d in Dispatch.objects.select_for_update().filter(
                incident=incident, responder__in=people
            )
        }
        sent: list[Dispatch] = []
        for person in people:
            dispatch = existing.get(person.pk)
            if dispatch is None:
                dispatch = Dispatch.objects.create(
                    incident=incident,
                    responder=person,
                    dispatched_by=actor,
                    created_at=now,
                    acknowledge_by=acknowledge_by,
                )
            elif dispatch.status in (DispatchStatus.DECLINED, DispatchStatus.EXPIRED):
                dispatch.status = DispatchStatus.REQUESTED
                dispatch.dispatched_by = actor
                dispatch.acknowledge_by = acknowledge_by
                dispatch.acknowledged_at = None
                dispatch.save(
                    update_fields=["status", "dispatched_by", "acknowledge_by", "acknowledged_at"]
                )
            else:
                continue  # already on their way, or already reported back
            record_event(
                incident,
                IncidentEvent.Type.DISPATCHED,
                actor=actor,
                responder=person.pk,
                dispatch=dispatch.pk,
            )
            sent.append(dispatch)
        if sent:
            if incident.status == IncidentStatus.NEW:
                incident.status = IncidentStatus.DISPATCHED
            incident.updated_at = now
            incident.save(update_fields=["status", "updated_at"])
        for dispatch in sent:
            # A failed SMS must not undo a dispatch already committed (robust: logged).
            transaction.on_commit(partial(hooks.dispatch_requested.call, dispatch.pk), robust=True)
    return sent


def _locked_dispatch(dispatch: Dispatch) -> Dispatch:
    """The dispatch's current row, locked after its incident's (always incident first,
    as every action here does, so two actions never wait on each other in a circle)."""
    Incident.objects.select_for_update().filter(pk=dispatch.incident_id).first()
    return Dispatch.objects.select_for_update().select_related("incident").get(pk=dispatch.pk)


def _after_dispatch_ended(incident: Incident, now: datetime) -> str | None:
    """A dispatched incident nobody is heading to any more goes back to new, so it
    shows up again as needing a responder. Returns the new status, if it changed."""
    incident = _locked(incident)
    still_going = Dispatch.objects.filter(incident=incident, status__in=ACTIVE_DISPATCH).exists()
    if incident.status == IncidentStatus.DISPATCHED and not still_going:
        Incident.objects.filter(pk=incident.pk).update(status=IncidentStatus.NEW, updated_at=now)
        return IncidentStatus.NEW
    Incident.objects.filter(pk=incident.pk).update(updated_at=now)
    return None


def _answering(
    dispatch: Dispatch, actor: User, answer: str, *, answerable: Collection[str], refusal: str
) -> tuple[Dispatch, bool]:
    """How a responder's answer to a request starts, inside its transaction: only the
    responder may answer; the row is locked; giving the same answer twice is harmless
    (True: already given); else the request must still be ``answerable``, or
    ``refusal`` (with its ``%(status)s``) says why not."""
    if actor.pk != dispatch.responder_id:
        raise Forbidden
    dispatch = _locked_dispatch(dispatch)
    if dispatch.status == answer:
        return dispatch, True
    if dispatch.status not in answerable:
        raise InvalidTransition(refusal % {"status": dispatch.get_status_display()})
    return dispatch, False


def acknowledge_dispatch(*, dispatch: Dispatch, actor: User) -> Dispatch:
    """The responder says they are on their way. Acknowledging twice is harmless."""
    now = timezone.now()
    with transaction.atomic():
        dispatch, already = _answering(
            dispatch,
            actor,
            DispatchStatus.ACKNOWLEDGED,
            answerable={DispatchStatus.REQUESTED},
            refusal=_("This request is %(status)s and can no longer be acknowledged."),
        )
        if already:
            return dispatch
        if dispatch.incident.status == IncidentStatus.CLOSED:
            raise InvalidTransition(_("This incident has been closed; you need not go."))
        dispatch.status = DispatchStatus.ACKNOWLEDGED
        dispatch.acknowledged_at = now
        dispatch.save(update_fields=["status", "acknowledged_at"])
        Incident.objects.filter(pk=dispatch.incident_id).update(updated_at=now)
        record_event(
            dispatch.incident,
            IncidentEvent.Type.ACKNOWLEDGED,
            actor=actor,
            responder=actor.pk,
            dispatch=dispatch.pk,
        )
    return dispatch


def decline_dispatch(*, dispatch: Dispatch, actor: User) -> Dispatch:
    """The responder cannot go. Declining twice is harmless."""
    now = timezone.now()
    with transaction.atomic():
        dispatch, already = _answering(
            dispatch,
            actor,
            DispatchStatus.DECLINED,
            answerable=ACTIVE_DISPATCH,
            refusal=_("This request is %(status)s and can no longer be declined."),
        )
        if already:
            return dispatch
        dispatch.status = DispatchStatus.DECLINED
        dispatch.save(update_fields=["status"])
        status = _after_dispatch_ended(dispatch.incident, now)
        record_event(
            dispatch.incident,
            IncidentEvent.Type.DECLINED,
            actor=actor,
            responder=actor.pk,
            dispatch=dispatch.pk,
            **_status_change(status),
        )
    return dispatch


def expire_dispatch(*, dispatch: Dispatch, now: datetime | None = None) -> bool:
    """Expire a request nobody acknowledged in time (the periodic task calls this).

    Claimed with a conditional update, so running twice, or racing the responder's
    own acknowledgement, does no harm. Returns whether this call expired it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        Incident.objects.select_for_update().filter(pk=dispatch.incident_id).first()
        claimed = Dispatch.objects.filter(
            pk=dispatch.pk, status=DispatchStatus.REQUESTED, acknowledge_by__lt=now
        ).update(status=DispatchStatus.EXPIRED)
        if claimed != 1:
            return False
        dispatch = Dispatch.objects.select_related("incident").get(pk=dispatch.pk)
        status = _after_dispatch_ended(dispatch.incident, now)
        record_event(
            dispatch.incident,
            IncidentEvent.Type.EXPIRED,
            responder=dispatch.responder_id,
            dispatch=dispatch.pk,
            **_status_change(status),
        )
    return True


# Verification ----------------------------------------------------------------------------
