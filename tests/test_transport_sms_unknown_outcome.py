"""An SMS is never sent twice: the client tries again only what cannot have reached
the provider (a connection that could not be opened); a request the provider may have
taken without answering is recorded "unknown — not retried" and left alone. Proved
against the loopback Twilio server, which, like Twilio, honours no idempotency key."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import free_port
from tests.servers.subscribers import make_alert, make_subscription
from tests.servers.twilio import SID, TOKEN, TwilioServer
from vecinos.alerts.fanout import fan_out
from vecinos.alerts.models import Delivery, DeliveryStatus, SubscriptionStatus
from vecinos.delivery import outbox
from vecinos.delivery.transports import OutgoingMessage, TransportError
from vecinos.delivery.transports.sms import UNKNOWN, TwilioTransport

pytestmark = pytest.mark.django_db


def sms(key: str = "d1") -> OutgoingMessage:
    return OutgoingMessage(key=key, channel="sms", address="+12135550120", subject="", text="x")


def test_a_message_the_provider_took_without_answering_is_not_sent_again(
    twilio_server: Any,
) -> None:
    twilio_server.swallow = 1

    with pytest.raises(TransportError) as caught:
        TwilioTransport().send(sms())

    assert caught.value.code == UNKNOWN
    assert caught.value.permanent and not caught.value.disable
    assert len(twilio_server.messages) == 1  # it did arrive; no second copy follows


def test_the_outbox_records_the_unknown_outcome_and_keeps_the_subscription(
    twilio_server: Any,
) -> None:
    subscription = make_subscription()
    fan_out(alert=make_alert())
    twilio_server.swallow = 1

    outbox.drain(channel="sms")
    outbox.drain(channel="sms")

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.error) == (DeliveryStatus.FAILED, UNKNOWN)
    assert len(twilio_server.messages) == 1
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE


def test_a_refused_connection_is_tried_again_later_and_the_message_goes_once(
    settings: Any,
) -> None:
    port = free_port()  # nothing listens here yet: every connection is refused
    settings.SMS_PROVIDER = "twilio"
    settings.TWILIO_API_BASE = f"http://127.0.0.1:{port}"
    settings.TWILIO_ACCOUNT_SID = SID
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_FROM = ["+13235550001"]
    settings.SMS_RATE = 1000.0
    settings.DELIVERY_CONSOLE_ONLY = False
    make_subscription()
    fan_out(alert=make_alert())

    outbox.drain(channel="sms")
    waiting = Delivery.objects.get()
    assert (waiting.status, waiting.error) == (DeliveryStatus.QUEUED, "sms_unreachable")

    server = TwilioServer(port).start()
    try:
        Delivery.objects.update(next_attempt_at=waiting.created_at)
        outbox.drain(channel="sms")
    finally:
        server.stop()

    assert Delivery.objects.get().status == DeliveryStatus.SENT
    assert len(server.messages) == 1


def test_a_refused_connection_is_retried_at_once_before_giving_up(
    twilio_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The socket is refused once, as by a provider restarting, then opens.
    import urllib3.connection

    opened: list[int] = []
    real = urllib3.connection.connection.create_connection

    def flaky(*args: Any, **kwargs: Any) -> Any:
        opened.append(1)
        if len(opened) == 1:
            raise ConnectionRefusedError("refused once")
        return real(*args, **kwargs)

    monkeypatch.setattr(urllib3.connection.connection, "create_connection", flaky)

    receipt = TwilioTransport().send(sms(key="d7"))

    assert len(opened) == 2
    assert receipt.provider_id == twilio_server.messages[0].sid
    assert len(twilio_server.messages) == 1
