"""Per-contact code budgets protect a victim's phone without locking the victim out.
Someone typing a victim's number into the subscribe form all day sends it a handful
of codes (at most one an hour, six a day), and the victim, subscribing in the middle
of it, signs up with the latest code their phone received. Many rows sharing one
code do not make many guesses at it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from vecinos.alerts.models import Subscription, SubscriptionStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

VICTIM = "+12135550100"
MORNING = datetime(2026, 5, 4, 0, 30, tzinfo=UTC)  # a whole UTC day ahead


def subscribe(client_address: str) -> Any:
    body = {"channel": "sms", "address": VICTIM, "language": "es", "area": {"zip": "90033"}}
    return Client(REMOTE_ADDR=client_address).post(
        "/api/v1/subscriptions", json.dumps(body), content_type="application/json"
    )


def confirm(subscription_id: str, code: str, client_address: str = "10.9.9.9") -> Any:
    return Client(REMOTE_ADDR=client_address).post(
        f"/api/v1/subscriptions/{subscription_id}/confirm",
        json.dumps({"code": code}),
        content_type="application/json",
    )


def codes_on_the_phone(console_outbox: Any) -> list[str]:
    import re

    return [
        match.group(1)
        for sent in console_outbox
        if sent.address == VICTIM and (match := re.search(r"\b(\d{6})\b", sent.text))
    ]


def test_a_day_of_requests_for_a_victims_number_sends_it_a_handful_of_codes(
    console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    answers = set()
    for hour in range(24):
        with (
            time_machine.travel(MORNING + timedelta(hours=hour), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            for attacker in range(5):  # many clients, so per-client limits never bite
                answers.add(subscribe(f"10.{hour}.{attacker}.1").status_code)

    assert answers == {202}
    assert len(codes_on_the_phone(console_outbox)) <= 6  # was 72 (three an hour)


def test_within_an_hour_requests_share_the_one_code_sent(
    console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(MORNING, tick=False), django_capture_on_commit_callbacks(execute=True):
        for attacker in range(20):
            subscribe(f"10.0.{attacker}.1")

    assert len(codes_on_the_phone(console_outbox)) == 1


def test_the_victim_signs_up_in_the_middle_of_a_flood_with_the_latest_code(
    console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for hour in range(10):
        with (
            time_machine.travel(MORNING + timedelta(hours=hour), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            for attacker in range(3):
                subscribe(f"10.{hour}.{attacker}.1")
    sent_before = len(codes_on_the_phone(console_outbox))

    victim_signs_up = MORNING + timedelta(hours=10, minutes=20)
    with (
        time_machine.travel(victim_signs_up, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        mine = subscribe("192.0.2.10").json()["id"]
    latest = codes_on_the_phone(console_outbox)[-1]
    with time_machine.travel(victim_signs_up + timedelta(minutes=1), tick=False):
        assert confirm(mine, latest).status_code == 200

    assert Subscription.objects.get(pk=mine).status == SubscriptionStatus.ACTIVE
    assert sent_before <= 6


def test_wrong_guesses_across_rows_sharing_a_code_are_bounded(
    console_outbox: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.SUBSCRIPTION_CODE_ATTEMPTS = 2  # so two rows' worth of tries wear it out
    with time_machine.travel(MORNING, tick=False), django_capture_on_commit_callbacks(execute=True):
        rows = [subscribe(f"10.0.{attacker}.1").json()["id"] for attacker in range(4)]
    (code,) = codes_on_the_phone(console_outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with time_machine.travel(MORNING + timedelta(minutes=1), tick=False):
        guesses = [confirm(row, wrong).status_code for row in rows[:2] for _ in range(2)]
        right_too_late = confirm(rows[2], code)

    assert guesses == [422, 410, 422, 410]
    assert right_too_late.status_code == 410
    assert right_too_late.json()["reason"] == "exhausted"
