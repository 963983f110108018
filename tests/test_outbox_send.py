"""Workers send each claimed delivery once, in the subscriber's language, and record it;
stopped subscriptions and retracted alerts are skipped; test alerts stay on the console."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django import Settings

from tests.servers.subscribers import make_alert, make_subscription
from vecinos.alerts.fanout import fan_out
from vecinos.alerts.models import AlertStatus, Delivery, DeliveryStatus, SubscriptionStatus
from vecinos.delivery import outbox

pytestmark = pytest.mark.django_db


def test_a_worker_sends_every_queued_delivery_once_and_records_it(console_outbox: Any) -> None:
    people = [make_subscription(), make_subscription(channel="email")]
    alert = make_alert()
    fan_out(alert=alert)

    assert outbox.drain(channel="sms") == 1
    assert outbox.drain(channel="email") == 1
    assert outbox.drain(channel="sms") == 0  # a second run finds nothing

    assert len(console_outbox) == 2
    assert {sent.address for sent in console_outbox} == {p.contact for p in people}
    for row in Delivery.objects.filter(alert=alert):
        assert row.status == DeliveryStatus.SENT
        assert row.provider_id.startswith("console-")
        assert row.sent_at is not None
        assert row.claim_token == ""


def test_the_idempotency_key_is_the_delivery_id(console_outbox: Any) -> None:
    make_subscription()
    alert = make_alert()
    fan_out(alert=alert)
    outbox.drain(channel="sms")
    row = Delivery.objects.get(alert=alert)
    assert console_outbox[0].message.key == f"d{row.pk}"


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(language, channel) of every alert message rendered, in order."""
    from vecinos.alerts import messages

    asked: list[tuple[str, str]] = []
    real = messages.render_message

    def spy(alert: Any, *, language: str, channel: str, **options: Any) -> Any:
        asked.append((language, channel))
        return real(alert, language=language, channel=channel, **options)

    monkeypatch.setattr(messages, "render_message", spy)
    return asked


def test_the_message_is_rendered_in_the_subscribers_language(
    console_outbox: Any, renders: list[tuple[str, str]]
) -> None:
    asked = renders
    make_subscription(language="es")
    make_subscription(channel="email", language="ko")
    fan_out(alert=make_alert())
    outbox.drain(channel="sms")
    outbox.drain(channel="email")
    assert sorted(asked) == [("es", "sms"), ("ko", "email")]


def test_an_alert_is_rendered_once_per_language_however_many_subscribers_read_it(
    console_outbox: Any, renders: list[tuple[str, str]]
) -> None:
    asked = renders
    for _ in range(3):
        make_subscription(language="es")
        make_subscription(language="en")
    fan_out(alert=make_alert())
    outbox.drain(channel="sms")
    assert sorted(asked) == [("en", "sms"), ("es", "sms")]
    assert len(console_outbox) == 6


def test_a_delivery_already_holding_a_provider_id_is_never_sent_again(
    console_outbox: Any,
) -> None:
    make_subscription()
    alert = make_alert()
    fan_out(alert=alert)
    # A worker sent it and died before recording the outcome, leaving the provider's id.
    Delivery.objects.filter(alert=alert).update(provider_id="SM123")
    outbox.drain(channel="sms")
    assert len(console_outbox) == 0
    row = Delivery.objects.get(alert=alert)
    assert row.status == DeliveryStatus.SENT and row.provider_id == "SM123"


def test_a_subscription_stopped_after_fan_out_is_skipped(console_outbox: Any) -> None:
    person = make_subscription()
    alert = make_alert()
    fan_out(alert=alert)
    person.status = SubscriptionStatus.STOPPED
    person.save()

    outbox.drain(channel="sms")
    assert len(console_outbox) == 0
    row = Delivery.objects.get(alert=alert)
    assert (row.status, row.error) == (DeliveryStatus.SKIPPED, "stopped")


def test_an_alert_retracted_before_its_turn_is_not_sent(console_outbox: Any) -> None:
    make_subscription()
    alert = make_alert()
    fan_out(alert=alert)
    alert.status = AlertStatus.RETRACTED
    alert.save()

    outbox.drain(channel="sms")
    assert len(console_outbox) == 0
    assert Delivery.objects.get(alert=alert).status == DeliveryStatus.SKIPPED


def test_a_test_alert_only_reaches_the_console_even_with_a_provider_configured(
    twilio_server: Any, console_outbox: Any
) -> None:
    make_subscription()
    alert = make_alert(is_test=True)
    fan_out(alert=alert)
    outbox.drain(channel="sms")
    assert twilio_server.messages == []
    assert len(console_outbox) == 1
    assert Delivery.objects.get(alert=alert).status == DeliveryStatus.SENT


def test_a_real_alert_with_a_provider_configured_goes_to_the_provider(
    twilio_server: Any, console_outbox: Any
) -> None:
    person = make_subscription()
    fan_out(alert=make_alert())
    outbox.drain(channel="sms")
    assert [message.to for message in twilio_server.messages] == [person.contact]
    assert len(console_outbox) == 0


def test_the_worker_task_drains_its_channel(console_outbox: Any) -> None:
    from vecinos.delivery import tasks

    make_subscription()
    make_subscription()
    fan_out(alert=make_alert())
    tasks.deliver.call_local("sms")
    assert len(console_outbox) == 2


def test_publishing_wakes_the_workers_after_commit(
    console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_subscription()
    make_subscription(channel="email")
    alert = make_alert()
    with django_capture_on_commit_callbacks(execute=True):
        fan_out(alert=alert)
    # The test queue runs tasks at once (HUEY immediate): both channels are drained.
    assert len(console_outbox) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_sms_claims_are_sized_to_the_senders_budget(settings: Settings) -> None:
    settings.SMS_PROVIDER = "twilio"
    settings.DELIVERY_CONSOLE_ONLY = False
    settings.TWILIO_FROM = ["+13235550001"]
    settings.SMS_RATE = 1.0
    settings.DELIVERY_BATCH_SIZE = 100
    # One long code sends 30 messages in the 30 seconds one claim may hold.
    assert outbox.claim_limit("sms") == 30
    assert outbox.claim_limit("email") == 100


def test_a_delivery_whose_subscription_was_deleted_meanwhile_is_skipped(
    console_outbox: Any,
) -> None:
    # Delivery's keys are not database constraints (vecinos/alerts/models.py): a
    # subscription deleted while its alert fanned out leaves a row that names it.
    from django.db import connection

    gone, kept = make_subscription(), make_subscription()
    alert = make_alert()
    fan_out(alert=alert)
    gone_id = gone._meta.pk.get_db_prep_value(gone.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM alerts_subscriptioncell WHERE subscription_id = %s", [gone_id])
        cursor.execute("DELETE FROM alerts_subscription WHERE id = %s", [gone_id])

    assert outbox.drain(channel="sms") == 2
    assert [sent.address for sent in console_outbox] == [kept.contact]
    orphan = Delivery.objects.get(alert=alert, subscription_id=gone.pk)
    assert (orphan.status, orphan.error) == (DeliveryStatus.SKIPPED, "stopped")
