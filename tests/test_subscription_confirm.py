"""A subscription is confirmed with the 6-digit code sent to the contact: the right
code activates it; wrong codes cost attempts; an expired or exhausted code is void."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.test_subscription_api import sms
from vecinos.alerts import subscriptions
from vecinos.alerts.models import Subscription, SubscriptionStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def subscribe_and_read_code(
    django_capture_on_commit_callbacks: Any, console_outbox: Any, **overrides: Any
) -> tuple[str, str]:
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/api/v1/subscriptions", json.dumps(sms(**overrides)), content_type="application/json"
        )
    match = re.search(r"\b(\d{6})\b", console_outbox[-1].text)
    assert match is not None
    return response.json()["id"], match.group(1)


def confirm(subscription_id: str, code: str) -> Any:
    return Client().post(
        f"/api/v1/subscriptions/{subscription_id}/confirm",
        json.dumps({"code": code}),
        content_type="application/json",
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def pending(django_capture_on_commit_callbacks: Any, console_outbox: Any) -> tuple[str, str]:
    return subscribe_and_read_code(django_capture_on_commit_callbacks, console_outbox)


def test_the_right_code_activates_the_subscription(pending: tuple[str, str]) -> None:
    subscription_id, code = pending

    response = confirm(subscription_id, code)

    assert response.status_code == 200
    assert response.json() == {"status": "active"}
    subscription = Subscription.objects.get(pk=subscription_id)
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.confirmed_at is not None
    assert subscription.code_hash == ""  # the code is spent


def test_confirming_twice_is_harmless(pending: tuple[str, str]) -> None:
    subscription_id, code = pending

    assert confirm(subscription_id, code).status_code == 200
    assert confirm(subscription_id, code).json() == {"status": "active"}


def test_a_wrong_code_says_how_many_attempts_are_left(pending: tuple[str, str]) -> None:
    subscription_id, code = pending

    response = confirm(subscription_id, wrong(code))

    assert response.status_code == 422
    body = response.json()
    assert body["reason"] == "wrong"
    assert body["attempts_left"] == 4
    assert body["errors"][0]["field"] == "code"
    assert "4 attempts left" in body["detail"]
    assert Subscription.objects.get(pk=subscription_id).status == SubscriptionStatus.PENDING


def test_after_five_wrong_codes_even_the_right_one_is_refused(pending: tuple[str, str]) -> None:
    subscription_id, code = pending

    answers = [confirm(subscription_id, wrong(code)).json() for _ in range(5)]
    last = confirm(subscription_id, code)

    assert [a["attempts_left"] for a in answers[:4]] == [4, 3, 2, 1]
    assert answers[4]["reason"] == "exhausted"
    assert last.status_code == 410
    assert last.json()["reason"] == "exhausted"
    assert "Subscribe again" in last.json()["detail"]
    subscription = Subscription.objects.get(pk=subscription_id)
    assert subscription.status == SubscriptionStatus.PENDING
    assert subscription.code_hash == ""


def test_an_expired_code_is_refused_with_a_clear_message(pending: tuple[str, str]) -> None:
    subscription_id, code = pending

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = confirm(subscription_id, code)

    assert response.status_code == 410
    assert response.json()["reason"] == "expired"
    assert "expired" in response.json()["detail"]
    assert Subscription.objects.get(pk=subscription_id).status == SubscriptionStatus.PENDING


def test_the_code_lifetime_is_a_setting(
    settings: Any, django_capture_on_commit_callbacks: Any, console_outbox: Any
) -> None:
    settings.SUBSCRIPTION_CODE_MINUTES = 60
    subscription_id, code = subscribe_and_read_code(
        django_capture_on_commit_callbacks, console_outbox
    )

    with time_machine.travel(timezone.now() + timedelta(minutes=45)):
        assert confirm(subscription_id, code).status_code == 200


def test_a_stopped_subscription_cannot_be_confirmed(pending: tuple[str, str]) -> None:
    subscription_id, code = pending
    subscriptions.stop_contact(channel="sms", address="+12135550100")

    response = confirm(subscription_id, code)

    assert response.status_code == 410
    assert response.json()["reason"] in {"not_pending", "exhausted"}


def test_the_code_of_one_subscription_does_not_confirm_another(
    django_capture_on_commit_callbacks: Any, console_outbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = iter(["123456", "654321"])  # two different codes, for certain
    monkeypatch.setattr(subscriptions.codes, "_new_code", lambda: next(codes))
    _first, first_code = subscribe_and_read_code(django_capture_on_commit_callbacks, console_outbox)
    second, second_code = subscribe_and_read_code(
        django_capture_on_commit_callbacks, console_outbox, address="+12135550111"
    )

    assert (first_code, second_code) == ("123456", "654321")
    assert confirm(second, first_code).status_code == 422


def test_confirming_the_same_area_again_keeps_one_subscription(
    django_capture_on_commit_callbacks: Any, console_outbox: Any
) -> None:
    first, code = subscribe_and_read_code(django_capture_on_commit_callbacks, console_outbox)
    confirm(first, code)
    again, code_again = subscribe_and_read_code(
        django_capture_on_commit_callbacks, console_outbox, language="ko"
    )

    assert confirm(again, code_again).status_code == 200

    [kept] = Subscription.objects.all()
    assert str(kept.pk) == first  # the older row: its deliveries are kept
    assert (kept.status, kept.language) == (SubscriptionStatus.ACTIVE, "ko")


def test_the_code_is_in_the_subscribers_language_when_we_have_it(
    django_capture_on_commit_callbacks: Any, console_outbox: Any
) -> None:
    from django.utils import translation

    subscribe_and_read_code(django_capture_on_commit_callbacks, console_outbox, language="es")

    with translation.override("es"):
        expected_start = str(translation.gettext("Your Vecinos confirmation code"))
    assert console_outbox[-1].message.subject == expected_start


@pytest.mark.parametrize(
    "zero",
    [0xFF10, 0x06F0, 0x0660],
    ids=["full-width (Chinese, Japanese keyboards)", "Persian", "Arabic"],
)
def test_the_code_typed_in_the_phones_own_digits_is_the_code(
    pending: tuple[str, str], zero: int
) -> None:
    subscription_id, code = pending
    typed = "".join(chr(zero + int(digit)) for digit in code)

    response = confirm(subscription_id, typed)

    assert response.status_code == 200
    assert response.json() == {"status": "active"}
