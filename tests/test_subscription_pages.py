"""The public subscribe page works without JavaScript: subscribe, enter the code,
get the manage link. Web push is offered to browsers that can do it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from vecinos.alerts.models import Subscription, SubscriptionStatus
from vecinos.alerts.subscriptions.codes import _code_hash

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def form(**overrides: str) -> dict[str, str]:
    data = {"channel": "sms", "address": "213 555 0100", "language": "es", "zip_code": "90033"}
    data.update(overrides)
    return data


def test_the_page_offers_sms_email_and_every_alert_language() -> None:
    response = Client().get("/alerts/subscribe")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="zip_code"' in page
    assert 'value="sms"' in page and 'value="email"' in page
    for code in ("en", "es", "zh-hans", "zh-hant", "ko", "tl", "vi", "hy", "fa", "ru", "ja", "km"):
        assert f'value="{code}"' in page
    assert "<script>" not in page  # no inline script (Content-Security-Policy)
    assert "alerts/push.js" in page


def test_the_page_hands_the_browser_the_vapid_public_key() -> None:
    from vecinos.delivery.transports.webpush import vapid_public_key

    page = Client().get("/alerts/subscribe").content.decode()

    assert f'data-vapid-key="{vapid_public_key()}"' in page
    assert 'data-api="/api/v1/subscriptions"' in page


def test_subscribing_without_javascript_leads_to_the_code_page(
    django_capture_on_commit_callbacks: Any, console_outbox: Any
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/alerts/subscribe", form())

    subscription = Subscription.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"/alerts/subscribe/{subscription.pk}/confirm"
    assert subscription.language == "es"
    assert client.get(response["Location"]).status_code == 200

    code = re.search(r"\b(\d{6})\b", console_outbox[-1].text).group(1)  # type: ignore[union-attr]
    done = client.post(response["Location"], {"code": code})

    assert done.status_code == 200
    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE
    assert b"/alerts/manage/" in done.content  # the manage link, to the person who typed it


def test_a_wrong_code_on_the_page_says_so() -> None:
    client = Client()
    location = client.post("/alerts/subscribe", form())["Location"]

    subscription = Subscription.objects.get()
    code = next(  # a code that is certainly not the one sent
        candidate
        for candidate in ("000000", "000001")
        if _code_hash(subscription.id, candidate) != subscription.code_hash
    )
    response = client.post(location, {"code": code})
    assert response.status_code == 422
    assert b"4 attempts left" in response.content
    assert Subscription.objects.get(pk=subscription.pk).code_attempts == 1


def test_the_confirm_page_of_an_active_subscription_shows_no_manage_link() -> None:
    from vecinos.alerts import subscriptions

    active = subscriptions.subscribe(
        channel="sms", address="+12135550100", language="en", zip_code="90033", confirmed=True
    )

    page = Client().get(f"/alerts/subscribe/{active.pk}/confirm")

    assert page.status_code == 200
    assert b"/alerts/manage/" not in page.content


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (form(zip_code=""), b"Enter your ZIP code"),
        (form(zip_code="abcde"), b"five-digit ZIP code"),
        (form(zip_code="10001"), b"service area"),
        (form(address="hello"), b"phone number"),
        (form(channel="email", address="nope"), b"email address"),
        (form(language="xx"), b"Select a valid choice"),
        (form(channel="fax"), b"Select a valid choice"),
        (form(zip_code="", lat="nan", lng="-118.2"), b"Enter a number"),
    ],
)
def test_bad_answers_come_back_marked(data: dict[str, str], problem: bytes) -> None:
    response = Client().post("/alerts/subscribe", data)

    assert response.status_code == 400
    assert problem in response.content
    assert not Subscription.objects.exists()


def test_use_my_location_subscribes_by_point_and_radius() -> None:
    response = Client().post(
        "/alerts/subscribe", form(zip_code="", lat="34.040", lng="-118.209", radius_km="5")
    )

    assert response.status_code == 303
    assert Subscription.objects.get().area_text == "5 km around a point"


def test_too_many_subscriptions_from_one_client_get_a_page_that_says_wait(settings: Any) -> None:
    settings.SUBSCRIPTION_RATE = (1, 3600)
    client = Client(REMOTE_ADDR="10.9.9.9")

    client.post("/alerts/subscribe", form())
    response = client.post("/alerts/subscribe", form(address="213 555 0111"))

    assert response.status_code == 429
    assert response["Retry-After"]


def test_the_subscribe_form_needs_its_csrf_token() -> None:
    response = Client(enforce_csrf_checks=True).post("/alerts/subscribe", form())

    assert response.status_code == 403


def test_the_service_worker_is_served_from_the_root_for_the_whole_site() -> None:
    response = Client().get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert 'addEventListener("push"' in body
    assert "showNotification" in body
