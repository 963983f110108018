"""Retention of subscriptions, alerts and their deliveries (docs/privacy.md), run by
``vecinos purge`` and the hourly job.

1. Subscriptions still ``pending`` ``SUBSCRIPTION_PENDING_HOURS`` (default 24) after
   they were made are deleted: the code was never typed, the contact never proven.
2. ``stopped`` and ``disabled`` subscriptions are deleted ``SUBSCRIPTION_STOPPED_DAYS``
   (default 30) after they stopped (until then START or the manage page resumes them).
   Their cells and deliveries go with them.
3. Deliveries (the rows that link a subscriber to an alert they received) are deleted
   ``DELIVERY_RETENTION`` (default 30) days after fan-out made them, whatever their
   state: after that no retry is due and a retraction of so old an alert reaches
   nobody (an alert is current for hours).
4. Alerts are deleted ``ALERT_RETENTION`` (default 365) days after they were drafted,
   with their approvals, timeline and any delivery left. A retraction or all clear
   goes first; an original stays while a follow-up of it is younger than the window
   (it is always made later, so it goes at most that much later).

Each step deletes by an indexed condition in batches; running twice, or beside itself,
does nothing more. Complexity: O(rows past their window).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Model, QuerySet

from vecinos.alerts.models import Alert, Delivery, Subscription, SubscriptionStatus
from vecinos.core.retention import retention_job

BATCH = 1000


def _delete_in_batches(queryset: QuerySet[Model]) -> int:
    """Delete the rows of ``queryset`` ``BATCH`` at a time; the count is of its own
    model's rows (cells, deliveries, approvals and events cascade)."""
    done = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return done
        queryset.model._default_manager.filter(pk__in=ids).delete()
        done += len(ids)


def purge_pending(now: datetime) -> int:
    """Step 1."""
    cutoff = now - timedelta(hours=settings.SUBSCRIPTION_PENDING_HOURS)
    return _delete_in_batches(
        Subscription.objects.filter(status=SubscriptionStatus.PENDING, created_at__lt=cutoff)
    )


def purge_stopped(now: datetime) -> int:
    """Step 2. A row stopped without a ``stopped_at`` (should not happen) counts from
    its creation, so nothing can stay forever."""
    cutoff = now - timedelta(days=settings.SUBSCRIPTION_STOPPED_DAYS)
    ended = [SubscriptionStatus.STOPPED, SubscriptionStatus.DISABLED]
    return _delete_in_batches(
        Subscription.objects.filter(status__in=ended, stopped_at__lt=cutoff)
    ) + _delete_in_batches(
        Subscription.objects.filter(
            status__in=ended, stopped_at__isnull=True, created_at__lt=cutoff
        )
    )


@retention_job("subscriptions")
def run(now: datetime) -> dict[str, int]:
    return {
        "pending_subscriptions_deleted": purge_pending(now),
        "stopped_subscriptions_deleted": purge_stopped(now),
    }


def purge_deliveries(now: datetime) -> int:
    """Step 3."""
    cutoff = now - timedelta(days=settings.DELIVERY_RETENTION)
    return _delete_in_batches(Delivery.objects.filter(created_at__lt=cutoff))


def purge_alerts(now: datetime) -> int:
    """Step 4. Follow-ups first: an alert is protected while one points at it."""
    cutoff = now - timedelta(days=settings.ALERT_RETENTION)
    old = Alert.objects.filter(created_at__lt=cutoff)
    followups = _delete_in_batches(old.filter(original__isnull=False))
    return followups + _delete_in_batches(old.filter(original__isnull=True, followups=None))


@retention_job("deliveries")
def run_deliveries(now: datetime) -> dict[str, int]:
    return {"deliveries_deleted": purge_deliveries(now)}


@retention_job("alerts")
def run_alerts(now: datetime) -> dict[str, int]:
    return {"alerts_deleted": purge_alerts(now)}
