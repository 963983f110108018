"""Subscriptions and alerts written straight to the tables, for the delivery tests.
(The end-to-end test goes through the real subscribe, draft and approve actions.)"""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.factories import BOYLE_HEIGHTS, make_incident
from vecinos.alerts.models import (
    Alert,
    AlertKind,
    AlertStatus,
    Subscription,
    SubscriptionCell,
    SubscriptionStatus,
)
from vecinos.core import crypto, geo
from vecinos.reports.models import IncidentStatus

_numbers = itertools.count(100)


def next_phone() -> str:
    return f"+1213555{next(_numbers) % 10000:04d}"


def make_subscription(
    *,
    channel: str = "sms",
    contact: str | dict[str, Any] | None = None,
    at: tuple[float, float] = BOYLE_HEIGHTS,
    radius_km: float = 1.0,
    language: str = "en",
    status: str = SubscriptionStatus.ACTIVE,
) -> Subscription:
    if contact is None:
        contact = next_phone() if channel == "sms" else f"person{next(_numbers)}@example.org"
    text = json.dumps(contact, sort_keys=True) if isinstance(contact, dict) else contact
    key = str(contact["endpoint"]) if isinstance(contact, dict) else text
    subscription = Subscription.objects.create(
        channel=channel,
        contact=text,
        contact_hash=crypto.keyed_hash(key, purpose=f"test-{channel}"),
        language=language,
        status=status,
        confirmed_at=timezone.now() if status == SubscriptionStatus.ACTIVE else None,
    )
    SubscriptionCell.objects.bulk_create(
        SubscriptionCell(subscription=subscription, cell=cell)
        for cell in geo.cells_within(*at, radius_km)
    )
    return subscription


def make_alert(
    *,
    at: tuple[float, float] = BOYLE_HEIGHTS,
    radius_km: float = 2.0,
    is_test: bool = False,
    hours: float = 6,
    original: Alert | None = None,
    kind: str = AlertKind.ALERT,
    **fields: Any,
) -> Alert:
    """A published alert (or, with ``original``, its retraction or all-clear)."""
    now = timezone.now()
    incident = (
        original.incident if original else make_incident(at=at, status=IncidentStatus.CONFIRMED)
    )
    return Alert.objects.create(
        incident=incident,
        kind=kind,
        original=original,
        status=AlertStatus.PUBLISHED,
        incident_kind=incident.kind,
        lat=at[0],
        lng=at[1],
        radius_km=radius_km,
        cells=sorted(geo.cells_within(*at, radius_km)),
        place_label="Boyle Heights",
        is_test=is_test,
        published_at=now,
        expires_at=now + timedelta(hours=hours),
        **fields,
    )
