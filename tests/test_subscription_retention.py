"""Retention of subscriptions: unconfirmed ones go after a day, stopped or disabled
ones SUBSCRIPTION_STOPPED_DAYS after they stopped; active ones stay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from vecinos.alerts import retention as alerts_retention
from vecinos.alerts import subscriptions
from vecinos.alerts.models import Subscription, SubscriptionCell
from vecinos.core import retention

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def subscribe(address: str, *, confirmed: bool = True) -> Subscription:
    return subscriptions.subscribe(
        channel="sms", address=address, language="en", zip_code="90033", confirmed=confirmed
    )


def purge_at(moment: Any) -> dict[str, int]:
    with time_machine.travel(moment):
        return alerts_retention.run(timezone.now())


def test_the_job_is_registered_with_the_purge() -> None:
    assert "subscriptions" in retention.jobs()


def test_an_unconfirmed_subscription_is_deleted_after_a_day() -> None:
    start = timezone.now()
    pending = subscribe("+12135550100", confirmed=False)

    early = purge_at(start + timedelta(hours=23))
    late = purge_at(start + timedelta(hours=25))

    assert early["pending_subscriptions_deleted"] == 0
    assert late["pending_subscriptions_deleted"] == 1
    assert not Subscription.objects.filter(pk=pending.pk).exists()
    assert not SubscriptionCell.objects.filter(subscription_id=pending.pk).exists()


def test_a_stopped_subscription_is_deleted_after_the_stopped_window(settings: Any) -> None:
    settings.SUBSCRIPTION_STOPPED_DAYS = 30
    start = timezone.now()
    stopped = subscribe("+12135550100")
    subscriptions.stop_contact(channel="sms", address="+12135550100")

    assert purge_at(start + timedelta(days=29))["stopped_subscriptions_deleted"] == 0
    assert Subscription.objects.filter(pk=stopped.pk).exists()
    assert purge_at(start + timedelta(days=31))["stopped_subscriptions_deleted"] == 1
    assert not Subscription.objects.filter(pk=stopped.pk).exists()


def test_a_disabled_subscription_is_deleted_like_a_stopped_one() -> None:
    start = timezone.now()
    disabled = subscribe("+12135550100")
    subscriptions.disable_subscription(subscription=disabled, reason="sms:21211")

    purge_at(start + timedelta(days=31))

    assert not Subscription.objects.filter(pk=disabled.pk).exists()


def test_active_subscriptions_stay() -> None:
    start = timezone.now()
    active = subscribe("+12135550100")

    result = purge_at(start + timedelta(days=400))

    assert result["pending_subscriptions_deleted"] == result["stopped_subscriptions_deleted"] == 0
    assert Subscription.objects.filter(pk=active.pk).exists()


def test_the_window_counts_from_when_it_stopped_not_when_it_was_made() -> None:
    start = timezone.now()
    old = subscribe("+12135550100")
    with time_machine.travel(start + timedelta(days=100)):
        subscriptions.stop_subscription(subscription=old)

    assert purge_at(start + timedelta(days=120))["stopped_subscriptions_deleted"] == 0
    assert purge_at(start + timedelta(days=131))["stopped_subscriptions_deleted"] == 1


def test_running_twice_does_nothing_more() -> None:
    start = timezone.now()
    subscribe("+12135550100", confirmed=False)

    first = purge_at(start + timedelta(days=2))
    second = purge_at(start + timedelta(days=2))

    assert first["pending_subscriptions_deleted"] == 1
    assert second == dict.fromkeys(first, 0)
