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
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    Subscription,
    SubscriptionCell,
    SubscriptionChannel,
    SubscriptionStatus,
)
from vecinos.core.replica import public_reads
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

    def by_channel_text(self) -> list[str]:
        """Each channel's counts in the reader's language: "SMS: 4 sent, 1 failed"."""
        lines = []
        for channel, statuses in self.by_channel.items():
            counts = ", ".join(
                status_count(status, count) for status, count in sorted(statuses.items())
            )
            lines.append(
                _("%(channel)s: %(counts)s") % {"channel": channel_label(channel), "counts": counts}
            )
        return lines

    @property
    def reached(self) -> int:
        return self.by_status.get(DeliveryStatus.SENT, 0) + self.by_status.get(
            DeliveryStatus.DELIVERED, 0
        )


def channel_label(channel: str) -> str:
    try:
        return str(SubscriptionChannel(channel).label)
    except ValueError:
        return channel


def status_count(status: str, count: int) -> str:
    """A delivery status with its number, agreeing with it: "4 sent"."""
    forms: dict[str, str] = {
        DeliveryStatus.QUEUED: ngettext("%(count)d queued", "%(count)d queued", count),
        DeliveryStatus.SENDING: ngettext("%(count)d sending", "%(count)d sending", count),
        DeliveryStatus.SENT: ngettext("%(count)d sent", "%(count)d sent", count),
        DeliveryStatus.DELIVERED: ngettext("%(count)d delivered", "%(count)d delivered", count),
        DeliveryStatus.FAILED: ngettext("%(count)d failed", "%(count)d failed", count),
        DeliveryStatus.SKIPPED: ngettext("%(count)d skipped", "%(count)d skipped", count),
    }
    return forms.get(status, f"{status} %(count)d") % {"count": count}


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


# Reach ------------------------------------------------------------------------------------

# Languages named one by one in a reach estimate; the rest are "other languages".
REACH_LANGUAGES = 4
REACH_CHANNELS = ("sms", "email", "webpush")


@dataclass
class Reach:
    """Who an alert would reach if it went out now: active subscriptions of its area,
    by channel and by language (the largest first, in percent)."""

    total: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_language: list[tuple[str, int]] = field(default_factory=list)  # (name, percent)
    other_percent: int = 0


def reach(cells: Iterable[int]) -> Reach:
    """The reach of an alert over ``cells``: one grouped query over the subscriptions
    holding any of the cells (the same set fan-out would write rows for)."""
    wanted = sorted({int(cell) for cell in cells})
    result = Reach()
    if not wanted:
        return result
    rows = (
        Subscription.objects.filter(
            status=SubscriptionStatus.ACTIVE,
            id__in=SubscriptionCell.objects.filter(cell__in=wanted).values("subscription_id"),
        )
        .values_list("channel", "language")
        .annotate(n=Count("id"))
        .order_by()
    )
    languages: dict[str, int] = defaultdict(int)
    for channel, language, count in rows:
        result.total += count
        result.by_channel[channel] = result.by_channel.get(channel, 0) + count
        languages[messages.phrasebook(language).name] += count
    result.by_channel = {c: result.by_channel[c] for c in REACH_CHANNELS if c in result.by_channel}
    if result.total:
        ranked = sorted(languages.items(), key=lambda item: (-item[1], item[0]))
        shown = ranked[:REACH_LANGUAGES]
        result.by_language = [(name, round(100 * n / result.total)) for name, n in shown]
        rest = sum(n for _name, n in ranked[REACH_LANGUAGES:])
        result.other_percent = round(100 * rest / result.total) if rest else 0
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
    """Alerts the public may see, read where the public pages read (core/replica.py)."""
    return (
        Alert.objects.using(public_reads())
        .filter(is_test=False, status__in=WENT_OUT, published_at__isnull=False)
        .select_related("original")
    )


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
    lookup on the primary key by the 40 bits the code stands for. None for an alert
    the public may not see (a draft, a cancelled or a test alert)."""
    prefix = messages.code_prefix(code.lower())
    if prefix is None:
        return None
    low = uuid.UUID(prefix + "0" * 22)
    high = uuid.UUID(prefix + "f" * 22)
    # Only alerts that went out, never a test: a draft's or a test's short link must
    # not lead anyone to its id (and through it to what it says).
    return _public().filter(pk__gte=low, pk__lte=high).order_by("created_at").first()


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
