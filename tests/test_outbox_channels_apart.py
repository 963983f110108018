"""A channel's backlog never holds the worker threads the others need: SMS paced by
SMS_RATE is drained by one thread at a time (a second drain task ends at once), every
drain hands over after a short slice, the minute sweep rings per channel instead of
draining in its own thread, and a transactional SMS (a code, a dispatch request) waits
for one slot of the sender, not for the alert's backlog."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from pytest_django import Settings

from tests.conftest import closing_connections
from tests.servers.subscribers import make_alert, make_subscription
from vecinos.alerts.fanout import fan_out
from vecinos.alerts.models import Delivery, DeliveryStatus
from vecinos.delivery import outbox, tasks
from vecinos.delivery.tasks import send_transactional


def wait_until(condition: Any, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def sms_backlog(settings: Settings, twilio_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """40 SMS subscribers at 4 messages a second per sender (two senders): 5 s, claimed
    a second's worth (8) at a time."""
    settings.SMS_RATE = 4.0
    monkeypatch.setattr(outbox, "SMS_CLAIM_SECONDS", 1)
    for _ in range(40):
        make_subscription()
    with monkeypatch.context() as quiet:  # the queue runs tasks inline in tests: not yet
        quiet.setattr(tasks, "deliver", lambda channel: None)
        fan_out(alert=make_alert())
    assert twilio_server.messages == []
    return twilio_server


@pytest.mark.django_db(transaction=True)
def test_a_second_drain_of_paced_sms_ends_at_once_instead_of_holding_a_thread(
    sms_backlog: Any,
) -> None:
    first = threading.Thread(
        target=closing_connections(outbox.drain), kwargs={"channel": "sms", "max_seconds": 60}
    )
    first.start()
    wait_until(lambda: sms_backlog.messages)
    started = time.monotonic()
    assert outbox.drain(channel="sms") == 0
    assert time.monotonic() - started < 0.5
    first.join(30)
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 40


@pytest.mark.django_db(transaction=True)
def test_a_code_by_sms_waits_one_slot_not_the_alerts_backlog(sms_backlog: Any) -> None:
    draining = threading.Thread(
        target=closing_connections(outbox.drain), kwargs={"channel": "sms", "max_seconds": 60}
    )
    draining.start()
    wait_until(lambda: len(sms_backlog.messages) >= 3)
    started = time.monotonic()
    send_transactional(
        channel="sms", address="+12135550999", subject="", text="Vecinos: your code is 123456"
    )
    wait_until(lambda: sms_backlog.to("+12135550999"))
    waited = time.monotonic() - started
    draining.join(30)
    assert waited < 1.0  # one slot at 4/s per sender, not the 5 s backlog
    assert len(sms_backlog.messages) == 41


@pytest.mark.django_db
def test_a_drain_hands_its_channel_over_after_its_slice(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, console_outbox: Any
) -> None:
    settings.DELIVERY_BATCH_SIZE = 5
    for _ in range(12):
        make_subscription(channel="email")
    fan_out(alert=make_alert())
    rung: list[str] = []
    monkeypatch.setattr(tasks, "deliver", rung.append)
    monkeypatch.setattr(outbox, "DRAIN_SLICE_SECONDS", 0)
    assert outbox.drain(channel="email", hand_over=tasks._hand_over) == 5
    assert rung == ["email"]  # a fresh task, at the back of the queue, does the rest


@pytest.mark.django_db
def test_the_minute_sweep_rings_each_due_channel_and_sends_nothing_itself(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, twilio_server: Any
) -> None:
    settings.SMS_RATE = 0.5
    for _ in range(5):
        make_subscription()
    make_subscription(channel="email")
    fan_out(alert=make_alert())
    rung: list[str] = []
    monkeypatch.setattr(tasks, "deliver", rung.append)
    started = time.monotonic()
    tasks.sweep_outbox.call_local()
    assert time.monotonic() - started < 1.0
    assert sorted(rung) == ["email", "sms"]
    assert twilio_server.messages == []
