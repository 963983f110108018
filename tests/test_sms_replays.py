"""Inbound messages and status callbacks are idempotent by their Twilio ids. A
replayed signed ``REPORTE`` (same ``MessageSid``) files nothing new; a late or
replayed ``undelivered`` callback disables a subscription only when that failure is
newer than its last success (a receipt, a confirmation, a START from the number)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import SignedTwilio
from tests.servers.subscribers import make_alert
from vecinos.alerts import subscriptions
from vecinos.alerts.models import Delivery, DeliveryStatus, Subscription, SubscriptionStatus
from vecinos.core.retention import run_all
from vecinos.reports.models import Report

pytestmark = [pytest.mark.django_db]

PHONE = "+12135550100"
INVALID_NUMBER = "30005"


def inbound(twilio: SignedTwilio, body: str, sid: str) -> Any:
    params = {"MessageSid": sid, "From": PHONE, "To": "+13235550001", "Body": body}
    return twilio.post("/sms/twilio", params)


def callback(twilio: SignedTwilio, sid: str, state: str, code: str = "") -> int:
    params = {"MessageSid": sid, "MessageStatus": state, "AccountSid": "AC" + "1" * 32}
    if code:
        params["ErrorCode"] = code
    return int(twilio.post("/sms/twilio/status", params).status_code)


def test_a_replayed_reporte_files_nothing_new(twilio_webhook: SignedTwilio) -> None:
    sid = "SM" + "7" * 32
    first = inbound(twilio_webhook, "REPORTE redada en la fábrica 90033", sid)
    again = inbound(twilio_webhook, "REPORTE redada en la fábrica 90033", sid)

    assert first.status_code == again.status_code == 200
    assert Report.objects.count() == 1
    assert b"<Message>" in first.content
    assert b"<Message>" not in again.content


def test_the_same_text_with_another_message_id_is_a_new_report(
    twilio_webhook: SignedTwilio,
) -> None:
    inbound(twilio_webhook, "REPORTE redada 90033", "SM" + "1" * 32)
    inbound(twilio_webhook, "REPORTE redada 90033", "SM" + "2" * 32)

    assert Report.objects.count() == 2


def test_an_inbound_message_without_an_id_is_refused(twilio_webhook: SignedTwilio) -> None:
    params = {"From": PHONE, "To": "+13235550001", "Body": "REPORTE redada 90033"}

    assert twilio_webhook.post("/sms/twilio", params).status_code == 400
    assert not Report.objects.exists()


def test_only_a_keyed_hash_of_the_id_is_kept_and_it_expires(
    twilio_webhook: SignedTwilio, settings: Any
) -> None:
    from vecinos.delivery.models import InboundMessage

    sid = "SM" + "9" * 32
    inbound(twilio_webhook, "HELP", sid)

    (row,) = InboundMessage.objects.all()
    assert sid not in row.sid_hash
    with time_machine.travel(timezone.now() + timedelta(days=settings.SMS_INBOUND_REPLAY_DAYS + 1)):
        run_all(timezone.now())
    assert not InboundMessage.objects.exists()


@pytest.fixture
def subscription() -> Subscription:
    return subscriptions.subscribe(
        channel="sms", address=PHONE, language="en", zip_code="90033", confirmed=True
    )


def sent(subscription: Subscription, sid: str, at: Any) -> Delivery:
    return Delivery.objects.create(
        alert=make_alert(),
        subscription=subscription,
        channel="sms",
        status=DeliveryStatus.SENT,
        provider_id=sid,
        sent_at=at,
        created_at=at,
    )


def status(subscription: Subscription) -> str:
    subscription.refresh_from_db()
    return subscription.status


def test_a_late_failure_of_an_older_message_does_not_disable_after_a_newer_receipt(
    twilio_webhook: SignedTwilio, subscription: Subscription
) -> None:
    now = timezone.now()
    sent(subscription, "SM" + "a" * 32, now + timedelta(minutes=1))
    sent(subscription, "SM" + "b" * 32, now + timedelta(minutes=2))
    with time_machine.travel(now + timedelta(minutes=3)):
        callback(twilio_webhook, "SM" + "b" * 32, "delivered")
    with time_machine.travel(now + timedelta(minutes=4)):
        callback(twilio_webhook, "SM" + "a" * 32, "undelivered", INVALID_NUMBER)

    assert status(subscription) == SubscriptionStatus.ACTIVE


def test_a_replayed_failure_does_not_disable_again_after_start(
    twilio_webhook: SignedTwilio, subscription: Subscription
) -> None:
    now = timezone.now()
    sid = "SM" + "c" * 32
    sent(subscription, sid, now + timedelta(minutes=1))
    with time_machine.travel(now + timedelta(minutes=2)):
        callback(twilio_webhook, sid, "undelivered", INVALID_NUMBER)
    assert status(subscription) == SubscriptionStatus.DISABLED

    with time_machine.travel(now + timedelta(minutes=3)):
        assert "on again" in twilio_webhook.reply("START", sender=PHONE)
    assert status(subscription) == SubscriptionStatus.ACTIVE

    with time_machine.travel(now + timedelta(minutes=4)):
        callback(twilio_webhook, sid, "undelivered", INVALID_NUMBER)

    assert status(subscription) == SubscriptionStatus.ACTIVE


def test_a_first_late_failure_of_a_message_sent_before_start_does_not_disable(
    twilio_webhook: SignedTwilio, subscription: Subscription
) -> None:
    now = timezone.now()
    sid = "SM" + "d" * 32
    sent(subscription, sid, now + timedelta(minutes=1))
    Subscription.objects.filter(pk=subscription.pk).update(status=SubscriptionStatus.STOPPED)
    with time_machine.travel(now + timedelta(minutes=2)):
        twilio_webhook.reply("START", sender=PHONE)
    with time_machine.travel(now + timedelta(minutes=3)):
        callback(twilio_webhook, sid, "undelivered", INVALID_NUMBER)

    assert status(subscription) == SubscriptionStatus.ACTIVE


def test_a_failure_newer_than_the_last_success_still_disables(
    twilio_webhook: SignedTwilio, subscription: Subscription
) -> None:
    now = timezone.now()
    sent(subscription, "SM" + "e" * 32, now + timedelta(minutes=1))
    sent(subscription, "SM" + "f" * 32, now + timedelta(minutes=3))
    with time_machine.travel(now + timedelta(minutes=2)):
        callback(twilio_webhook, "SM" + "e" * 32, "delivered")
    with time_machine.travel(now + timedelta(minutes=4)):
        callback(twilio_webhook, "SM" + "f" * 32, "undelivered", INVALID_NUMBER)

    assert status(subscription) == SubscriptionStatus.DISABLED
