"""POST /api/v1/subscriptions: anyone subscribes to alerts for an area, no account."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from vecinos.alerts import subscriptions
from vecinos.alerts.models import Subscription, SubscriptionCell, SubscriptionStatus
from vecinos.api import subscriptions as api_subscriptions
from vecinos.core import crypto, geo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

URL = "/api/v1/subscriptions"
BOYLE_HEIGHTS_ZIP = "90033"


def post(body: Any, client: Client | None = None) -> Any:
    return (client or Client()).post(URL, data=json.dumps(body), content_type="application/json")


def push_address(endpoint: str = "https://fcm.googleapis.com/fcm/send/abc123") -> dict[str, Any]:
    def b64(n: int) -> str:
        return base64.urlsafe_b64encode(bytes(range(n))).decode().rstrip("=")

    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": b64(65), "auth": b64(16)},
    }


def sms(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "sms",
        "address": "+12135550100",
        "language": "es",
        "area": {"zip": BOYLE_HEIGHTS_ZIP},
    }
    body.update(overrides)
    return body


def test_an_sms_subscription_by_zip_is_pending_until_confirmed(
    django_capture_on_commit_callbacks: Any, console_outbox: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post(sms())

    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"id", "status"}
    assert body["status"] == "pending"
    subscription = Subscription.objects.get(pk=body["id"])
    assert subscription.status == SubscriptionStatus.PENDING
    assert subscription.language == "es"
    assert subscription.area_label == "zip:90033"
    # One code, to the number given, and only its hash is kept.
    [message] = list(console_outbox)
    assert message.channel == "sms"
    assert message.address == "+12135550100"
    code = re.search(r"\b(\d{6})\b", message.text).group(1)  # type: ignore[union-attr]
    assert code not in subscription.code_hash
    assert subscription.code_hash == subscriptions.codes._code_hash(subscription.pk, code)


def test_the_contact_is_encrypted_and_hashed_for_lookups() -> None:
    response = post(sms(address="(213) 555-0100"))

    subscription = Subscription.objects.get(pk=response.json()["id"])
    assert subscription.contact == "+12135550100"  # normalised, decrypted on read
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM alerts_subscription")
        [(raw,)] = cursor.fetchall()
    assert raw.startswith("v1.")
    assert "2135550100" not in raw
    assert subscription.contact_hash == crypto.keyed_hash(
        "+12135550100", purpose="subscription-contact:sms"
    )


def test_the_area_is_stored_as_cells_only_never_the_point() -> None:
    response = post(
        sms(
            channel="email",
            address="Rosa@Example.org",
            area={"lat": 34.0403, "lng": -118.2093, "radius_km": 2},
        )
    )

    assert response.status_code == 202
    subscription = Subscription.objects.get(pk=response.json()["id"])
    cells = set(
        SubscriptionCell.objects.filter(subscription=subscription).values_list("cell", flat=True)
    )
    assert cells == geo.cells_within(34.0403, -118.2093, 2)
    assert subscription.area_label == "km:2"
    assert subscription.contact == "rosa@example.org"
    assert not any(
        "34.04" in str(value) or "118.2" in str(value)
        for value in Subscription.objects.filter(pk=subscription.pk).values().get().values()
    )


def test_a_zip_code_becomes_the_cells_around_its_centroid(settings: Any) -> None:
    settings.SUBSCRIPTION_ZIP_RADIUS_KM = 1.0
    response = post(sms())

    cells = set(
        SubscriptionCell.objects.filter(subscription_id=response.json()["id"]).values_list(
            "cell", flat=True
        )
    )
    # 90033's centroid (Boyle Heights) is about 34.0487, -118.2084.
    assert geo.cell_for(34.0487, -118.2084) in cells
    assert cells == geo.cells_within(34.0487, -118.2084, 1.0)


def test_web_push_is_active_at_once(console_outbox: Any) -> None:
    response = post(sms(channel="webpush", address=push_address(), language="ko"))

    assert response.status_code == 202
    assert response.json()["status"] == "active"
    subscription = Subscription.objects.get(pk=response.json()["id"])
    assert subscription.confirmed_at is not None
    stored = json.loads(subscription.contact)
    assert set(stored) == {"endpoint", "keys"}  # expirationTime is not kept
    assert not list(console_outbox)  # no code to send


def test_the_same_browser_and_area_is_updated_not_duplicated() -> None:
    first = post(sms(channel="webpush", address=push_address(), language="ko"))
    second = post(sms(channel="webpush", address=push_address(), language="vi"))

    assert first.json()["id"] == second.json()["id"]
    assert Subscription.objects.get().language == "vi"


def test_one_person_can_hold_several_subscriptions() -> None:
    home = post(sms())
    work = post(sms(area={"lat": 34.0384, "lng": -118.2545, "radius_km": 1}))
    email = post(sms(channel="email", address="rosa@example.org"))

    assert {home.status_code, work.status_code, email.status_code} == {202}
    assert Subscription.objects.count() == 3


def test_too_many_subscriptions_from_one_client_are_refused(settings: Any) -> None:
    settings.SUBSCRIPTION_RATE = (2, 3600)
    client = Client(REMOTE_ADDR="10.1.1.1")

    answers = [post(sms(address=f"+1213555010{i}"), client).status_code for i in range(3)]

    assert answers == [202, 202, 429]
    assert Subscription.objects.count() == 2


def test_requests_for_one_contact_share_its_code_whoever_asks(
    settings: Any, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SUBSCRIPTION_CONTACT_RATE = (2, 3600)

    with django_capture_on_commit_callbacks(execute=True):
        answers = [post(sms(), Client(REMOTE_ADDR=f"10.1.1.{i}")) for i in range(3)]

    # Never a 429 that would tell anyone about the contact (tests/test_code_budgets.py).
    assert [a.status_code for a in answers] == [202, 202, 202]
    assert len(console_outbox) == 1


def test_a_contact_may_hold_at_most_ten_active_subscriptions() -> None:
    for step in range(subscriptions.MAX_PER_CONTACT):
        subscriptions.subscribe(
            channel="sms",
            address="+12135550100",
            language="en",
            lat=34.0 + step / 10,
            lng=-118.2,
            radius_km=0.5,
            confirmed=True,
        )

    # Asking answers like for any contact; the limit is told to the code's holder.
    response = post(sms())
    assert response.status_code == 202
    row = Subscription.objects.get(pk=response.json()["id"])
    code = subscriptions.code_for(f"subscription:sms:{row.contact_hash}", row.code_issued_at)

    confirmed = Client().post(
        f"/api/v1/subscriptions/{row.pk}/confirm",
        data={"code": code},
        content_type="application/json",
    )
    assert confirmed.status_code == 409
    assert confirmed.json()["reason"] == "full"


def test_the_api_languages_are_the_languages_alerts_are_written_in() -> None:
    from typing import get_args

    assert set(get_args(api_subscriptions.LanguageCode)) == set(subscriptions.LANGUAGES)


def test_the_openapi_document_describes_the_endpoints() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]

    assert "/api/v1/subscriptions" in paths
    assert "/api/v1/subscriptions/{subscription_id}/confirm" in paths


def test_a_browser_stops_its_own_web_push_subscriptions_with_its_endpoint() -> None:
    mine = post(sms(channel="webpush", address=push_address())).json()["id"]
    other = post(
        sms(channel="webpush", address=push_address("https://fcm.googleapis.com/fcm/send/zzz"))
    ).json()["id"]

    response = Client().post(
        f"{URL}/webpush/stop",
        json.dumps({"endpoint": push_address()["endpoint"]}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json() == {"stopped": 1}
    assert Subscription.objects.get(pk=mine).status == SubscriptionStatus.STOPPED
    assert Subscription.objects.get(pk=other).status == SubscriptionStatus.ACTIVE


def test_stopping_web_push_refuses_a_malformed_body() -> None:
    for body in ({}, {"endpoint": 5}, {"endpoint": "x"}, {"endpoint": "https://a.b/c", "more": 1}):
        response = Client().post(
            f"{URL}/webpush/stop", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 422, body
