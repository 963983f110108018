"""Retention of alerts and deliveries: a delivery row (who got which alert) goes
DELIVERY_RETENTION days after fan-out made it, an alert ALERT_RETENTION days after it
was drafted, with its approvals, timeline and deliveries; a retraction goes before the
alert it follows, never leaving a row that points nowhere."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.servers.subscribers import make_alert, make_subscription
from vecinos.alerts.fanout import fan_out
from vecinos.alerts.models import Alert, AlertEvent, AlertKind, Delivery
from vecinos.core import retention

pytestmark = pytest.mark.django_db


def purge_at(moment: Any) -> dict[str, dict[str, int]]:
    with time_machine.travel(moment):
        return retention.run_all(timezone.now())


def test_both_jobs_are_registered_with_the_purge() -> None:
    assert {"alerts", "deliveries"} <= set(retention.jobs())


def test_a_delivery_is_deleted_after_the_delivery_window(settings: Any) -> None:
    settings.DELIVERY_RETENTION = 30
    make_subscription()
    alert = make_alert()
    fan_out(alert=alert)
    start = timezone.now()

    early = purge_at(start + timedelta(days=29))
    assert early["deliveries"]["deliveries_deleted"] == 0
    assert Delivery.objects.filter(alert=alert).count() == 1

    late = purge_at(start + timedelta(days=31))
    assert late["deliveries"]["deliveries_deleted"] == 1
    assert not Delivery.objects.exists()
    # The alert itself is the public record; it stays.
    assert Alert.objects.filter(pk=alert.pk).exists()


def test_an_alert_is_deleted_after_the_alert_window_with_its_history(settings: Any) -> None:
    settings.ALERT_RETENTION = 365
    alert = make_alert()
    AlertEvent.objects.create(alert=alert, type="published", data={})
    start = timezone.now()

    assert purge_at(start + timedelta(days=364))["alerts"]["alerts_deleted"] == 0
    assert Alert.objects.filter(pk=alert.pk).exists()

    assert purge_at(start + timedelta(days=366))["alerts"]["alerts_deleted"] == 1
    assert not Alert.objects.exists()
    assert not AlertEvent.objects.exists()


def test_a_retraction_goes_first_and_its_original_only_with_it(settings: Any) -> None:
    settings.ALERT_RETENTION = 365
    start = timezone.now()
    original = make_alert()
    with time_machine.travel(start + timedelta(days=10)):
        retraction = make_alert(original=original, kind=AlertKind.RETRACTION)

    # The original is past its window, its retraction is not: both stay.
    assert purge_at(start + timedelta(days=370))["alerts"]["alerts_deleted"] == 0
    assert set(Alert.objects.values_list("pk", flat=True)) == {original.pk, retraction.pk}

    assert purge_at(start + timedelta(days=376))["alerts"]["alerts_deleted"] == 2
    assert not Alert.objects.exists()


def test_running_twice_does_nothing_more(settings: Any) -> None:
    make_subscription()
    fan_out(alert=make_alert())
    later = timezone.now() + timedelta(days=400)

    first = purge_at(later)
    second = purge_at(later)

    assert first["alerts"]["alerts_deleted"] == 1
    assert not Delivery.objects.exists()  # with their alert, or on their own
    assert second["deliveries"] == {"deliveries_deleted": 0}
    assert second["alerts"] == {"alerts_deleted": 0}


def test_the_window_settings_are_what_the_jobs_read(settings: Any) -> None:
    settings.DELIVERY_RETENTION = 2
    settings.ALERT_RETENTION = 3
    make_subscription()
    fan_out(alert=make_alert())
    start = timezone.now()

    moved = purge_at(start + timedelta(days=2, hours=1))
    assert moved["deliveries"]["deliveries_deleted"] == 1
    assert moved["alerts"]["alerts_deleted"] == 0
    assert purge_at(start + timedelta(days=3, hours=1))["alerts"]["alerts_deleted"] == 1
