"""Writes to alerts: draft, approve (and publish), retract or give the all-clear, cancel.

Every function takes the acting dispatcher by keyword, runs under
``transaction.atomic``, writes an ``AlertEvent`` row per state change, and leaves side
effects (waking the delivery workers, live updates to the consoles) to
``transaction.on_commit``.

The two-person rule. A draft goes out only when ``ALERT_APPROVALS_REQUIRED`` distinct
people have stood behind it: the drafter counts as one, and each approval by another
dispatcher adds one. With the default of 2, a second dispatcher must approve; the
drafter's own approval is refused. With 1 (the one-committee setting, for an install
with a single dispatcher on duty) the drafter must still press "approve" as a second,
deliberate step, and that publishes.

Retractions and all-clears without a note are published at once by a single
dispatcher, without a second approval: they can only reduce harm (they go to exactly
the people the original reached, and say "ignore it" or "it is over", in fixed words),
and every minute a false alarm stands, people stay home from work or school. Waiting
for a second person would make the correction slower than the mistake. A follow-up
that carries a ``note`` is free text to every recipient of the original, so it needs
the same approvals as an alert: it waits as a draft, and publishing it (the last
approval) retracts the original.

An alert lives ``ALERT_TTL_HOURS`` from publication; then it is ``expired``
(``expire_alerts``, every minute). Only an admin may issue a correction to an expired
alert: otherwise a retraction would be a way for one person to message every
recipient of any old alert, forever.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vecinos.accounts.access import require_role
from vecinos.accounts.models import Role, User
from vecinos.alerts.events import record_event
from vecinos.alerts.fanout import fan_out
from vecinos.alerts.models import (
    Alert,
    AlertApproval,
    AlertKind,
    AlertStatus,
)
from vecinos.core import geo
from vecinos.core.errors import ActionRefused
from vecinos.core.text import text_problem
from vecinos.reports import events as incident_events
from vecinos.reports.models import Incident, IncidentEvent, IncidentStatus

MIN_RADIUS_KM = 0.2
MAX_RADIUS_KM = 25.0
DEFAULT_RADIUS_KM = 2.0
MAX_NOTE = 140
MAX_REASON = 280
MAX_PLACE_LABEL = 120
# A retraction or all-clear stays on the public alerts page (pinned at the top) and
# its deliveries are retried this long: longer than an alert, so that someone who saw
# the alarm late still finds the correction.
FOLLOWUP_HOURS = 24
FOLLOWUP_KINDS = (AlertKind.RETRACTION, AlertKind.ALL_CLEAR)
# What a follow-up may correct: an alert in force, or (by an admin) one that expired.
CORRECTABLE = (AlertStatus.PUBLISHED, AlertStatus.EXPIRED)


class AlertRefused(ActionRefused):
    """The action cannot be done in the current state (the API answers 409)."""

    @property
    def status(self) -> int:
        return self.status_code


class InvalidAlert(AlertRefused):
    """A value is out of range or not plain text (422)."""

    status_code = 422


class ApprovalRefused(AlertRefused):
    """This person may not approve this alert (403): the drafter, under the two-person
    rule."""

    status_code = 403


class EventType:
    DRAFTED = "drafted"
    APPROVED = "approved"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    RETRACTED = "retracted"
    EXPIRED = "expired"


# Checks ----------------------------------------------------------------------------------


def plain_text(value: object, *, field: str, limit: int, required: bool = False) -> str:
    """``value`` as one line of plain text (runs of spaces and line breaks become one
    space), or ``InvalidAlert`` naming ``field``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidAlert(_("Enter text."), field=field)
    text = " ".join(value.replace("\r", " ").replace("\n", " ").replace("\t", " ").split())
    if problem := text_problem(text, lines=False):
        raise InvalidAlert(problem, field=field)
    if len(text) > limit:
        raise InvalidAlert(_("Use at most %(limit)s characters.") % {"limit": limit}, field=field)
    if required and not text:
        raise InvalidAlert(_("This field is required."), field=field)
    return text


