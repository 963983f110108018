"""Subscriptions to alerts, without an account.

- ``POST /api/v1/subscriptions``: channel, address, language and area → ``202
  {"id", "status"}``. ``pending`` until the 6-digit code sent to the contact is
  confirmed; web push answers ``active`` (the browser's subscription is the proof).
- ``POST /api/v1/subscriptions/{id}/confirm`` ``{"code"}`` → ``{"status": "active"}``.
- ``POST /api/v1/subscriptions/webpush/stop`` ``{"endpoint"}``: the unsubscribe control
  of the web-push page (the endpoint is a secret only that browser knows).

The body is strict like the rest of the API: unknown fields, wrong types, NaN,
out-of-range numbers, unknown ZIP codes, impossible phone numbers or emails answer
4xx naming the field. Too many subscriptions from one client answer 429 with
``Retry-After``. Nothing answers differently for a contact that subscribes, or that
was sent many codes: a contact gets a bounded number of codes and the rest of its
requests share the last one (``vecinos.alerts.subscriptions.subscribe``).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from vecinos.alerts import subscriptions
from vecinos.alerts.models import Subscription
from vecinos.api.errors import ErrorOut
from vecinos.core import ratelimit
from vecinos.core.text import has_control_characters

router = Router(tags=["subscriptions"])

ChannelName = Literal["sms", "email", "webpush"]
LanguageCode = Literal[
    "en", "es", "zh-hans", "zh-hant", "ko", "tl", "vi", "hy", "fa", "ru", "ja", "km"
]
PUSH_ADDRESS_SCHEMA = {
    "type": "object",
    "properties": {
        "endpoint": {"type": "string", "format": "uri", "maxLength": subscriptions.MAX_ENDPOINT},
        "keys": {
            "type": "object",
            "properties": {"p256dh": {"type": "string"}, "auth": {"type": "string"}},
            "required": ["p256dh", "auth"],
            "additionalProperties": False,
        },
        "expirationTime": {"type": ["number", "null"]},
    },
    "required": ["endpoint", "keys"],
    "additionalProperties": False,
}


def _address_shape(value: Any) -> Any:
    # The contents are checked by the action, per channel; here only the shape, and
    # no control characters or lone surrogates (the keyed hash cannot encode those).
    if isinstance(value, str) and has_control_characters(value, lines=False):
        raise ValueError(_("Remove the control characters."))
    if isinstance(value, str | dict):
        return value
    raise ValueError(
        _(
            "Give a phone number or an email address (a string), or the browser's push "
            "subscription (an object)."
        )
    )


Address = Annotated[
    Any,
    BeforeValidator(_address_shape),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "string", "maxLength": 254, "examples": ["+12135550100"]},
                PUSH_ADDRESS_SCHEMA,
            ]
        }
    ),
]
FiniteNumber = Annotated[float, Field(allow_inf_nan=False)]


class AreaIn(Schema):
    """Either ``{"zip": "90033"}`` or ``{"lat", "lng", "radius_km"}``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    zip: Annotated[str, Field(pattern=r"^\d{5}$", description="a five-digit ZIP code")] | None = (
        None
    )
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    lng: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None
    radius_km: Annotated[float, Field(ge=0.5, le=25, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def one_kind_of_area(self) -> AreaIn:
        point = (self.lat, self.lng, self.radius_km)
        if self.zip is not None and any(v is not None for v in point):
            raise ValueError(_("Give either a ZIP code or lat, lng and radius_km, not both."))
        if self.zip is None and any(v is None for v in point):
            raise ValueError(_("Give a ZIP code, or lat, lng and radius_km."))
        return self


class SubscriptionIn(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)

    channel: ChannelName
    address: Address
    language: LanguageCode
    area: AreaIn


class SubscriptionAccepted(Schema):
    id: uuid.UUID
    status: Literal["pending", "active"]


class ConfirmIn(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)

    code: Annotated[str, Field(pattern=r"^\s*\d{6}\s*$", description="the 6-digit code")]


class ConfirmOut(Schema):
    status: Literal["active"]


class ConfirmErrorOut(ErrorOut):
    # wrong (422), full (409), expired, exhausted or not_pending (410)
    reason: str
    attempts_left: int


class PushStopIn(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)

    endpoint: Annotated[str, Field(min_length=10, max_length=subscriptions.MAX_ENDPOINT)]


class PushStopOut(Schema):
    stopped: int


class RateLimited(HttpError):
    def __init__(self, wait: int, message: str) -> None:
        super().__init__(429, message)
        self.wait = wait


def _client_limit(request: HttpRequest, scope: str, rate: tuple[int, int]) -> None:
    verdict = ratelimit.hit(scope, getattr(request, "client_key", ""), rate)
    if not verdict.allowed:
        raise RateLimited(
            verdict.retry_after, _("Too many requests from this connection. Try again later.")
        )


def _confirm_rate() -> tuple[int, int]:
    count, period = settings.SUBSCRIPTION_RATE
    # Typing a code takes a few tries; a client guessing codes across many
    # subscriptions meets this long before the per-code limit matters.
    return count * subscriptions.CODE_DIGITS, period


@router.post(
    "/subscriptions",
    auth=None,
    response={
        202: SubscriptionAccepted,
        400: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Subscribe to alerts for an area (no account)",
)
def create_subscription(request: HttpRequest, payload: SubscriptionIn) -> Status[dict[str, Any]]:
    _client_limit(request, "subscription", settings.SUBSCRIPTION_RATE)
    subscription = subscriptions.subscribe(
        channel=payload.channel,
        address=payload.address,
        language=payload.language,
        zip_code=payload.area.zip,
        lat=payload.area.lat,
        lng=payload.area.lng,
        radius_km=payload.area.radius_km,
    )
    return Status(202, {"id": subscription.id, "status": subscription.status})


@router.post(
    "/subscriptions/{subscription_id}/confirm",
    auth=None,
    response={
        200: ConfirmOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ConfirmErrorOut,
        410: ConfirmErrorOut,
        413: ErrorOut,
        415: ErrorOut,
        422: ConfirmErrorOut | ErrorOut,
        429: ErrorOut,
    },
    summary="Confirm a subscription with the code sent to the contact",
)
def confirm(
    request: HttpRequest, subscription_id: uuid.UUID, payload: ConfirmIn
) -> Status[dict[str, Any]]:
    _client_limit(request, "subscription-confirm", _confirm_rate())
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise HttpError(404, _("Not found."))
    try:
        subscriptions.confirm_subscription(subscription=subscription, code=payload.code)
    except subscriptions.ConfirmationError as error:
        status = {"wrong": 422, "full": 409}.get(error.reason, 410)
        return Status(
            status,
            {
                "detail": error.message,
                "errors": [{"field": "code", "message": error.message}],
                "reason": error.reason,
                "attempts_left": error.attempts_left,
            },
        )
    return Status(200, {"status": "active"})


@router.post(
    "/subscriptions/webpush/stop",
    auth=None,
    response={200: PushStopOut, 400: ErrorOut, 413: ErrorOut, 415: ErrorOut, 422: ErrorOut},
    summary="Stop the web-push subscriptions of this browser",
)
def stop_webpush(request: HttpRequest, payload: PushStopIn) -> dict[str, int]:
    try:
        hashed = subscriptions.push_endpoint_hash(payload.endpoint)
    except ValidationError as error:
        raise ValidationError({"endpoint": error.messages}) from None
    return {"stopped": subscriptions.stop_contact_hash(channel="webpush", contact_hash=hashed)}
