"""An incident's life after its reports: closing, reopening, merging, splitting and
the public label."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vecinos.accounts.models import User
from vecinos.core import geo, service_area
from vecinos.core.errors import InvalidInput, InvalidTransition
from vecinos.core.text import text_problem
from vecinos.reports.actions.common import (
    ACTIVE_DISPATCH,
    MAX_PUBLIC_LABEL,
    _locked,
    _require_dispatcher,
    _status_label,
)
from vecinos.reports.actions.summary import refresh_incident
from vecinos.reports.events import record_event
from vecinos.reports.models import (
    Dispatch,
    DispatchStatus,
    Incident,
    IncidentEvent,
    IncidentStatus,
    Report,
    Verification,
)


def _end_open_dispatches(incident: Incident) -> int:
    return Dispatch.objects.filter(incident=incident, status__in=ACTIVE_DISPATCH).update(
        status=DispatchStatus.EXPIRED
    )


def _close(incident: Incident, *, actor: User | None, now: datetime, reason: str) -> Incident:
    previous = incident.status
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = now
    incident.updated_at = now
    incident.save(update_fields=["status", "closed_at", "updated_at"])
    ended = _end_open_dispatches(incident)
    record_event(
        incident,
        IncidentEvent.Type.CLOSED,
        actor=actor,
        previous=previous,
        reason=reason,
        dispatches_ended=ended,
    )
    return incident


def close_incident(*, incident: Incident, actor: User) -> Incident:
    """A dispatcher closes an incident, whatever it was; open dispatches end."""
    _require_dispatcher(actor)
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status == IncidentStatus.CLOSED:
            raise InvalidTransition(_("This incident is already closed."))
        return _close(incident, actor=actor, now=timezone.now(), reason="dispatcher")


def close_quiet_incident(*, incident: Incident, now: datetime | None = None) -> bool:
    """Close an incident with no report and no change for ``INCIDENT_QUIET_HOURS``
    (the periodic task calls this). The condition is checked again under the lock, so
    a report that arrived meanwhile keeps it open. Returns whether it was closed."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.INCIDENT_QUIET_HOURS)
    with transaction.atomic():
        incident = _locked(incident)
        if (
            incident.status == IncidentStatus.CLOSED
            or incident.last_seen_at >= cutoff
            or incident.updated_at >= cutoff
        ):
            return False
        _close(incident, actor=None, now=now, reason="quiet")
    return True


def reopen_incident(*, incident: Incident, actor: User) -> Incident:
    """A dispatcher reopens a closed incident. It returns to its last outcome if it
    was checked, else to new (dispatches ended when it closed)."""
    _require_dispatcher(actor)
    now = timezone.now()
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status != IncidentStatus.CLOSED:
            raise InvalidTransition(
                _("Only a closed incident can be reopened; this one is %(status)s.")
                % {"status": _status_label(incident.status)}
            )
        if incident.merged_into_id is not None:
            raise InvalidTransition(
                _("This incident was merged into another one; open that one instead.")
            )
        if incident.aggregated_at is not None:
            raise InvalidTransition(
                _("This incident is older than the retention period and cannot be reopened.")
            )
        last = (
            Verification.objects.filter(incident=incident)
            .order_by("-created_at", "-id")
            .values_list("outcome", flat=True)
            .first()
        )
        incident.status = last or IncidentStatus.NEW
        incident.closed_at = None
        incident.updated_at = now
        incident.save(update_fields=["status", "closed_at", "updated_at"])
        record_event(incident, IncidentEvent.Type.REOPENED, actor=actor, status=incident.status)
    return incident


def merge_incidents(*, source: Incident, into: Incident, actor: User) -> Incident:
    """Fold ``source`` into ``into``: the same event, reported twice.

    1. Lock both rows (in a fixed order, so two opposite merges cannot deadlock).
    2. Move every report of ``source`` to ``into``, and ``source``'s live dispatches
       too (unless that responder is already dispatched to ``into``).
    3. Recompute ``into`` (counts, centroid, confidence); ``into`` keeps its status,
       moving from new to dispatched if a live dispatch came with the reports.
    4. Close ``source`` with ``merged_into = into``; earlier merges into ``source``
       now point at ``into``. Both timelines get a row.
    """
    _require_dispatcher(actor)
    if source.pk == into.pk:
        raise InvalidInput(_("An incident cannot be merged into itself."))
    now = timezone.now()
    with transaction.atomic():
        locked = {
            i.pk: i
            for i in Incident.objects.select_for_update()
            .filter(pk__in=[source.pk, into.pk])
            .order_by("pk")
        }
        source, into = locked[source.pk], locked[into.pk]
        for incident in (source, into):
            if incident.status == IncidentStatus.CLOSED:
                raise InvalidTransition(
                    _("Incident %(id)s is closed; reopen it before merging.")
                    % {"id": incident.pk.hex[:8]}
                )
        moved = Report.objects.filter(incident=source).update(incident=into)
        taken = set(Dispatch.objects.filter(incident=into).values_list("responder_id", flat=True))
        live_dispatches = Dispatch.objects.filter(incident=source, status__in=ACTIVE_DISPATCH)
        carried = live_dispatches.exclude(responder_id__in=taken).update(incident=into)
        _end_open_dispatches(source)
        Incident.objects.filter(merged_into=source).update(merged_into=into)
        refresh_incident(into, now=now, new_agencies=source.agencies or [])
        if carried and into.status == IncidentStatus.NEW:
            into.status = IncidentStatus.DISPATCHED
            into.save(update_fields=["status"])
        previous = source.status
        source.merged_into = into
        source.status = IncidentStatus.CLOSED
        source.closed_at = now
        source.report_count = 0
        source.source_count = 0
        source.updated_at = now
        source.save()
        record_event(
            source,
            IncidentEvent.Type.MERGED,
            actor=actor,
            into=str(into.pk),
            reports=moved,
            previous=previous,
        )
        record_event(
            into,
            IncidentEvent.Type.MERGED,
            actor=actor,
            source=str(source.pk),
            reports=moved,
            dispatches=carried,
        )
    return into


