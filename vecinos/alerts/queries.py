"""Reads for the alert pages: the console's alert panels and list, the public alerts
page and API, the feeds. Each is a small fixed number of queries, whatever the
number of alerts or deliveries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from vecinos.accounts.access import parse_uuid
from vecinos.accounts.models import User
from vecinos.alerts import messages
from vecinos.alerts.models import (
    Alert,
    AlertApproval,
    AlertEvent,
    AlertKind,
    AlertStatus,
    Delivery,
    DeliveryStatus,
)
from vecinos.reports.models import Incident

FEED_WINDOW = timedelta(days=7)
FEED_LIMIT = 100
PUBLIC_LIMIT = 100
CONSOLE_RECENT = 50
# Statuses an alert has once it went out: the public may see it (unless a test).
WENT_OUT = (AlertStatus.PUBLISHED, AlertStatus.RETRACTED, AlertStatus.EXPIRED)


# Deliveries ------------------------------------------------------------------------------


@dataclass
class DeliveryCounts:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, channel: str, status: str, count: int) -> None:
        self.total += count
        self.by_status[status] = self.by_status.get(status, 0) + count
        self.by_channel.setdefault(channel, {})
        self.by_channel[channel][status] = self.by_channel[channel].get(status, 0) + count

    @property
    def reached(self) -> int:
        return self.by_status.get(DeliveryStatus.SENT, 0) + self.by_status.get(
            DeliveryStatus.DELIVERED, 0
        )


def delivery_counts(alert_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, DeliveryCounts]:
    """Delivery rows per alert, by channel and status: one grouped query (an index
    range per alert on the (alert, subscription) unique index)."""
    ids = list(alert_ids)
    result: dict[uuid.UUID, DeliveryCounts] = defaultdict(DeliveryCounts)
    if not ids:
        return result
    rows = (
        Delivery.objects.filter(alert_id__in=ids)
        .values_list("alert_id", "channel", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for alert_id, channel, status, count in rows:
        result[alert_id].add(channel, status, count)
    return result


# Console ---------------------------------------------------------------------------------


def _console_alerts() -> QuerySet[Alert]:
    return Alert.objects.select_related("created_by", "original", "incident").prefetch_related(
        Prefetch(
            "approvals",
            queryset=AlertApproval.objects.select_related("approver").order_by("created_at"),
        ),
        Prefetch("events", queryset=AlertEvent.objects.select_related("actor")),
    )


def incident_alerts(incident: Incident) -> list[Alert]:
    """The incident's alerts and follow-ups, newest first, with approvals and events
    (four queries)."""
    return list(_console_alerts().filter(incident=incident).order_by("-created_at"))


def pending_alerts() -> list[Alert]:
    """Drafts waiting for approval, oldest first: the console's to-do list."""
    return list(
        _console_alerts()
        .filter(status=AlertStatus.PENDING_APPROVAL)
        .order_by("created_at", "id")[:CONSOLE_RECENT]
    )


def recent_alerts(*, now: datetime | None = None) -> list[Alert]:
    """Alerts that went out in the last day, newest first."""
    now = now or timezone.now()
    return list(
        _console_alerts()
        .filter(status__in=WENT_OUT, published_at__gte=now - timedelta(days=1))
        .order_by("-published_at", "-id")[:CONSOLE_RECENT]
    )


# Public ----------------------------------------------------------------------------------


def _public() -> QuerySet[Alert]:
    return Alert.objects.filter(
        is_test=False, status__in=WENT_OUT, published_at__isnull=False
    ).select_related("original")


def active_public_alerts(*, now: datetime | None = None) -> list[Alert]:
    """What the public alerts page and ``GET /api/v1/alerts`` show: retractions and
    all-clears still in their pinned window first (newest first), then the alerts in
    force (published, not retracted, not expired), newest first. Test alerts never."""
    now = now or timezone.now()
    live = (
        _public()
        .filter(expires_at__gt=now)
        .filter(
            Q(kind__in=[AlertKind.RETRACTION, AlertKind.ALL_CLEAR])
            | Q(kind=AlertKind.ALERT, status=AlertStatus.PUBLISHED)
        )
        .order_by("-published_at", "-id")[:PUBLIC_LIMIT]
    )
    alerts = list(live)
    return [a for a in alerts if a.kind != AlertKind.ALERT] + [
        a for a in alerts if a.kind == AlertKind.ALERT
    ]


def public_alert(alert_id: object) -> Alert | None:
    """An alert that went out and is not a test, with its follow-ups; else None."""
    try:
        pk = alert_id if isinstance(alert_id, uuid.UUID) else uuid.UUID(str(alert_id))
    except ValueError:
        return None
    return (
        _public()
        .prefetch_related(
            Prefetch(
                "followups",
                queryset=Alert.objects.filter(is_test=False, status__in=WENT_OUT).order_by(
                    "-published_at"
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )


def alert_for_short_code(code: str) -> Alert | None:
    """The alert whose short code (``messages.short_code``) is ``code``: a range
    lookup on the primary key by the 40 bits the code stands for."""
    prefix = messages.code_prefix(code.lower())
    if prefix is None:
        return None
    low = uuid.UUID(prefix + "0" * 22)
    high = uuid.UUID(prefix + "f" * 22)
    return Alert.objects.filter(pk__gte=low, pk__lte=high).order_by("created_at").first()


def feed_alerts(*, now: datetime | None = None) -> list[Alert]:
    """The CAP and Atom feeds: every non-test alert, retraction and all-clear that went
    out in the last week, newest first."""
    now = now or timezone.now()
    return list(
        _public()
        .filter(published_at__gte=now - FEED_WINDOW)
        .order_by("-published_at", "-id")[:FEED_LIMIT]
    )


def get_alert_for_user(user: User, alert_id: object, *, write: bool = False) -> Alert:
    """An alert ``user`` may see in the console (drafts, approvals, deliveries): for
    dispatchers and admins, every alert; for everyone else, none (the public sees
    published alerts through the public pages, not through this getter). ``write``
    changes nothing today: what a dispatcher may do to an alert is decided by the
    action (the two-person rule)."""
    pk = parse_uuid(alert_id)
    if not user.is_authenticated or not user.is_dispatcher:
        raise Http404
    try:
        return Alert.objects.select_related("incident", "original", "created_by").get(pk=pk)
    except Alert.DoesNotExist:
        raise Http404 from None
