"""The staff API for incidents (``Authorization: Bearer <token>``).

- ``GET /incidents?status=...``: dispatchers and admins see every incident,
  responders only those they were sent to;
- ``GET /incidents/{id}``: one incident with its reports, dispatches, outcomes and
  timeline;
- ``POST /incidents/{id}/dispatch`` ``{"responders": [usernames]}``: dispatchers;
- ``POST /incidents/{id}/verify`` ``{"outcome", "notes", "vehicles", "officers"}``:
  a responder sent to the incident, or a dispatcher;
- ``POST /incidents/{id}/merge`` ``{"into": "<incident id>"}``: dispatchers.

No token or a bad one: 401. A role that may never do it (a coordinator, say): 403. An
incident outside the user's reach, or that does not exist: 404, the same answer, so
nobody learns about incidents that are not theirs. A refused state change: 409 with
the reason. Unknown fields and bad values: 422 naming them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AfterValidator, ConfigDict, Field, StrictStr

from vecinos.accounts.access import Forbidden
from vecinos.accounts.models import Role, User
from vecinos.api.auth import TokenAuth
from vecinos.api.errors import BODY_ERRORS, STAFF_ERRORS, field_error, refused, require_staff
from vecinos.reports import actions, queries
from vecinos.reports.models import Incident, IncidentStatus
from vecinos.reports.queries import get_incident_for_user

router = Router(tags=["incidents"], auth=TokenAuth())

MAX_RESPONDERS = 50
# Django's usernames are at most 150 characters.
MAX_USERNAME = 150


# Schemas ------------------------------------------------------------------------------------


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


def _plain_text(value: str) -> str:
    # NUL and lone surrogates would reach the database: SQLite keeps a NUL, PostgreSQL
    # refuses it, and a lone surrogate cannot even be encoded for the query.
    if problem := actions.text_problem(value):
        raise ValueError(problem)
    return value


Username = Annotated[StrictStr, Field(max_length=MAX_USERNAME), AfterValidator(_plain_text)]


class DispatchIn(Strict):
    responders: Annotated[list[Username], Field(min_length=1, max_length=MAX_RESPONDERS)]


class VerifyIn(Strict):
    outcome: Literal["confirmed", "unconfirmed", "false"]
    notes: Annotated[
        StrictStr, Field(max_length=actions.MAX_VERIFICATION_NOTES), AfterValidator(_plain_text)
    ] = ""
    vehicles: Annotated[int, Field(strict=True, ge=0, le=actions.MAX_VEHICLES)] | None = None
    officers: Annotated[int, Field(strict=True, ge=0, le=actions.MAX_OFFICERS)] | None = None


class MergeIn(Strict):
    into: Annotated[StrictStr, Field(max_length=64)]


class IncidentOut(Schema):
    id: str
    kind: str
    status: str
    lat: float | None
    lng: float | None
    cell: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    report_count: int
    source_count: int
    confidence: int
    needs_location: bool
    public_label: str
    agencies: list[str]
    merged_into: str | None
    verified_at: datetime | None
    closed_at: datetime | None


class ReportOut(Schema):
    id: str
    kind: str
    lat: float | None
    lng: float | None
    place: str
    description: str
    has_photo: bool
    observed_at: datetime
    received_at: datetime
    agencies: list[str]
    vehicles: int | None
    officers: int | None
    language: str
    channel: str


class DispatchOut(Schema):
    responder: str
    status: str
    created_at: datetime
    acknowledge_by: datetime | None
    acknowledged_at: datetime | None
    completed_at: datetime | None


class VerificationOut(Schema):
    outcome: str
    notes: str
    vehicles: int | None
    officers: int | None
    verified_by: str | None
    created_at: datetime


class EventOut(Schema):
    type: str
    actor: str | None
    data: dict[str, Any]
    created_at: datetime


class IncidentDetailOut(IncidentOut):
    reports: list[ReportOut]
    dispatches: list[DispatchOut]
    verifications: list[VerificationOut]
    timeline: list[EventOut]


# Helpers ------------------------------------------------------------------------------------


def _incident(incident: Incident) -> dict[str, Any]:
    return {
        "id": str(incident.pk),
        "kind": incident.kind,
        "status": incident.status,
        "lat": incident.lat,
        "lng": incident.lng,
        "cell": f"{incident.cell:x}" if incident.cell is not None else None,
        "first_seen_at": incident.first_seen_at,
        "last_seen_at": incident.last_seen_at,
        "report_count": incident.report_count,
        "source_count": incident.source_count,
        "confidence": incident.confidence,
        "needs_location": incident.needs_location,
        "public_label": incident.public_label,
        "agencies": list(incident.agencies or []),
        "merged_into": str(incident.merged_into_id) if incident.merged_into_id else None,
        "verified_at": incident.verified_at,
        "closed_at": incident.closed_at,
    }


def _with_names(data: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    """Event data as stored (ids), with the responder's name beside their id."""
    if isinstance(data.get("responder"), int):
        return {**data, "responder_username": names.get(data["responder"])}
    return data


def _namer(viewer: User) -> Callable[[User | None], str | None]:
    """How people are named to ``viewer``: dispatchers and admins, who dispatch by
    username, see usernames; anyone else (a responder) sees display names, so a
    responder never learns the sign-in name of a dispatcher or of another responder
    (their own, they know)."""

    def name(person: User | None) -> str | None:
        if person is None:
            return None
        if viewer.is_dispatcher or person.pk == viewer.pk:
            return person.username
        return person.shown_name

    return name


