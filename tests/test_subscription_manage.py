"""A signed manage link lists every subscription of one contact and stops or resumes
each, or all; a forged or expired link shows nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.utils import timezone

from vecinos.alerts import links, subscriptions
from vecinos.alerts.models import Subscription, SubscriptionStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

ROSA_PHONE = "+12135550100"


def subscribe(address: str = ROSA_PHONE, channel: str = "sms", **area: Any) -> Subscription:
    area = area or {"zip_code": "90033"}
    return subscriptions.subscribe(
        channel=channel, address=address, language="es", confirmed=True, **area
    )


@pytest.fixture
def home() -> Subscription:
    return subscribe()


@pytest.fixture
def work() -> Subscription:
    return subscribe(lat=34.0384, lng=-118.2545, radius_km=1)


def main_of(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_the_link_lists_every_subscription_of_the_contact_and_no_one_elses(
    home: Subscription, work: Subscription
) -> None:
    someone_else = subscribe(address="+12135550199")
    email = subscribe(address="rosa@example.org", channel="email")

    page = Client().get(path_of(links.manage_url(home)))

    assert page.status_code == 200
    rows = {row.pk for row in page.context["rows"]}
    assert rows == {home.pk, work.pk}
    assert someone_else.pk not in rows and email.pk not in rows
    assert b"ZIP 90033" in page.content and b"1 km around a point" in page.content
    assert ROSA_PHONE.encode() not in page.content  # masked: only the last digits
    assert "•••0100".encode() in page.content


def test_the_link_is_absolute_and_uses_the_public_url(home: Subscription, settings: Any) -> None:
    settings.VECINOS_PUBLIC_URL = "https://vecinos.example.org"

    assert links.manage_url(home).startswith("https://vecinos.example.org/alerts/manage/")


def test_stopping_one_leaves_the_other(home: Subscription, work: Subscription) -> None:
    path = path_of(links.manage_url(home))

    response = Client().post(path, {"action": "stop", "subscription": str(home.pk)})

    assert response.status_code == 303
    home.refresh_from_db()
    work.refresh_from_db()
    assert home.status == SubscriptionStatus.STOPPED and home.stopped_at is not None
    assert work.status == SubscriptionStatus.ACTIVE


def test_stopping_all_stops_every_one(home: Subscription, work: Subscription) -> None:
    Client().post(path_of(links.manage_url(home)), {"action": "stop_all"})

    assert set(Subscription.objects.values_list("status", flat=True)) == {"stopped"}


def test_a_stopped_subscription_can_be_resumed(home: Subscription) -> None:
    path = path_of(links.manage_url(home))
    client = Client()
    client.post(path, {"action": "stop", "subscription": str(home.pk)})

    client.post(path, {"action": "resume", "subscription": str(home.pk)})

    home.refresh_from_db()
    assert home.status == SubscriptionStatus.ACTIVE and home.stopped_at is None


def test_a_link_cannot_stop_another_contacts_subscription(home: Subscription) -> None:
    other = subscribe(address="+12135550199")

    response = Client().post(
        path_of(links.manage_url(home)), {"action": "stop", "subscription": str(other.pk)}
    )

    assert response.status_code == 400
    other.refresh_from_db()
    assert other.status == SubscriptionStatus.ACTIVE


@pytest.mark.parametrize("subscription", ["", "nope", "00000000-0000-0000-0000-000000000000"])
def test_unknown_subscriptions_and_actions_are_refused(
    home: Subscription, subscription: str
) -> None:
    path = path_of(links.manage_url(home))

    assert Client().post(path, {"action": "stop", "subscription": subscription}).status_code == 400
    assert Client().post(path, {"action": "delete_everything"}).status_code == 400


def test_a_forged_link_is_refused(home: Subscription) -> None:
    forged = signing.dumps(
        {"h": home.contact_hash, "c": "sms"}, salt=links.MANAGE_SALT, key="not-our-secret"
    )
    token = links.manage_path(home).rsplit("/", 1)[1]
    altered = token.replace(token[5], "A" if token[5] != "A" else "B", 1)

    for bad in (forged, altered, "garbage", links.unsubscribe_token(home)):
        page = Client().get(f"/alerts/manage/{bad}")
        assert page.status_code == 400
        assert page.context.get("rows") is None
        assert Client().post(f"/alerts/manage/{bad}", {"action": "stop_all"}).status_code == 400
    home.refresh_from_db()
    assert home.status == SubscriptionStatus.ACTIVE


def test_an_expired_link_is_refused(home: Subscription, settings: Any) -> None:
    settings.SUBSCRIPTION_MANAGE_LINK_DAYS = 30
    path = path_of(links.manage_url(home))

    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert Client().get(path).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert Client().get(path).status_code == 400


def test_the_manage_form_needs_its_csrf_token(home: Subscription) -> None:
    path = path_of(links.manage_url(home))

    response = Client(enforce_csrf_checks=True).post(path, {"action": "stop_all"})

    assert response.status_code == 403


def test_asking_for_a_link_sends_it_to_the_contact_only(
    home: Subscription, django_capture_on_commit_callbacks: Any, console_outbox: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = Client().post("/alerts/manage", {"channel": "sms", "address": "(213) 555-0100"})
        unknown = Client().post("/alerts/manage", {"channel": "sms", "address": "(213) 555-0199"})

    # The same answer either way: nobody learns whether a number is subscribed.
    assert known.status_code == unknown.status_code == 200
    assert main_of(known) == main_of(unknown)
    assert b"/alerts/manage/" not in known.content
    [sent] = list(console_outbox)
    assert sent.address == ROSA_PHONE
    assert "/alerts/manage/" in sent.text
