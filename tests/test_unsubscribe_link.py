"""Every email carries a signed one-click unsubscribe link (RFC 8058): GET shows a
button, POST (from the page or from the mail client, without a CSRF token) stops."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signing
from django.test import Client

from vecinos.alerts import links, subscriptions
from vecinos.alerts.models import Subscription, SubscriptionStatus

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def rosa_by_email() -> Subscription:
    return subscriptions.subscribe(
        channel="email",
        address="rosa@example.org",
        language="en",
        zip_code="90033",
        confirmed=True,
    )


def path(subscription: Subscription) -> str:
    return links.unsubscribe_path(subscription)


def test_the_link_is_absolute_and_signed(rosa_by_email: Subscription, settings: Any) -> None:
    settings.VECINOS_PUBLIC_URL = "https://vecinos.example.org"

    url = links.unsubscribe_url(rosa_by_email)

    assert url.startswith("https://vecinos.example.org/alerts/unsubscribe/")
    assert "rosa" not in url


def test_opening_the_link_does_not_unsubscribe(rosa_by_email: Subscription) -> None:
    page = Client().get(path(rosa_by_email))

    assert page.status_code == 200
    assert b"<form" in page.content and b'method="post"' in page.content
    rosa_by_email.refresh_from_db()
    assert rosa_by_email.status == SubscriptionStatus.ACTIVE


def test_one_click_from_the_mail_client_unsubscribes_without_csrf(
    rosa_by_email: Subscription,
) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        path(rosa_by_email),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    rosa_by_email.refresh_from_db()
    assert rosa_by_email.status == SubscriptionStatus.STOPPED


def test_the_button_on_the_page_unsubscribes(rosa_by_email: Subscription) -> None:
    Client().post(path(rosa_by_email))

    rosa_by_email.refresh_from_db()
    assert rosa_by_email.status == SubscriptionStatus.STOPPED


def test_it_stops_that_subscription_only(rosa_by_email: Subscription) -> None:
    work = subscriptions.subscribe(
        channel="email",
        address="rosa@example.org",
        language="en",
        lat=34.0384,
        lng=-118.2545,
        radius_km=1,
        confirmed=True,
    )

    Client().post(path(rosa_by_email))

    work.refresh_from_db()
    assert work.status == SubscriptionStatus.ACTIVE


def test_unsubscribing_twice_or_after_deletion_is_harmless(rosa_by_email: Subscription) -> None:
    link = path(rosa_by_email)
    Client().post(link)
    assert Client().post(link).status_code == 200
    Subscription.objects.all().delete()

    assert Client().get(link).status_code == 200
    assert Client().post(link).status_code == 200


def test_a_forged_link_is_refused(rosa_by_email: Subscription) -> None:
    forged = signing.dumps(rosa_by_email.pk.hex, salt=links.UNSUBSCRIBE_SALT, key="other-key")
    manage_token = links.manage_path(rosa_by_email).rsplit("/", 1)[1]

    for bad in (forged, "garbage", manage_token):
        assert Client().post(f"/alerts/unsubscribe/{bad}").status_code == 400
    rosa_by_email.refresh_from_db()
    assert rosa_by_email.status == SubscriptionStatus.ACTIVE