def _detail(incident: Incident, viewer: User) -> dict[str, Any]:
    name = _namer(viewer)
    events = list(queries.incident_timeline(incident))
    names = queries.usernames_in(events)
    if not viewer.is_dispatcher:
        people = User.objects.filter(pk__in=list(names))
        names = {person.pk: name(person) or "" for person in people}
    return {
        **_incident(incident),
        "reports": [
            {
                "id": str(report.pk),
                "kind": report.kind,
                "lat": report.lat,
                "lng": report.lng,
                "place": report.place,
                "description": report.description,
                "has_photo": bool(report.photo),
                "observed_at": report.observed_at,
                "received_at": report.received_at,
                "agencies": list(report.agencies or []),
                "vehicles": report.vehicles,
                "officers": report.officers,
                "language": report.language,
                "channel": report.channel,
            }
            for report in queries.incident_reports(incident)
        ],
        "dispatches": [
            {
                "responder": name(dispatch.responder),
                "status": dispatch.status,
                "created_at": dispatch.created_at,
                "acknowledge_by": dispatch.acknowledge_by,
                "acknowledged_at": dispatch.acknowledged_at,
                "completed_at": dispatch.completed_at,
            }
            for dispatch in queries.incident_dispatches(incident)
        ],
        "verifications": [
            {
                "outcome": verification.outcome,
                "notes": verification.notes,
                "vehicles": verification.vehicles,
                "officers": verification.officers,
                "verified_by": name(verification.verified_by),
                "created_at": verification.created_at,
            }
            for verification in queries.incident_verifications(incident)
        ],
        "timeline": [
            {
                "type": event.type,
                "actor": name(event.actor),
                "data": _with_names(event.data or {}, names),
                "created_at": event.created_at,
            }
            for event in events
        ],
    }


def _statuses(raw: list[str] | None) -> list[str]:
    """``?status=new&status=dispatched`` or ``?status=new,dispatched``."""
    wanted = [part.strip() for item in raw or [] for part in item.split(",") if part.strip()]
    unknown = sorted(set(wanted) - set(IncidentStatus.values))
    if unknown:
        raise NinjaValidationError(
            [
                {
                    "loc": ("query", "status"),
                    "msg": _("Unknown status: %(names)s. Use one of: %(valid)s.")
                    % {"names": ", ".join(unknown), "valid": ", ".join(IncidentStatus.values)},
                    "type": "value_error",
                }
            ]
        )
    return wanted


# Operations ---------------------------------------------------------------------------------


@router.get(
    "/incidents",
    response={200: list[IncidentOut], **STAFF_ERRORS},
    summary="Incidents you may see, newest first",
)
def list_incidents(
    request: HttpRequest,
    status: Annotated[list[str] | None, Query(description="one or more statuses")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    user = require_staff(request, Role.DISPATCHER, Role.RESPONDER)
    incidents = queries.staff_incidents(user, statuses=_statuses(status), limit=limit)
    return [_incident(incident) for incident in incidents]


@router.get(
    "/incidents/{incident_id}",
    response={200: IncidentDetailOut, **STAFF_ERRORS},
    summary="One incident with its reports and timeline",
)
def get_incident(request: HttpRequest, incident_id: str) -> dict[str, Any]:
    user = require_staff(request, Role.DISPATCHER, Role.RESPONDER)
    return _detail(get_incident_for_user(user, incident_id), user)


@router.post(
    "/incidents/{incident_id}/dispatch",
    response={200: IncidentDetailOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Send responders to check an incident (dispatchers)",
)
def dispatch(request: HttpRequest, incident_id: str, payload: DispatchIn) -> dict[str, Any]:
    user = require_staff(request, Role.DISPATCHER)
    incident = get_incident_for_user(user, incident_id, write=True)
    try:
        people = actions.responders_named(payload.responders)
        actions.dispatch_responders(incident=incident, responders=people, actor=user)
    except actions.ActionRefused as refusal:
        raise refused(refusal, field="responders") from None
    return _detail(Incident.objects.get(pk=incident.pk), user)


@router.post(
    "/incidents/{incident_id}/verify",
    response={200: IncidentDetailOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Record what was found: confirmed, unconfirmed or false",
)
def verify(request: HttpRequest, incident_id: str, payload: VerifyIn) -> dict[str, Any]:
    user = require_staff(request, Role.DISPATCHER, Role.RESPONDER)
    incident = get_incident_for_user(user, incident_id, write=True)
    try:
        actions.verify_incident(
            incident=incident,
            outcome=payload.outcome,
            notes=payload.notes,
            vehicles=payload.vehicles,
            officers=payload.officers,
            actor=user,
        )
    except actions.ActionRefused as refusal:
        raise refused(refusal, field="outcome") from None
    except Forbidden:
        raise HttpError(403, _("Your request for this incident is no longer open.")) from None
    return _detail(Incident.objects.get(pk=incident.pk), user)


@router.post(
    "/incidents/{incident_id}/merge",
    response={200: IncidentDetailOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Merge this incident into another one (dispatchers)",
)
def merge(request: HttpRequest, incident_id: str, payload: MergeIn) -> dict[str, Any]:
    user = require_staff(request, Role.DISPATCHER)
    source = get_incident_for_user(user, incident_id, write=True)
    try:
        into = get_incident_for_user(user, payload.into, write=True)
    except Http404:
        raise field_error("into", _("There is no incident with this id.")) from None
    try:
        merged = actions.merge_incidents(source=source, into=into, actor=user)
    except actions.ActionRefused as refusal:
        raise refused(refusal, field="into") from None
    return _detail(merged, user)
