"""A worker killed mid-fan-out repeats at most the message it had in flight: each
outcome is recorded as soon as its message is sent, so after the claim times out only
the one message sent and not yet recorded is sent again (docs/architecture.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django import Settings

from tests.servers.subscribers import make_alert, make_subscription
from vecinos.alerts.fanout import fan_out
from vecinos.alerts.models import Delivery, DeliveryStatus
from vecinos.delivery import outbox
from vecinos.delivery.transports import OutgoingMessage, Receipt, Transport, TransportError

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The worker dies (kill -9): nothing after this line of the worker runs."""


class Provider(Transport):
    """A provider that receives every message it is given; the worker dies right
    after the provider accepted message number ``die_after`` (before recording it)."""

    channel = "sms"

    def __init__(self, received: Counter[str], die_after: int | None = None) -> None:
        self.received = received
        self.die_after = die_after

    def send(self, message: OutgoingMessage) -> Receipt:
        self.received[str(message.address)] += 1
        if self.die_after is not None and sum(self.received.values()) == self.die_after:
            raise Killed
        return Receipt(provider_id=f"SM{message.key}", status="sent")

    def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[Receipt | TransportError]:
        return [self.send(message) for message in messages]


@pytest.mark.parametrize("die_after", [1, 37, 50, 51, 120])
def test_a_killed_worker_repeats_only_the_message_in_flight(
    settings: Settings, die_after: int
) -> None:
    settings.DELIVERY_BATCH_SIZE = 500
    people = [make_subscription() for _ in range(150)]
    alert = make_alert()
    fan_out(alert=alert)
    received: Counter[str] = Counter()

    token, ids = outbox.claim(channel="sms")
    with pytest.raises(Killed):
        outbox.process(token, ids, transports=lambda _c, _t: Provider(received, die_after))
    recorded = Delivery.objects.filter(alert=alert, status=DeliveryStatus.SENT).count()
    assert recorded == die_after - 1  # everything but the message in flight

    # The claim of the dead worker times out; another worker takes over.
    Delivery.objects.filter(status=DeliveryStatus.SENDING).update(
        claimed_at=timezone.now() - timedelta(hours=1)
    )
    while True:
        token, ids = outbox.claim(channel="sms")
        if not ids:
            break
        outbox.process(token, ids, transports=lambda _c, _t: Provider(received))

    assert {p.contact for p in people} == set(received)  # nobody missed
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates <= 1  # threads (1) x messages in flight per thread (1)
    assert Delivery.objects.filter(alert=alert, status=DeliveryStatus.SENT).count() == 150
