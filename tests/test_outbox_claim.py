"""Claiming: two workers never take the same delivery; a dead worker's claim is taken
over after the claim timeout; only due rows are taken."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from pytest_django import Settings

from tests.servers.subscribers import make_alert, make_subscription
from vecinos.alerts.fanout import fan_out
from vecinos.alerts.models import Alert, Delivery, DeliveryStatus
from vecinos.core import hooks
from vecinos.delivery import outbox

pytestmark = pytest.mark.django_db


def published(people: int, channel: str = "sms") -> Alert:
    for _ in range(people):
        make_subscription(channel=channel)
    alert = make_alert()
    fan_out(alert=alert)
    return alert


def test_two_claims_take_disjoint_rows() -> None:
    published(10)
    first_token, first = outbox.claim(channel="sms", limit=6)
    second_token, second = outbox.claim(channel="sms", limit=6)

    assert len(first) == 6 and len(second) == 4
    assert not set(first) & set(second)
    assert first_token != second_token
    assert Delivery.objects.filter(claim_token=first_token).count() == 6


def test_a_claimed_row_is_marked_sending_with_one_attempt_used() -> None:
    published(1)
    token, [row_id] = outbox.claim(channel="sms")
    row = Delivery.objects.get(pk=row_id)
    assert row.status == DeliveryStatus.SENDING
    assert row.claim_token == token
    assert row.claimed_at is not None
    assert row.attempts == 1


def test_nothing_is_claimed_when_nothing_is_due() -> None:
    published(2)
    Delivery.objects.update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert outbox.claim(channel="sms")[1] == []


def test_a_claim_takes_only_its_own_channel() -> None:
    published(2, channel="email")
    assert outbox.claim(channel="sms")[1] == []
    assert len(outbox.claim(channel="email")[1]) == 2


def test_a_fresh_claim_is_not_taken_over() -> None:
    published(1)
    outbox.claim(channel="sms")
    assert outbox.claim(channel="sms")[1] == []


def test_a_claim_whose_worker_died_is_taken_over_after_the_timeout(settings: Settings) -> None:
    settings.DELIVERY_CLAIM_TIMEOUT = 60
    published(1)
    dead_token, [row_id] = outbox.claim(channel="sms")

    later = timezone.now() + timedelta(seconds=61)
    token, ids = outbox.claim(channel="sms", now=later)
    assert ids == [row_id]
    assert token != dead_token
    assert Delivery.objects.get(pk=row_id).attempts == 2


def test_the_dead_workers_late_record_changes_nothing(settings: Settings) -> None:
    settings.DELIVERY_CLAIM_TIMEOUT = 60
    published(1)
    dead_token, [row_id] = outbox.claim(channel="sms")
    outbox.claim(channel="sms", now=timezone.now() + timedelta(seconds=61))

    row = Delivery.objects.select_related("alert", "subscription").get(pk=row_id)
    from vecinos.delivery.transports import Receipt

    outbox.record(
        dead_token,
        [outbox.Outcome(delivery=row, receipt=Receipt(provider_id="SMlate"))],
        result=outbox.DrainResult(),
    )
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENDING and row.provider_id == ""


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_claim_the_same_row(monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip("threads need a shared database file")
    monkeypatch.setattr(hooks.deliveries_waiting, "call", lambda **kwargs: [])  # claims by hand
    published(60)
    claimed: list[list[int]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker() -> None:
        from django.db import connections

        try:
            start.wait()
            while True:
                _token, ids = outbox.claim(channel="sms", limit=5)
                if not ids:
                    break
                claimed.append(ids)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    every = [row_id for ids in claimed for row_id in ids]
    assert len(every) == 60
    assert len(set(every)) == 60
