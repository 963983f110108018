"""The alerts API.

Staff (``Authorization: Bearer <token>``, dispatchers and admins):

- ``POST /incidents/{id}/alerts`` ``{"radius_km": 2, "note": "...", "test": false}``
  → 201, the draft (``"status": "pending_approval"``); 409 unless the incident is
  confirmed;
- ``POST /alerts/{id}/approve`` → the alert, ``"status": "published"`` once the
  two-person rule is met; 403 for the drafter approving their own draft (when
  ``ALERT_APPROVALS_REQUIRED`` is 2 or more), 409 for a second approval by the same
  person or an alert that is no longer a draft;
- ``POST /alerts/{id}/retract`` ``{"reason": "...", "kind": "retraction"|"all_clear",
  "note": "..."}`` → 201, the follow-up, published at once to the original's
  recipients;
- ``POST /alerts/{id}/cancel`` ``{"reason": "..."}`` → the cancelled draft;
- ``GET /alerts/{id}`` → one alert; ``GET /alerts/{id}/deliveries`` → its delivery
  rows counted by channel and status.

No token or a bad one: 401. A role that may not do it (a responder): 403. An alert
or incident outside the user's reach, or that does not exist: 404. Unknown fields and
bad values: 422 naming them.

Public (no account): ``GET /alerts?lang=es``: the alerts in force, rendered in that
language, retractions and all-clears first. Never a test alert, never contact data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, StrictBool, StrictStr

from vecinos.accounts.models import Role, User
from vecinos.alerts import actions, messages, queries
from vecinos.alerts.models import Alert
from vecinos.alerts.queries import get_alert_for_user
from vecinos.api.auth import TokenAuth
from vecinos.api.errors import (
    BODY_ERRORS,
    PUBLIC_ERRORS,
    STAFF_ERRORS,
    ErrorOut,
    field_error,
    refused,
    require_staff,
)
from vecinos.reports.queries import get_incident_for_user

router = Router(tags=["alerts"], auth=TokenAuth())

PUBLIC_MAX_AGE = 60


# Schemas -----------------------------------------------------------------------------------


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


Radius = Annotated[
    float,
    Field(
        strict=True,
        ge=actions.MIN_RADIUS_KM,
        le=actions.MAX_RADIUS_KM,
        allow_inf_nan=False,
        description="kilometres around the incident",
    ),
]


class AlertIn(Strict):
    radius_km: Radius = actions.DEFAULT_RADIUS_KM
    note: Annotated[StrictStr, Field(max_length=actions.MAX_NOTE)] = ""
    test: StrictBool = False


class RetractIn(Strict):
    reason: Annotated[StrictStr, Field(min_length=1, max_length=actions.MAX_REASON)]
    kind: Literal["retraction", "all_clear"] = "retraction"
    note: Annotated[StrictStr, Field(max_length=actions.MAX_NOTE)] = ""


class CancelIn(Strict):
    reason: Annotated[StrictStr, Field(max_length=actions.MAX_REASON)] = ""


class AlertOut(Schema):
    id: str
    incident_id: str
    kind: str
    status: str
    test: bool
    original_id: str | None
    incident_kind: str
    place_label: str
    note: str
    reason: str
    lat: float
    lng: float
    radius_km: float
    cell_count: int
    created_by: str | None
    approvals: list[str]
    approvals_required: int
    created_at: datetime
    published_at: datetime | None
    expires_at: datetime | None
    retracted_at: datetime | None
    url: str
    short_url: str


class DeliveriesOut(Schema):
    alert_id: str
    total: int
    by_status: dict[str, int]
    by_channel: dict[str, dict[str, int]]


class AreaOut(Schema):
    lat: float
    lng: float
    radius_km: float


class PublicAlertOut(Schema):
    id: str
    kind: str
    status: str
    original_id: str | None
    incident_kind: str
    event: str
    headline: str
    text: str
    note: str
    place_label: str
    published_at: datetime | None
    expires_at: datetime | None
    url: str
    area: AreaOut


class PublicAlertsOut(Schema):
    language: str
    alerts: list[PublicAlertOut]


# Helpers -----------------------------------------------------------------------------------


def _require_dispatcher(request: HttpRequest) -> User:
    return require_staff(request, Role.DISPATCHER)


def _alert(alert: Alert) -> dict[str, Any]:
    return {
        "id": str(alert.pk),
        "incident_id": str(alert.incident_id),
        "kind": alert.kind,
        "status": alert.status,
        "test": alert.is_test,
        "original_id": str(alert.original_id) if alert.original_id else None,
        "incident_kind": alert.incident_kind,
        "place_label": alert.place_label,
        "note": alert.note,
        "reason": alert.reason,
        "lat": alert.lat,
        "lng": alert.lng,
        "radius_km": alert.radius_km,
        "cell_count": len(alert.cells or []),
        "created_by": alert.created_by.username if alert.created_by else None,
        "approvals": [
            approval.approver.username
            for approval in alert.approvals.select_related("approver").order_by("created_at")
        ],
        "approvals_required": actions.required_approvals(),
        "created_at": alert.created_at,
        "published_at": alert.published_at,
        "expires_at": alert.expires_at,
        "retracted_at": alert.retracted_at,
        "url": messages.alert_url(alert),
        "short_url": messages.short_url(alert),
    }


def _fresh(alert: Alert) -> Alert:
    return Alert.objects.select_related("created_by").get(pk=alert.pk)


def _run(call: Callable[..., Alert], **kwargs: Any) -> dict[str, Any]:
    """A staff action on an alert: the alert it returns, fresh, or its refusal as an
    HTTP answer."""
    try:
        alert = call(**kwargs)
    except actions.AlertRefused as refusal:
        raise refused(refusal) from None
    return _alert(_fresh(alert))


# Staff operations ---------------------------------------------------------------------------


@router.post(
    "/incidents/{incident_id}/alerts",
    response={201: AlertOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Draft an alert from a confirmed incident (dispatchers)",
)
def draft(request: HttpRequest, incident_id: str, payload: AlertIn) -> Status[dict[str, Any]]:
    user = _require_dispatcher(request)
    incident = get_incident_for_user(user, incident_id, write=True)
    drafted = _run(
        actions.draft_alert,
        incident=incident,
        radius_km=payload.radius_km,
        note=payload.note,
        test=payload.test,
        actor=user,
    )
    return Status(201, drafted)


@router.post(
    "/alerts/{alert_id}/approve",
    response={200: AlertOut, **STAFF_ERRORS},
    summary="Approve a draft; it is published once enough dispatchers approved",
)
def approve(request: HttpRequest, alert_id: str) -> dict[str, Any]:
    user = _require_dispatcher(request)
    alert = get_alert_for_user(user, alert_id, write=True)
    return _run(actions.approve_alert, alert=alert, actor=user)


@router.post(
    "/alerts/{alert_id}/retract",
    response={201: AlertOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Retract a published alert, or give the all-clear, to its recipients",
)
def retract(request: HttpRequest, alert_id: str, payload: RetractIn) -> Status[dict[str, Any]]:
    user = _require_dispatcher(request)
    alert = get_alert_for_user(user, alert_id, write=True)
    followup = _run(
        actions.retract_alert,
        alert=alert,
        reason=payload.reason,
        kind=payload.kind,
        note=payload.note,
        actor=user,
    )
    return Status(201, followup)


@router.post(
    "/alerts/{alert_id}/cancel",
    response={200: AlertOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Cancel a draft before it is published",
)
def cancel(request: HttpRequest, alert_id: str, payload: CancelIn) -> dict[str, Any]:
    user = _require_dispatcher(request)
    alert = get_alert_for_user(user, alert_id, write=True)
    return _run(actions.cancel_alert, alert=alert, reason=payload.reason, actor=user)


@router.get(
    "/alerts/{alert_id}",
    response={200: AlertOut, **STAFF_ERRORS},
    summary="One alert (dispatchers)",
)
def get_alert(request: HttpRequest, alert_id: str) -> dict[str, Any]:
    user = _require_dispatcher(request)
    return _alert(get_alert_for_user(user, alert_id))


@router.get(
    "/alerts/{alert_id}/deliveries",
    response={200: DeliveriesOut, **STAFF_ERRORS},
    summary="The alert's messages counted by channel and status",
)
def deliveries(request: HttpRequest, alert_id: str) -> dict[str, Any]:
    user = _require_dispatcher(request)
    alert = get_alert_for_user(user, alert_id)
    counts = queries.delivery_counts([alert.pk])[alert.pk]
    return {
        "alert_id": str(alert.pk),
        "total": counts.total,
        "by_status": counts.by_status,
        "by_channel": counts.by_channel,
    }


# Public -----------------------------------------------------------------------------------


def _public(alert: Alert, language: str) -> dict[str, Any]:
    f = messages.fields_for(alert, language)
    return {
        "id": str(alert.pk),
        "kind": alert.kind,
        "status": alert.status,
        "original_id": str(alert.original_id) if alert.original_id else None,
        "incident_kind": alert.incident_kind,
        "event": messages.event_name(f),
        "headline": messages.headline(f),
        "text": messages.sentence(f),
        "note": f.note,
        "place_label": f.place,
        "published_at": alert.published_at,
        "expires_at": alert.expires_at,
        "url": messages.alert_url(alert, language=f.book.code),
        "area": {"lat": alert.lat, "lng": alert.lng, "radius_km": alert.radius_km},
    }


@router.get(
    "/alerts",
    auth=None,
    response={200: PublicAlertsOut, 422: ErrorOut, **PUBLIC_ERRORS},
    summary="Alerts in force, in one language (public)",
    url_name="public_alerts",
)
def public_alerts(
    request: HttpRequest,
    response: HttpResponse,
    lang: Annotated[
        str,
        Query(max_length=35, description="one of: " + ", ".join(c for c, _ in messages.LANGUAGES)),
    ] = "en",
) -> dict[str, Any]:
    language = messages.normalize_language(lang)
    if language is None:
        raise field_error(
            "lang",
            _("Alerts are not written in %(lang)s. Use one of: %(valid)s.")
            % {"lang": lang[:35], "valid": ", ".join(code for code, _name in messages.LANGUAGES)},
            where="query",
        )
    patch_cache_control(response, max_age=PUBLIC_MAX_AGE)
    return {
        "language": language,
        "alerts": [_public(alert, language) for alert in queries.active_public_alerts()],
    }
