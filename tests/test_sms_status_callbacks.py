"""Twilio status callbacks move a delivery forward only: queued < sending < sent <
delivered, failed is final; duplicates and callbacks out of order change nothing.
A permanent failure disables the subscription."""

from __future__ import annotations

import pytest

from tests.conftest import SignedTwilio
from tests.servers.subscribers import make_alert
from vecinos.alerts import subscriptions
from vecinos.alerts.models import Delivery, DeliveryStatus, Subscription, SubscriptionStatus

pytestmark = [pytest.mark.django_db]

SID = "SM" + "0123456789abcdef" * 2


@pytest.fixture
def delivery() -> Delivery:
    subscription = subscriptions.subscribe(
        channel="sms", address="+12135550100", language="en", zip_code="90033", confirmed=True
    )
    return Delivery.objects.create(
        alert=make_alert(),
        subscription=subscription,
        channel="sms",
        status=DeliveryStatus.SENT,
        provider_id=SID,
    )


def callback(twilio: SignedTwilio, state: str, error_code: str = "", sid: str = SID) -> int:
    params = {"MessageSid": sid, "MessageStatus": state, "AccountSid": "AC" + "1" * 32}
    if error_code:
        params["ErrorCode"] = error_code
    return int(twilio.post("/sms/twilio/status", params).status_code)


def status_of(delivery: Delivery) -> str:
    delivery.refresh_from_db()
    return delivery.status


def test_delivered_is_recorded_with_its_time(
    twilio_webhook: SignedTwilio, delivery: Delivery
) -> None:
    assert callback(twilio_webhook, "delivered") == 204

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.delivered_at is not None


def test_callbacks_in_order_move_forward(twilio_webhook: SignedTwilio, delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.QUEUED)

    seen = []
    for state in ["queued", "sending", "sent", "delivered"]:
        callback(twilio_webhook, state)
        seen.append(status_of(delivery))

    assert seen == ["queued", "sending", "sent", "delivered"]


@pytest.mark.parametrize("late", ["queued", "accepted", "sending", "sent", "delivered"])
def test_late_or_repeated_callbacks_never_move_back(
    twilio_webhook: SignedTwilio, delivery: Delivery, late: str
) -> None:
    callback(twilio_webhook, "delivered")
    first_time = Delivery.objects.get(pk=delivery.pk).delivered_at

    assert callback(twilio_webhook, late) == 204

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.delivered_at == first_time


def test_failed_is_final(twilio_webhook: SignedTwilio, delivery: Delivery) -> None:
    callback(twilio_webhook, "undelivered", "30008")

    for state in ["sent", "delivered", "queued"]:
        callback(twilio_webhook, state)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error == "twilio:30008"


def test_delivered_is_not_undone_by_a_late_failure(
    twilio_webhook: SignedTwilio, delivery: Delivery
) -> None:
    callback(twilio_webhook, "delivered")
    callback(twilio_webhook, "failed", "30003")

    assert status_of(delivery) == DeliveryStatus.DELIVERED


def test_a_transient_failure_keeps_the_subscription(
    twilio_webhook: SignedTwilio, delivery: Delivery
) -> None:
    callback(twilio_webhook, "undelivered", "30008")  # unknown error: maybe next time

    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE


@pytest.mark.parametrize("code", ["21211", "21610", "30003", "30005", "30006"])
def test_a_permanent_failure_disables_the_subscription(
    twilio_webhook: SignedTwilio, delivery: Delivery, code: str
) -> None:
    callback(twilio_webhook, "failed", code)
    callback(twilio_webhook, "failed", code)  # a duplicate is harmless

    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.DISABLED
    assert subscription.disabled_reason == f"sms:{code}"
    assert subscription.stopped_at is not None
    assert status_of(delivery) == DeliveryStatus.FAILED


@pytest.mark.parametrize("state", ["received", "receiving", "partially_delivered"])
def test_states_we_do_not_track_are_ignored(
    twilio_webhook: SignedTwilio, delivery: Delivery, state: str
) -> None:
    assert callback(twilio_webhook, state) == 204
    assert status_of(delivery) == DeliveryStatus.SENT


def test_a_callback_for_an_unknown_message_is_ignored(
    twilio_webhook: SignedTwilio, delivery: Delivery
) -> None:
    assert callback(twilio_webhook, "failed", "21610", sid="SM" + "9" * 32) == 204

    assert status_of(delivery) == DeliveryStatus.SENT
    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE


@pytest.mark.parametrize(
    ("state", "sid", "code"),
    [
        ("", SID, ""),
        ("DROP TABLE", SID, ""),
        ("delivered", "x", ""),
        ("delivered", SID + "'--", ""),
        ("failed", SID, "abc"),
    ],
)
def test_malformed_callbacks_are_refused(
    twilio_webhook: SignedTwilio, delivery: Delivery, state: str, sid: str, code: str
) -> None:
    assert callback(twilio_webhook, state, code, sid=sid) == 400
    assert status_of(delivery) == DeliveryStatus.SENT


def test_a_callback_that_arrives_before_the_sid_is_recorded_finds_its_delivery(
    twilio_webhook: SignedTwilio,
) -> None:
    subscription = subscriptions.subscribe(
        channel="sms", address="+12135550101", language="en", zip_code="90033", confirmed=True
    )
    # The worker has sent it, but not yet recorded the sid Twilio answered.
    sending = Delivery.objects.create(
        alert=make_alert(),
        subscription=subscription,
        channel="sms",
        status=DeliveryStatus.SENDING,
    )
    params = {"MessageSid": SID, "MessageStatus": "delivered", "AccountSid": "AC" + "1" * 32}

    response = twilio_webhook.post(f"/sms/twilio/status?key=d{sending.pk}", params)

    assert response.status_code == 204
    sending.refresh_from_db()
    assert sending.status == DeliveryStatus.DELIVERED
    assert sending.provider_id == SID
    assert sending.sent_at is not None
    assert sending.delivered_at is not None


def test_the_key_in_the_callback_url_is_covered_by_the_signature(
    twilio_webhook: SignedTwilio, delivery: Delivery
) -> None:
    params = {"MessageSid": SID, "MessageStatus": "failed", "AccountSid": "AC" + "1" * 32}
    signed_for_another = twilio_webhook.signature(f"/sms/twilio/status?key=d{delivery.pk}", params)

    response = twilio_webhook.post(
        f"/sms/twilio/status?key=d{delivery.pk + 1}", params, signature=signed_for_another
    )

    assert response.status_code == 403
    assert status_of(delivery) == DeliveryStatus.SENT
