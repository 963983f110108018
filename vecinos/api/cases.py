"""The cases API (staff tokens only: case workers, their coordinators, admins; opening
also dispatchers). The same actions and permission-checked getters as the pages:

- ``GET /cases``: the cases the token's owner works on and the intake queue, without
  any personal field;
- ``POST /cases`` ``{"person_name": ..., "family_contact": ..., ...}`` → 201, the case's
  id and reference (a case worker is put on it; a dispatcher does not see it after);
- ``GET /cases/{id}``: the case with its facts (audited like the page);
- ``POST /cases/{id}/state`` ``{"state": "located", "note": ""}``;
- ``POST /cases/{id}/notes`` ``{"text": ...}``;
- ``POST /cases/{id}/locator-checks`` ``{"result": "found", "facility_id": 3, "note": ""}``;
- ``POST /cases/{id}/referrals`` ``{"organization": ..., "follow_up_hours": 48}``;
- ``POST /cases/{id}/hearings`` ``{"kind": "hearing", "at": ISO 8601, "place": ""}``;
- ``POST /cases/{id}/family-updates`` ``{"template": "located", "note": ""}``.

A case outside the user's reach is 404, like one that does not exist; a role that may
not do it 403; a closed case 409; bad values and unknown fields 422 naming them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StrictBool, StrictInt, StrictStr

from vecinos.accounts.access import Forbidden, acting_user
from vecinos.api.auth import TokenAuth
from vecinos.api.errors import BODY_ERRORS, STAFF_ERRORS, refused
from vecinos.cases import actions, phrases, queries
from vecinos.cases.models import (
    Case,
    CaseSource,
    CaseState,
    Facility,
    HearingKind,
    LocatorResult,
)
from vecinos.reports.queries import get_incident_for_user

router = Router(tags=["cases"], auth=TokenAuth())

Short = Annotated[StrictStr, Field(max_length=actions.MAX_SHORT)]
Long = Annotated[StrictStr, Field(max_length=actions.MAX_TEXT)]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class CaseIn(Strict):
    person_name: Annotated[StrictStr, Field(min_length=1, max_length=actions.MAX_SHORT)]
    a_number: Short = ""
    date_of_birth: date | None = None
    person_language: Literal[actions.LANGUAGES] | Literal[""] = ""  # type: ignore[valid-type]
    taken_at: datetime | None = None
    taken_place: Long = ""
    dependents: Long = ""
    medical_needs: Long = ""
    family_name: Short = ""
    family_contact: Short = ""
    family_channel: Literal["sms", "email", ""] = ""
    family_language: Literal[actions.LANGUAGES] = "en"  # type: ignore[valid-type]
    family_updates: StrictBool = False
    incident_id: str | None = None


class StateIn(Strict):
    state: Literal[tuple(CaseState.values)]  # type: ignore[valid-type]
    note: Long = ""


class NoteIn(Strict):
    text: Annotated[StrictStr, Field(min_length=1, max_length=actions.MAX_TEXT)]


class LocatorIn(Strict):
    result: Literal[tuple(LocatorResult.values)]  # type: ignore[valid-type]
    facility_id: StrictInt | None = None
    note: Long = ""


class ReferralIn(Strict):
    organization: Annotated[StrictStr, Field(max_length=160)] = ""
    organization_slug: Annotated[StrictStr, Field(max_length=80)] = ""
    follow_up_hours: Annotated[StrictInt, Field(ge=1, le=336)] = actions.FOLLOW_UP_HOURS


class HearingIn(Strict):
    kind: Literal[tuple(HearingKind.values)]  # type: ignore[valid-type]
    at: datetime
    place: Short = ""


class UpdateIn(Strict):
    template: Literal[phrases.UPDATES]  # type: ignore[valid-type]
    note: Annotated[StrictStr, Field(max_length=300)] = ""


class CaseRowOut(Schema):
    id: str
    reference: str
    state: str
    source: str
    opened_at: datetime
    next_hearing: datetime | None
    open_tasks: int


class CaseListOut(Schema):
    mine: list[CaseRowOut]
    queue: list[CaseRowOut]


class OpenedOut(Schema):
    id: str
    reference: str
    visible: bool


class CaseOut(Schema):
    id: str
    reference: str
    state: str
    outcome: str
    source: str
    incident_id: str | None
    person_name: str
    a_number: str
    date_of_birth: str
    person_language: str
    taken_at: datetime | None
    taken_place: str
    dependents: str
    medical_needs: str
    family_name: str
    family_contact: str
    family_channel: str
    family_language: str
    family_updates: bool
    facility: str | None
    opened_at: datetime
    closed_at: datetime | None
    workers: list[str]
    timeline: list[dict[str, Any]]


class DoneOut(Schema):
    id: str
    state: str


def _rows(cases: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": str(row.id),
            "reference": row.reference,
            "state": row.state,
            "source": row.source,
            "opened_at": row.opened_at,
            "next_hearing": row.next_hearing,
            "open_tasks": row.open_tasks,
        }
        for row in queries.case_rows(cases)
    ]


def _case_out(case: Case) -> dict[str, Any]:
    return {
        "id": str(case.pk),
        "reference": case.reference,
        "state": case.state,
        "outcome": case.outcome,
        "source": case.source,
        "incident_id": str(case.incident_id) if case.incident_id else None,
        "person_name": case.person_name,
        "a_number": case.a_number,
        "date_of_birth": case.date_of_birth,
        "person_language": case.person_language,
        "taken_at": case.taken_at,
        "taken_place": case.taken_place,
        "dependents": case.dependents,
        "medical_needs": case.medical_needs,
        "family_name": case.family_name,
        "family_contact": case.family_contact,
        "family_channel": case.family_channel,
        "family_language": case.family_language,
        "family_updates": case.family_updates,
        "facility": case.facility.name if case.facility else None,
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
        "workers": [a.user.username for a in case.assignments.select_related("user")],
        "timeline": [
            {
                "type": event.type,
                "at": event.created_at.isoformat(),
                "actor": event.actor.username if event.actor else None,
                "data": event.data,
                "note": event.note,
            }
            for event in queries.timeline(case)
        ],
    }


def _run(request: HttpRequest, case_id: str, do: Any) -> dict[str, Any]:
    user = acting_user(request)
    case = queries.get_case_for_user(user, case_id, write=True)
    try:
        do(case, user)
    except actions.CaseRefused as refusal:
        raise refused(refusal) from None
    case.refresh_from_db()
    return {"id": str(case.pk), "state": case.state}


@router.get(
    "/cases",
    response={200: CaseListOut, **STAFF_ERRORS},
    summary="Cases (no personal field)",
    url_name="cases",
)
def list_cases(request: HttpRequest) -> dict[str, Any]:
    user = acting_user(request)
    if not queries.may_work_cases(user):
        raise Forbidden
    return {
        "mine": _rows(queries.cases_visible_to(user).exclude(state=CaseState.CLOSED)),
        "queue": _rows(queries.unassigned_cases_for(user)),
    }


@router.post(
    "/cases",
    response={201: OpenedOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Open a case (dispatchers and case workers)",
    url_name="cases",
)
def open_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    user = acting_user(request)
    if not queries.may_open_cases(user):
        raise Forbidden
    data = payload.model_dump()
    incident_id = data.pop("incident_id")
    incident = get_incident_for_user(user, incident_id) if incident_id else None
    if data["date_of_birth"] is not None:
        data["date_of_birth"] = data["date_of_birth"].isoformat()
    else:
        data["date_of_birth"] = ""
    try:
        case = actions.open_case(
            source=CaseSource.INCIDENT if incident else CaseSource.HOTLINE,
            facts=data,
            actor=user,
            incident=incident,
        )
    except actions.CaseRefused as refusal:
        raise refused(refusal) from None
    visible = queries.cases_visible_to(user).filter(pk=case.pk).exists()
    return Status(201, {"id": str(case.pk), "reference": case.reference, "visible": visible})


@router.get("/cases/{case_id}", response={200: CaseOut, **STAFF_ERRORS}, summary="One case")
def get_case(request: HttpRequest, case_id: str) -> dict[str, Any]:
    user = acting_user(request)
    case = queries.get_case_for_user(user, case_id)
    actions.record_view(case=case, actor=user, what="api")
    return _case_out(case)


@router.post(
    "/cases/{case_id}/state",
    response={200: DoneOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Change a case's state",
)
def change_state(request: HttpRequest, case_id: str, payload: StateIn) -> dict[str, Any]:
    return _run(
        request,
        case_id,
        lambda case, user: actions.change_state(
            case=case, state=payload.state, note=payload.note, actor=user
        ),
    )


@router.post(
    "/cases/{case_id}/notes",
    response={200: DoneOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Add a note",
)
def add_note(request: HttpRequest, case_id: str, payload: NoteIn) -> dict[str, Any]:
    return _run(
        request,
        case_id,
        lambda case, user: actions.add_note(case=case, text=payload.text, actor=user),
    )


@router.post(
    "/cases/{case_id}/locator-checks",
    response={200: DoneOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Record a locator check",
)
def locator_check(request: HttpRequest, case_id: str, payload: LocatorIn) -> dict[str, Any]:
    facility = None
    if payload.facility_id is not None:
        facility = Facility.objects.filter(pk=payload.facility_id).first()
        if facility is None:
            raise refused(actions.InvalidCase("No such facility.", field="facility_id"))
    return _run(
        request,
        case_id,
        lambda case, user: actions.record_locator_check(
            case=case, result=payload.result, facility=facility, note=payload.note, actor=user
        ),
    )


@router.post(
    "/cases/{case_id}/referrals",
    response={200: DoneOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Refer to a legal-aid organization",
)
def refer(request: HttpRequest, case_id: str, payload: ReferralIn) -> dict[str, Any]:
    from vecinos.directory.queries import get_organization

    listed = get_organization(payload.organization_slug) if payload.organization_slug else None
    if payload.organization_slug and listed is None:
        raise refused(actions.InvalidCase("No such organization.", field="organization_slug"))
    return _run(
        request,
        case_id,
        lambda case, user: actions.refer_case(
            case=case,
            organization=payload.organization,
            directory_organization=listed,
            follow_up_hours=payload.follow_up_hours,
            actor=user,
        ),
    )


@router.post(
    "/cases/{case_id}/hearings",
    response={200: DoneOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Record a hearing or check-in",
)
def hearing(request: HttpRequest, case_id: str, payload: HearingIn) -> dict[str, Any]:
    return _run(
        request,
        case_id,
        lambda case, user: actions.add_hearing(
            case=case, kind=payload.kind, at=payload.at, place=payload.place, actor=user
        ),
    )


@router.post(
    "/cases/{case_id}/family-updates",
    response={200: DoneOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Send an update to the family",
)
def family_update(request: HttpRequest, case_id: str, payload: UpdateIn) -> dict[str, Any]:
    return _run(
        request,
        case_id,
        lambda case, user: actions.send_family_update(
            case=case, template=payload.template, note=payload.note, actor=user
        ),
    )
