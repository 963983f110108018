"""Reads of subscriptions: one contact's subscriptions, their cells."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from vecinos.alerts.models import (
    Subscription,
    SubscriptionCell,
)


def _cells_of(subscription_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, set[int]]:
    found: dict[uuid.UUID, set[int]] = {}
    for sub_id, cell in SubscriptionCell.objects.filter(
        subscription_id__in=list(subscription_ids)
    ).values_list("subscription_id", "cell"):
        found.setdefault(sub_id, set()).add(cell)
    return found


def subscriptions_of_contact(*, channel: str, contact_hash: str) -> list[Subscription]:
    """Every subscription of one contact on one channel, newest first (manage page)."""
    return list(
        Subscription.objects.filter(channel=channel, contact_hash=contact_hash).order_by(
            "-created_at"
        )[:100]
    )
