"""What was found on the ground: the outcome of a check, and its corrections."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vecinos.accounts.access import Forbidden
from vecinos.accounts.models import Role, User
from vecinos.core.text import text_problem
from vecinos.reports.actions.common import (
    ACTIVE_DISPATCH,
    CORRECTIONS,
    MAX_VERIFICATION_NOTES,
    VERIFIABLE,
    InvalidInput,
    InvalidTransition,
    _locked,
    _status_label,
)
from vecinos.reports.actions.intake import MAX_OFFICERS, MAX_VEHICLES
from vecinos.reports.events import record_event
from vecinos.reports.models import (
    Dispatch,
    DispatchStatus,
    Incident,
    IncidentEvent,
    IncidentStatus,
    Outcome,
    Verification,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _check_count(value: int | None, maximum: int, field: StrOrPromise) -> None:
    if value is not None and not (isinstance(value, int) and 0 <= value <= maximum):
        raise InvalidInput(
            _("%(field)s must be a whole number from 0 to %(max)s.")
            % {"field": field, "max": maximum}
        )


def verify_incident(
    *,
    incident: Incident,
    outcome: str,
    notes: str = "",
    vehicles: int | None = None,
    officers: int | None = None,
    actor: User,
) -> Verification:
    """Record what was found on the ground: confirmed, unconfirmed or false.

    A responder with a live dispatch to the incident, or a dispatcher, records the
    outcome of a new or dispatched incident. Once checked, only a dispatcher changes
    it, and only as a correction: confirmed to false, or unconfirmed to confirmed or
    false. The responder's dispatch is completed.
    """
    if outcome not in Outcome.values:
        raise InvalidInput(
            _("The outcome must be confirmed, unconfirmed or false, not %(outcome)s.")
            % {"outcome": str(outcome)[:40]}
        )
    notes = (notes or "").strip()
    if problem := text_problem(notes):
        raise InvalidInput(problem)
    if len(notes) > MAX_VERIFICATION_NOTES:
        raise InvalidInput(
            _("Notes can be at most %(max)s characters.") % {"max": MAX_VERIFICATION_NOTES}
        )
    _check_count(vehicles, MAX_VEHICLES, _("Vehicles"))
    _check_count(officers, MAX_OFFICERS, _("Officers"))
    if not actor.is_authenticated:
        raise Forbidden
    now = timezone.now()
    with transaction.atomic():
        incident = _locked(incident)
        dispatch = None
        if not actor.is_dispatcher:
            dispatch = (
                Dispatch.objects.select_for_update()
                .filter(incident=incident, responder=actor)
                .exclude(status__in=[DispatchStatus.DECLINED, DispatchStatus.EXPIRED])
                .first()
            )
            if actor.role != Role.RESPONDER or dispatch is None:
                raise Forbidden
        previous = incident.status
        correction = previous not in VERIFIABLE
        if previous == IncidentStatus.CLOSED:
            raise InvalidTransition(
                _("This incident is closed. Reopen it before recording an outcome.")
            )
        if correction and previous == outcome:
            raise InvalidTransition(
                _("This incident is already %(status)s.") % {"status": _status_label(previous)}
            )
        if dispatch is not None and dispatch.status not in ACTIVE_DISPATCH and not correction:
            raise InvalidTransition(_("You already filed an outcome for this incident."))
        if correction and dispatch is not None:
            raise InvalidTransition(
                _(
                    "This incident has already been checked (%(status)s). Tell the "
                    "dispatcher what you see."
                )
                % {"status": _status_label(previous)}
            )
        if correction and outcome not in CORRECTIONS.get(previous, frozenset()):
            raise InvalidTransition(
                _("An incident that is %(status)s cannot be changed to %(outcome)s.")
                % {"status": _status_label(previous), "outcome": _status_label(outcome)}
            )
        verification = Verification.objects.create(
            incident=incident,
            verified_by=actor,
            outcome=outcome,
            notes=notes,
            vehicles=vehicles,
            officers=officers,
            created_at=now,
        )
        incident.status = outcome
        incident.verified_at = now
        incident.updated_at = now
        incident.save(update_fields=["status", "verified_at", "updated_at"])
        if dispatch is not None:
            dispatch.status = DispatchStatus.COMPLETED
            dispatch.completed_at = now
            dispatch.save(update_fields=["status", "completed_at"])
        record_event(
            incident,
            IncidentEvent.Type.VERIFIED,
            actor=actor,
            outcome=outcome,
            previous=previous,
            correction=correction,
            verification=verification.pk,
        )
    return verification


# Closing, merging, splitting, labelling -----------------------------------------------------
