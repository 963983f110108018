"""``POST /api/v1/reports``: anonymous reports of enforcement activity.

The schema is strict on purpose: unknown fields are refused (there is no field for an
officer's name, badge, face, home or plate, and a client that sends one learns so),
numbers must be JSON numbers (not strings, not booleans, finite, in range), times must
be RFC 3339 with an offset. Anything else answers 400/413/415/422 with a body naming
each offending field (``vecinos.api.errors``); too many reports from one client
answers 429 with ``Retry-After``. A 201 means the report is committed
(``vecinos.reports.writer`` batches concurrent reports into one commit and answers
only after it; 503 with ``Retry-After`` if that takes longer than
``REPORT_WRITE_TIMEOUT``).

A client may send an ``Idempotency-Key`` header (8 to 128 characters; a UUID): a
second request with the same key (a retry after a 503, a timeout or a lost answer; a
phone's offline queue) answers the first request's 201 with the same ids and stores
nothing new. Only a keyed hash of the key is stored, and it is erased with the
report's free text.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field

from vecinos.api.errors import ErrorOut
from vecinos.core import ratelimit, service_area
from vecinos.reports import actions, sources, writer
from vecinos.reports.models import Channel, Report

router = Router(tags=["reports"])

KindName = Literal["raid", "checkpoint", "arrest", "patrol", "surveillance", "other"]
AgencyName = Literal[
    "ice", "cbp", "hsi", "fbi", "dea", "atf", "usms", "police", "sheriff", "unknown"
]
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")
LANGUAGE_TAG = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$"


def _rfc3339(value: Any) -> datetime:
    """A timestamp such as ``2026-05-01T10:40:00-07:00``: date, time with seconds, and
    an offset (or Z). Numbers, naive times and other date formats are refused."""
    if not isinstance(value, str) or not RFC3339.match(value):
        raise ValueError(
            _("Give a date and time in RFC 3339 with an offset, such as 2026-05-01T10:40:00-07:00.")
        )
    text = value.replace("z", "Z").replace("t", "T")
    fraction = re.search(r"\.(\d+)", text)
    if fraction and len(fraction.group(1)) > 6:  # Python keeps microseconds
        text = text.replace(fraction.group(0), "." + fraction.group(1)[:6], 1)
    try:
        return datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        raise ValueError(_("That date and time does not exist.")) from None


def _plain_text(value: str | None) -> str | None:
    if value is not None and (problem := actions.text_problem(value)):
        raise ValueError(problem)
    return value


Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Place = Annotated[str, Field(max_length=actions.MAX_PLACE), AfterValidator(_plain_text)]
Description = Annotated[str, Field(max_length=actions.MAX_DESCRIPTION), AfterValidator(_plain_text)]
Language = Annotated[str, Field(max_length=actions.MAX_LANGUAGE, pattern=LANGUAGE_TAG)]
ObservedAt = Annotated[
    datetime,
    BeforeValidator(_rfc3339),
    Field(description="RFC 3339 with an offset; at most 24 h old, 5 min ahead"),
]


class ReportIn(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)

    kind: KindName
    lat: Latitude
    lng: Longitude
    place: Place | None = None
    description: Description | None = None
    observed_at: ObservedAt | None = None
    agencies: Annotated[list[AgencyName], Field(max_length=20)] | None = None
    vehicles: Annotated[int, Field(ge=0, le=actions.MAX_VEHICLES)] | None = None
    officers: Annotated[int, Field(ge=0, le=actions.MAX_OFFICERS)] | None = None
    language: Language | None = None


class ReportAccepted(Schema):
    id: uuid.UUID
    incident_id: uuid.UUID
    status: Literal["received"]
    outside_service_area: bool = Field(
        description="The point is outside the area the network covers "
        "(VECINOS_SERVICE_AREA): stored, but nobody may be able to check it."
    )


class RateLimited(HttpError):
    def __init__(self, wait: int) -> None:
        super().__init__(429, _("Too many reports from this connection. Try again later."))
        self.wait = wait


class Busy(HttpError):
    def __init__(self) -> None:
        super().__init__(503, _("The report could not be stored in time. Send it again."))
        self.wait = BUSY_RETRY_AFTER


class Unconfirmed(HttpError):
    def __init__(self) -> None:
        super().__init__(
            503,
            _(
                "The report may or may not have been stored: the answer was lost. Send it "
                "again with the same Idempotency-Key and it is not counted twice."
            ),
        )
        self.wait = BUSY_RETRY_AFTER


# Seconds a client waits before sending a report again when the writer was too slow.
BUSY_RETRY_AFTER = 5


@router.post(
    "/reports",
    auth=None,
    response={
        201: ReportAccepted,
        400: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    summary="Report enforcement activity (anonymous)",
    openapi_extra={
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "minLength": 8, "maxLength": 128},
                "description": "Sent again with the same report, answers the first "
                "request's result and stores nothing new (a UUID is a good key).",
            }
        ]
    },
)
def create_report(request: HttpRequest, payload: ReportIn) -> JsonResponse:
    verdict = ratelimit.hit(
        "report", getattr(request, "client_key", ""), settings.VECINOS_REPORT_RATE
    )
    if not verdict.allowed:
        raise RateLimited(verdict.retry_after)
    try:
        report = _store(
            payload,
            client_key=sources.source_of(request),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
    except writer.WriterLost:
        raise Unconfirmed from None
    except writer.WriterBusy:  # nothing was stored
        raise Busy from None
    # The 201 body is four fixed fields: written directly, it skips a pydantic
    # validation and render that cost about a tenth of the whole request under load.
    # The OpenAPI document still describes it (ReportAccepted).
    return JsonResponse(
        {
            "id": str(report.id),
            "incident_id": str(report.incident_id),
            "status": "received",
            "outside_service_area": not service_area.covers(payload.lat, payload.lng),
        },
        status=201,
    )


def _store(
    payload: ReportIn, *, client_key: str, idempotency_key: str
) -> Report | writer.StoredReport:
    # Through the writer: it batches concurrent reports into one durable commit and
    # returns only after it (inside a caller's transaction it calls the action).
    return writer.submit_report(
        actions.NewReport(
            kind=payload.kind,
            lat=payload.lat,
            lng=payload.lng,
            place=payload.place or "",
            description=payload.description or "",
            observed_at=payload.observed_at,
            agencies=payload.agencies or [],
            vehicles=payload.vehicles,
            officers=payload.officers,
            language=payload.language or "",
            channel=Channel.API,
            client_key=client_key,
            idempotency_key=idempotency_key,
        )
    )