def check_radius(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidAlert(_("Enter the radius in kilometres."), field="radius_km")
    radius = float(value)
    if not math.isfinite(radius) or not MIN_RADIUS_KM <= radius <= MAX_RADIUS_KM:
        raise InvalidAlert(
            _("The radius must be from %(min)s to %(max)s km.")
            % {"min": MIN_RADIUS_KM, "max": int(MAX_RADIUS_KM)},
            field="radius_km",
        )
    return radius


def required_approvals() -> int:
    return max(1, int(settings.ALERT_APPROVALS_REQUIRED))


# Helpers ---------------------------------------------------------------------------------


def _id_range(prefix: str) -> tuple[uuid.UUID, uuid.UUID]:
    return uuid.UUID(prefix + "0" * (32 - len(prefix))), uuid.UUID(
        prefix + "f" * (32 - len(prefix))
    )


def fresh_alert_id() -> uuid.UUID:
    """A random id whose short code (its first 40 bits, ``messages.short_code``) no
    other alert has, so every short link names exactly one alert. A collision is
    about one in a trillion per pair; the loop is a guarantee, not a workaround."""
    while True:
        candidate = uuid.uuid4()
        low, high = _id_range(candidate.hex[:10])
        if not Alert.objects.filter(pk__gte=low, pk__lte=high).exists():
            return candidate


def alert_centre(incident: Incident) -> tuple[float, float]:
    """The centre of an alert's circle: the centre of the incident's H3 cell, not the
    centroid of its reports. The circle is published (public pages, CAP), and with a
    single report the centroid is where that reporter stood; the cell centre is as
    coarse as the public map (within about 0.5 km, nothing at a 2 km radius)."""
    assert incident.lat is not None and incident.lng is not None  # noqa: S101
    cell = incident.cell if incident.cell is not None else geo.cell_for(incident.lat, incident.lng)
    lat, lng = geo.cell_center(cell)
    return float(lat), float(lng)


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().select_related("incident").get(pk=alert.pk)


def _locked_draft(alert: Alert, refusal: str) -> Alert:
    """The alert locked, still a draft waiting for approval; else ``refusal`` (with its
    ``%(status)s``) says what it is now."""
    alert = _locked(alert)
    if alert.status != AlertStatus.PENDING_APPROVAL:
        raise AlertRefused(refusal % {"status": AlertStatus(alert.status).label.lower()})
    return alert


def _ttl() -> timedelta:
    return timedelta(hours=int(settings.ALERT_TTL_HOURS))


# Actions ---------------------------------------------------------------------------------


def draft_alert(
    *,
    incident: Incident,
    radius_km: float = DEFAULT_RADIUS_KM,
    note: str = "",
    test: bool = False,
    place_label: str | None = None,
    actor: User,
) -> Alert:
    """A draft alert for a confirmed incident: a circle of ``radius_km`` around the
    incident's centre (and the H3 cells it covers), the incident's kind, the public
    place label (``place_label``, plain text, at most 120 characters; None: the
    incident's; "": no place, and messages say "in your area"), the dispatcher's
    optional ``note`` (plain text, at most 140 characters, sent verbatim). ``test``:
    a test-mode alert, delivered only to the console transport and never shown on
    the public pages or feeds."""
    require_role(actor, Role.DISPATCHER)
    radius = check_radius(radius_km)
    clean_note = plain_text(note, field="note", limit=MAX_NOTE)
    clean_label = (
        None
        if place_label is None
        else plain_text(place_label, field="place_label", limit=MAX_PLACE_LABEL)
    )
    if not isinstance(test, bool):
        raise InvalidAlert(_("Test mode is yes or no."), field="test")
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status != IncidentStatus.CONFIRMED:
            raise AlertRefused(
                _(
                    "Only a confirmed incident can be alerted; this one is %(status)s. "
                    "Record a confirmed outcome first."
                )
                % {"status": IncidentStatus(incident.status).label}
            )
        alert = unsaved_alert(
            incident, radius=radius, note=clean_note, place_label=clean_label, test=test
        )
        alert.created_by = actor
        alert.save(force_insert=True)
        record_event(
            alert,
            EventType.DRAFTED,
            actor=actor,
            radius_km=radius,
            cells=len(alert.cells),
            test=test,
        )
    return alert


def unsaved_alert(
    incident: Incident, *, radius: float, note: str, place_label: str | None, test: bool
) -> Alert:
    """The alert a draft of ``incident`` is, not saved: the draft itself and its
    preview (alerts/views.py). ``radius``, ``note`` and ``place_label`` are already
    checked; the incident must have a place on the map."""
    if incident.lat is None or incident.lng is None:
        raise AlertRefused(_("This incident has no place on the map to alert around."))
    now = timezone.now()
    lat, lng = alert_centre(incident)
    return Alert(
        id=fresh_alert_id(),
        incident=incident,
        kind=AlertKind.ALERT,
        status=AlertStatus.PENDING_APPROVAL,
        incident_kind=incident.kind,
        lat=lat,
        lng=lng,
        radius_km=radius,
        cells=sorted(geo.cells_within(lat, lng, radius)),
        place_label=incident.public_label if place_label is None else place_label,
        note=note,
        is_test=test,
        created_at=now,
        expires_at=now + _ttl(),
        is_demo=incident.is_demo,
    )


def _publish(alert: Alert, *, actor: User, now: datetime) -> int:
    alert.status = AlertStatus.PUBLISHED
    alert.published_at = now
    # The alert's life starts when it goes out, not when it was drafted.
    alert.expires_at = now + (_followup_life() if alert.kind in FOLLOWUP_KINDS else _ttl())
    alert.save(update_fields=["status", "published_at", "expires_at"])
    if alert.kind in FOLLOWUP_KINDS:
        _retract_original(alert, actor=actor, now=now)
    created = fan_out(alert=alert)
    record_event(alert, EventType.PUBLISHED, actor=actor, deliveries=created)
    return created


def _followup_life() -> timedelta:
    return max(_ttl(), timedelta(hours=FOLLOWUP_HOURS))


def _retract_original(followup: Alert, *, actor: User, now: datetime) -> None:
    """The original of a follow-up going out becomes retracted."""
    original = _locked(followup.original)  # type: ignore[arg-type]
    if original.status not in CORRECTABLE:
        raise AlertRefused(
            _("The original alert is %(status)s; this follow-up cannot go out.")
            % {"status": AlertStatus(original.status).label.lower()}
        )
    original.status = AlertStatus.RETRACTED
    original.retracted_at = now
    original.save(update_fields=["status", "retracted_at"])
    record_event(
        original,
        EventType.RETRACTED,
        actor=actor,
        kind=followup.kind,
        followup=str(followup.pk),
        reason=followup.reason,
    )
    if followup.kind == AlertKind.RETRACTION and not original.is_test:
        # "Sent in error": what the alert said is withdrawn, and so is the map's
        # "confirmed" for the same incident, until someone confirms it again
        # (reports.queries.public_confirmed). An all-clear leaves the map alone:
        # the raid happened and is over.
        incident_events.record_event(
            original.incident,
            IncidentEvent.Type.WITHDRAWN,
            actor=actor,
            alert=str(original.pk),
        )


def _expire(alert: Alert, *, now: datetime) -> bool:
    """Mark one published alert whose time in force is over as expired (its event
    row too). Conditional, so two workers expiring at once write it once."""
    done = Alert.objects.filter(
        pk=alert.pk, status=AlertStatus.PUBLISHED, expires_at__lte=now
    ).update(status=AlertStatus.EXPIRED)
    if done:
        alert.status = AlertStatus.EXPIRED
        record_event(alert, EventType.EXPIRED, actor=None)
    return bool(done)


def expire_alerts(*, now: datetime | None = None) -> int:
    """Every published alert (or follow-up) past its time in force becomes
    ``expired``. Run every minute by the worker; safe to overlap. Returns how many."""
    now = now or timezone.now()
    expired = 0
    due = Alert.objects.filter(status=AlertStatus.PUBLISHED, expires_at__lte=now).order_by("pk")
    for alert in due[:1000]:
        with transaction.atomic():
            expired += _expire(alert, now=now)
    return expired


def approve_alert(*, alert: Alert, actor: User) -> Alert:
    """Approve a draft; publish it (and fan it out) once the two-person rule is met:
    ``ALERT_APPROVALS_REQUIRED`` distinct people, the drafter included. See the module
    docstring."""
    require_role(actor, Role.DISPATCHER)
    required = required_approvals()
    with transaction.atomic():
        alert = _locked_draft(
            alert, _("This alert is %(status)s; only a draft waiting for approval can be approved.")
        )
        if alert.created_by_id == actor.pk and required > 1:
            raise ApprovalRefused(_("You drafted this alert: another dispatcher must approve it."))
        if AlertApproval.objects.filter(alert=alert, approver=actor).exists():
            raise AlertRefused(_("You have already approved this alert."))
        if alert.kind == AlertKind.ALERT and alert.incident.status != IncidentStatus.CONFIRMED:
            raise AlertRefused(
                _("The incident is no longer confirmed (it is now %(status)s). Cancel this draft.")
                % {"status": IncidentStatus(alert.incident.status).label}
            )
        AlertApproval.objects.create(alert=alert, approver=actor)
        record_event(alert, EventType.APPROVED, actor=actor)
        people = set(
            AlertApproval.objects.filter(alert=alert).values_list("approver_id", flat=True)
        )
        if alert.created_by_id is not None:
            people.add(alert.created_by_id)
        if len(people) >= required:
            _publish(alert, actor=actor, now=timezone.now())
    return alert


def retract_alert(
    *,
    alert: Alert,
    reason: str,
    actor: User,
    kind: str = AlertKind.RETRACTION,
    note: str = "",
) -> Alert:
    """Withdraw a published alert (``kind="retraction"``: it was sent in error) or end
    it (``kind="all_clear"``) with a follow-up alert that reaches exactly the
    original's recipients, each in their language (fan-out follows ``original``).
    ``reason`` is for the console and the audit log; ``note`` (optional, plain, at
    most 140 characters) is sent with the follow-up.

    1. Without a note the follow-up is published at once and the original becomes
       retracted. With a note, it is a draft waiting for the approvals an alert needs
       (``approve_alert``), and the original is retracted when it goes out.
    2. An alert past its time in force is expired (marked so here if the minute's
       job has not yet): only an admin may issue a correction to it.
    Returns the follow-up."""
    require_role(actor, Role.DISPATCHER)
    if kind not in FOLLOWUP_KINDS:
        raise InvalidAlert(_("Choose a retraction or an all-clear."), field="kind")
    clean_reason = plain_text(reason, field="reason", limit=MAX_REASON, required=True)
    clean_note = plain_text(note, field="note", limit=MAX_NOTE)
    with transaction.atomic():
        original = _locked(alert)
        now = timezone.now()
        if original.kind != AlertKind.ALERT:
            raise AlertRefused(_("A retraction or all-clear cannot itself be retracted."))
        expires_at = original.expires_at
        if original.status == AlertStatus.PUBLISHED and expires_at and expires_at <= now:
            _expire(original, now=now)
        if original.status not in CORRECTABLE:
            raise AlertRefused(
                _("Only a published alert can be retracted; this one is %(status)s.")
                % {"status": AlertStatus(original.status).label.lower()}
            )
        if original.status == AlertStatus.EXPIRED and actor.role != Role.ADMIN:
            raise AlertRefused(
                _("This alert is over (expired). Only an admin can issue a correction to it.")
            )
        waits = bool(clean_note) and required_approvals() > 1
        followup = Alert(
            id=fresh_alert_id(),
            incident_id=original.incident_id,
            kind=kind,
            original=original,
            status=AlertStatus.PENDING_APPROVAL,
            incident_kind=original.incident_kind,
            lat=original.lat,
            lng=original.lng,
            radius_km=original.radius_km,
            cells=original.cells,
            place_label=original.place_label,
            note=clean_note,
            reason=clean_reason,
            is_test=original.is_test,
            created_by=actor,
            created_at=now,
            expires_at=now + _followup_life(),
            is_demo=original.is_demo,
        )
        followup.save(force_insert=True)
        record_event(followup, EventType.DRAFTED, actor=actor, kind=kind, note=bool(clean_note))
        if not waits:
            AlertApproval.objects.create(alert=followup, approver=actor, created_at=now)
            followup.status = AlertStatus.PUBLISHED
            followup.published_at = now
            followup.save(update_fields=["status", "published_at"])
            _retract_original(followup, actor=actor, now=now)
            created = fan_out(alert=followup)
            record_event(
                followup,
                EventType.PUBLISHED,
                actor=actor,
                deliveries=created,
                single_approval=True,
            )
    return followup


def cancel_alert(*, alert: Alert, actor: User, reason: str = "") -> Alert:
    """Drop a draft before it is published (any dispatcher may: it only stops a
    message from going out)."""
    require_role(actor, Role.DISPATCHER)
    clean_reason = plain_text(reason, field="reason", limit=MAX_REASON)
    with transaction.atomic():
        alert = _locked_draft(alert, _("This alert is %(status)s; only a draft can be cancelled."))
        alert.status = AlertStatus.CANCELLED
        if clean_reason:
            alert.reason = clean_reason
        alert.save(update_fields=["status", "reason"])
        record_event(alert, EventType.CANCELLED, actor=actor, reason=clean_reason)
    return alert
