"""Retention of subscriptions (docs/privacy.md), run by ``vecinos purge`` and the
hourly job.

1. Subscriptions still ``pending`` ``SUBSCRIPTION_PENDING_HOURS`` (default 24) after
   they were made are deleted: the code was never typed, the contact never proven.
2. ``stopped`` and ``disabled`` subscriptions are deleted ``SUBSCRIPTION_STOPPED_DAYS``
   (default 30) after they stopped (until then START or the manage page resumes them).
   Their cells and deliveries go with them.

Each step deletes by an indexed condition in batches; running twice, or beside itself,
does nothing more. Complexity: O(rows past their window).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from vecinos.alerts.models import Subscription, SubscriptionStatus
from vecinos.core.retention import retention_job

BATCH = 1000


def _delete_in_batches(queryset: QuerySet[Subscription]) -> int:
    done = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return done
        # Cells and deliveries cascade; the count is of subscriptions alone.
        Subscription.objects.filter(pk__in=ids).delete()
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