def split_report(*, report: Report, actor: User) -> Incident:
    """Move one report out of its incident into a new incident of its own (the
    clustering joined two events that are not one). Both incidents are recomputed
    and both timelines get a row. Returns the new incident."""
    _require_dispatcher(actor)
    now = timezone.now()
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        old = _locked(report.incident)
        if old.status == IncidentStatus.CLOSED:
            raise InvalidTransition(
                _("This incident is closed; reopen it before moving reports out.")
            )
        if Report.objects.filter(incident=old).count() < 2:
            raise InvalidTransition(
                _("This is the incident's only report; there is nothing to split from.")
            )
        new = Incident.objects.create(
            kind=report.kind,
            status=IncidentStatus.NEW,
            lat=report.lat,
            lng=report.lng,
            cell=report.cell,
            needs_location=report.cell is None,
            first_seen_at=report.observed_at,
            last_seen_at=report.observed_at,
            created_at=now,
            updated_at=now,
            is_demo=report.is_demo,
        )
        report.incident = new
        report.save(update_fields=["incident"])
        refresh_incident(new, now=now, new_agencies=report.agencies or [])
        refresh_incident(old, now=now)
        record_event(
            old, IncidentEvent.Type.SPLIT, actor=actor, report=str(report.pk), to=str(new.pk)
        )
        record_event(
            new,
            IncidentEvent.Type.OPENED,
            actor=actor,
            report=str(report.pk),
            split_from=str(old.pk),
        )
    return new


def set_public_label(*, incident: Incident, label: str, actor: User) -> Incident:
    """Set the words the public pages use for the incident's place ("Cesar Chavez Ave &
    Soto St"). Staff write it: reporter text is never published."""
    _require_dispatcher(actor)
    label = " ".join((label or "").split())
    if problem := text_problem(label):
        raise InvalidInput(problem)
    if len(label) > MAX_PUBLIC_LABEL:
        raise InvalidInput(
            _("The public label can be at most %(max)s characters.") % {"max": MAX_PUBLIC_LABEL}
        )
    with transaction.atomic():
        incident = _locked(incident)
        if incident.public_label == label:
            return incident
        incident.public_label = label
        incident.updated_at = timezone.now()
        incident.save(update_fields=["public_label", "updated_at"])
        record_event(incident, IncidentEvent.Type.LABELLED, actor=actor, label=label)
    return incident


def locate_incident(
    *, incident: Incident, lat: float, lng: float, actor: User, place: str = ""
) -> Incident:
    """A dispatcher places on the map an incident whose reports gave only words (an SMS
    naming no place we know, a form sent without a map point), or moves one whose
    point was wrong: its point and cell are set and it no longer needs a location, so
    it can be dispatched to responders nearby, shown on the public map once
    confirmed, and alerted. The reports keep what they said.

    ``place`` names the known place picked (vecinos/reports/places.py): the timeline
    says which, and an incident without a public label takes it as its label, so the
    alert's place is prefilled."""
    _require_dispatcher(actor)
    place = " ".join((place or "").split())
    label = place if place and not text_problem(place) and len(place) <= MAX_PUBLIC_LABEL else ""
    for value, low, high, name in ((lat, -90, 90, _("Latitude")), (lng, -180, 180, _("Longitude"))):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not low <= value <= high
        ):
            raise InvalidInput(
                _("%(name)s must be a number from %(low)s to %(high)s.")
                % {"name": name, "low": low, "high": high}
            )
    with transaction.atomic():
        incident = _locked(incident)
        if incident.merged_into_id is not None:
            raise InvalidTransition(
                _("This incident was merged into another one; open that one instead.")
            )
        cell = geo.cell_for(lat, lng)
        incident.lat, incident.lng, incident.cell = float(lat), float(lng), cell
        incident.needs_location = False
        incident.outside_service_area = not service_area.covers(lat, lng)
        incident.updated_at = timezone.now()
        incident.save(
            update_fields=[
                "lat",
                "lng",
                "cell",
                "needs_location",
                "outside_service_area",
                "updated_at",
            ]
        )
        located = {"cell": f"{cell:x}", **({"place": label} if label else {})}
        record_event(incident, IncidentEvent.Type.LOCATED, actor=actor, **located)
        if label and not incident.public_label:
            incident.public_label = label
            incident.save(update_fields=["public_label"])
            record_event(incident, IncidentEvent.Type.LABELLED, actor=actor, label=label)
    return incident
