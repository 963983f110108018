"""Provider outage: the SMS provider answers 503, then answers some messages too late
(timeouts), then recovers. Nothing is dropped and nothing is sent twice: every SMS
subscriber gets the alert exactly once. A 503 is retried with a growing backoff; a
message the provider may have taken (it answered too late) is recorded
``sms_unknown_not_retried`` and never sent again, since Twilio's Messages API takes no
idempotency key (docs/architecture.md). Reports are accepted meanwhile, and email is
not held up."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from tests.factories import report_payload
from tests.proofs.conftest import size, write_figures
from tests.servers.subscribers import make_alert, make_subscription
from vecinos.alerts.fanout import fan_out
from vecinos.alerts.models import Delivery, DeliveryStatus
from vecinos.delivery import outbox, tasks
from vecinos.delivery.transports import sms

pytestmark = pytest.mark.django_db


def sms_rows() -> Any:
    return Delivery.objects.filter(channel="sms")


def time_passes(seconds: float) -> None:
    """The retry times come (the rows' clocks move back instead of ours moving on)."""
    for row in sms_rows().filter(status=DeliveryStatus.QUEUED):
        row.next_attempt_at -= timedelta(seconds=seconds)
        row.save(update_fields=["next_attempt_at"])


def test_an_sms_outage_drops_nothing_backs_off_and_holds_up_nothing_else(
    settings: Settings,
    twilio_server: Any,
    smtp_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recipients = size(40, 2000)
    phones = [make_subscription().contact for _ in range(recipients)]
    emails = [make_subscription(channel="email").contact for _ in range(10)]
    with monkeypatch.context() as quiet:
        quiet.setattr(tasks, "deliver", lambda channel: None)
        fan_out(alert=make_alert(hours=24))
    answer = twilio_server._answer
    phase = {"now": "503"}
    slow = set(phones[::4])  # during the timeouts, these are taken but answered too late

    def provider(form: dict[str, str], key: str) -> tuple[int, dict[str, object]]:
        if phase["now"] == "timeout" and form.get("To") in slow:
            time.sleep(0.3)  # longer than the transport waits; then it takes the message
            return answer(form, key)
        if phase["now"] in ("503", "timeout"):
            return 503, {"code": 20503, "message": "Service Unavailable", "status": 503}
        return answer(form, key)

    monkeypatch.setattr(twilio_server, "_answer", provider)
    monkeypatch.setattr(sms, "TIMEOUT", (1.0, 0.1))
    figures: dict[str, Any] = {"recipients": recipients}

    # 1. 503: every SMS waits for a retry, about 30 s away; email and reports go on.
    # Waits are measured from the start of the pass: a full-size pass takes longer than
    # the spread of the backoff's jitter.
    started, began = time.monotonic(), timezone.now()
    outbox.drain(channel="sms")
    figures["first_pass_seconds"] = round(time.monotonic() - started, 2)
    assert sms_rows().filter(status=DeliveryStatus.QUEUED).count() == recipients
    first_wait = min((row.next_attempt_at - began).total_seconds() for row in sms_rows())
    assert first_wait > 25
    assert outbox.drain(channel="email") == 10
    assert {m.recipients[0] for m in smtp_server.received} == set(emails)
    assert Client().post("/api/v1/reports", report_payload(), "application/json").status_code == 201

    # 2. Timeouts for some, 503 for the rest: the late ones are recorded unknown and
    # never sent again; the others back off further.
    phase["now"] = "timeout"
    time_passes(3600)
    began = timezone.now()
    outbox.drain(channel="sms")
    unknown = sms_rows().filter(status=DeliveryStatus.FAILED)
    assert unknown.count() == len(slow)
    assert set(unknown.values_list("error", flat=True)) == {sms.UNKNOWN}
    second_wait = min(
        (row.next_attempt_at - began).total_seconds()
        for row in sms_rows().filter(status=DeliveryStatus.QUEUED)
    )
    assert second_wait > first_wait * 1.5

    # 3. Recovery: everyone gets it, once (those the provider took late are not sent
    # again).
    phase["now"] = "ok"
    time_passes(3600)
    outbox.drain(channel="sms")
    deadline = time.monotonic() + 10  # the provider may still be taking the late ones
    while {m.to for m in twilio_server.messages} != set(phones) and time.monotonic() < deadline:
        time.sleep(0.1)
    received = Counter(message.to for message in twilio_server.messages)
    assert set(received) == set(phones)
    assert max(received.values()) == 1
    assert sms_rows().filter(status=DeliveryStatus.SENT).count() == recipients - len(slow)
    figures.update(first_wait=round(first_wait), second_wait=round(second_wait))
    write_figures("provider_outage", figures)
