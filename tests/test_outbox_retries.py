"""Transient failures are retried with exponential backoff until the alert expires;
permanent ones fail the delivery and disable the subscription."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.servers.subscribers import make_alert, make_subscription
from vecinos.alerts.fanout import fan_out
from vecinos.alerts.models import Delivery, DeliveryStatus, SubscriptionStatus
from vecinos.delivery import outbox

pytestmark = pytest.mark.django_db


def one_delivery(phone: str, *, hours: float = 6) -> Delivery:
    make_subscription(contact=phone)
    alert = make_alert(hours=hours)
    fan_out(alert=alert)
    return Delivery.objects.get(alert=alert)


def test_backoff_doubles_from_thirty_seconds_up_to_an_hour() -> None:
    waits = [outbox.backoff(attempts) for attempts in range(1, 10)]
    for attempts, wait in enumerate(waits, start=1):
        base = min(3600, 30 * 2 ** (attempts - 1))
        assert base * 0.9 <= wait <= base * 1.1


def test_a_busy_provider_puts_the_delivery_back_in_the_queue_for_later(
    twilio_server: Any,
) -> None:
    twilio_server.fail["+12135550150"] = (429, 20429)
    row = one_delivery("+12135550150")
    before = timezone.now()
    outbox.drain(channel="sms")

    row.refresh_from_db()
    assert row.status == DeliveryStatus.QUEUED
    assert row.attempts == 1
    assert row.error == "sms_429_20429"
    assert before + timedelta(seconds=26) <= row.next_attempt_at
    assert row.next_attempt_at <= timezone.now() + timedelta(seconds=34)


def test_the_retry_is_sent_when_its_time_comes(twilio_server: Any) -> None:
    twilio_server.fail["+12135550151"] = (500, 0)
    twilio_server.fail_times["+12135550151"] = 2
    row = one_delivery("+12135550151")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        outbox.drain(channel="sms")
        assert outbox.drain(channel="sms") == 0  # not due yet
        clock.shift(timedelta(seconds=40))
        outbox.drain(channel="sms")  # second failure: next in about a minute
        row.refresh_from_db()
        assert (row.status, row.attempts) == (DeliveryStatus.QUEUED, 2)
        clock.shift(timedelta(seconds=40))
        assert outbox.drain(channel="sms") == 0
        clock.shift(timedelta(seconds=30))
        outbox.drain(channel="sms")

    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT
    assert row.attempts == 3
    assert len(twilio_server.to("+12135550151")) == 1


def test_retries_stop_when_the_alert_expires(twilio_server: Any) -> None:
    twilio_server.fail["+12135550152"] = (503, 0)
    row = one_delivery("+12135550152", hours=0.05)  # three minutes
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(10):
            outbox.drain(channel="sms")
            clock.shift(timedelta(minutes=1))
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED
    assert row.error.startswith("expired")
    assert twilio_server.messages == []


def test_a_delivery_due_after_its_alert_expired_is_failed_without_sending(
    twilio_server: Any,
) -> None:
    row = one_delivery("+12135550153", hours=1)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        outbox.drain(channel="sms")
    row.refresh_from_db()
    assert (row.status, row.error) == (DeliveryStatus.FAILED, "expired")
    assert twilio_server.messages == []


@pytest.mark.parametrize(
    ("code", "reason"),
    [(21211, "invalid_number"), (21610, "opted_out"), (21614, "not_mobile")],
)
def test_a_number_the_provider_refuses_for_good_disables_the_subscription(
    twilio_server: Any, code: int, reason: str
) -> None:
    twilio_server.fail["+12135550154"] = (400, code)
    row = one_delivery("+12135550154")
    outbox.drain(channel="sms")

    row.refresh_from_db()
    assert (row.status, row.error) == (DeliveryStatus.FAILED, reason)
    row.subscription.refresh_from_db()
    assert row.subscription.status == SubscriptionStatus.DISABLED
    assert row.subscription.disabled_reason == reason
    # Not retried.
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert outbox.drain(channel="sms") == 0


def test_a_message_refused_for_its_own_content_fails_but_keeps_the_subscription(
    twilio_server: Any,
) -> None:
    twilio_server.fail["+12135550155"] = (400, 21617)
    row = one_delivery("+12135550155")
    outbox.drain(channel="sms")
    row.refresh_from_db()
    assert (row.status, row.error) == (DeliveryStatus.FAILED, "body_too_long")
    row.subscription.refresh_from_db()
    assert row.subscription.status == SubscriptionStatus.ACTIVE


def test_wrong_credentials_are_retried_not_blamed_on_the_subscriber(
    twilio_server: Any, settings: Any
) -> None:
    settings.TWILIO_AUTH_TOKEN = "wrong"
    row = one_delivery("+12135550156")
    outbox.drain(channel="sms")
    row.refresh_from_db()
    assert row.status == DeliveryStatus.QUEUED
    assert row.error == "sms_config_20003"
    assert twilio_server.unauthorised == 1
    row.subscription.refresh_from_db()
    assert row.subscription.status == SubscriptionStatus.ACTIVE


def test_an_unreachable_provider_is_a_transient_failure(settings: Any) -> None:
    from tests.conftest import free_port

    settings.SMS_PROVIDER = "twilio"
    settings.DELIVERY_CONSOLE_ONLY = False
    settings.TWILIO_API_BASE = f"http://127.0.0.1:{free_port()}"  # nobody listens
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC1", "token"
    settings.TWILIO_FROM = ["+13235550001"]
    row = one_delivery("+12135550157")
    outbox.drain(channel="sms")
    row.refresh_from_db()
    assert (row.status, row.error) == (DeliveryStatus.QUEUED, "sms_unreachable")
