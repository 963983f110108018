"""POST /api/v1/subscriptions refuses hostile input with a 4xx naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.test_subscription_api import push_address, sms
from vecinos.alerts.models import Subscription

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

URL = "/api/v1/subscriptions"


def post(body: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return Client().post(URL, data=data, content_type="application/json")


def fields_of(response: Any) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (sms(officer_name="x"), "officer_name"),
        (sms(channel="fax"), "channel"),
        (sms(channel=None), "channel"),
        (sms(language="xx"), "language"),
        (sms(language=7), "language"),
        (sms(address=12135550100), "address"),
        (sms(address=["+12135550100"]), "address"),
        (sms(address="call me"), "address"),
        (sms(address="+1 000 555 0100"), "address"),
        (sms(address="+1" + "2" * 40), "address"),
        (sms(channel="email", address="not-an-email"), "address"),
        (sms(channel="email", address="a@" + "b" * 300 + ".org"), "address"),
        (sms(channel="email", address={"endpoint": "x"}), "address"),
        (sms(area={"zip": "9003"}), "area.zip"),
        (sms(area={"zip": 90033}), "area.zip"),
        (sms(area={"zip": "00000"}), "area.zip"),
        (sms(area={"zip": "10001"}), "area.zip"),  # New York: outside the service area
        (sms(area={"zip": "90033", "lat": 34.0, "lng": -118.2, "radius_km": 2}), "area"),
        (sms(area={"lat": 34.0, "lng": -118.2}), "area"),
        (sms(area={"lat": 34.0, "lng": -118.2, "radius_km": 0.1}), "area.radius_km"),
        (sms(area={"lat": 34.0, "lng": -118.2, "radius_km": 26}), "area.radius_km"),
        (sms(area={"lat": 91, "lng": -118.2, "radius_km": 2}), "area.lat"),
        (sms(area={"lat": "34", "lng": -118.2, "radius_km": 2}), "area.lat"),
        (sms(area={"lat": True, "lng": -118.2, "radius_km": 2}), "area.lat"),
        (sms(area={"lat": 34.0, "lng": -181, "radius_km": 2}), "area.lng"),
        (sms(area={"zip": "90033", "home": "123 Main St"}), "area.home"),
        (sms(area="90033"), "area"),
        ({"channel": "sms", "address": "+12135550100", "language": "en"}, "area"),
    ],
)
def test_bad_fields_are_refused_by_name(body: dict[str, Any], field: str) -> None:
    response = post(body)

    assert response.status_code == 422, response.content
    assert field in fields_of(response)
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ("https://fcm.googleapis.com/x", "address"),
        ({"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": {}}, "address.keys"),
        ({**push_address(), "extra": 1}, "address.extra"),
        (push_address(endpoint="ftp://fcm.googleapis.com/fcm/send/abc"), "address.endpoint"),
        (push_address(endpoint="https://user:pw@fcm.googleapis.com/x"), "address.endpoint"),
        (push_address(endpoint="https://" + "a" * 1100 + ".com/x"), "address.endpoint"),
        (
            {**push_address(), "keys": {"p256dh": "short", "auth": push_address()["keys"]["auth"]}},
            "address.keys.p256dh",
        ),
        (
            {**push_address(), "keys": {"p256dh": push_address()["keys"]["p256dh"], "auth": "%%%"}},
            "address.keys.auth",
        ),
    ],
)
def test_a_malformed_push_subscription_is_refused(address: Any, field: str) -> None:
    response = post(sms(channel="webpush", address=address))

    assert response.status_code == 422, response.content
    assert field in fields_of(response)


def test_push_endpoints_outside_the_known_push_services_are_refused_in_production(
    settings: Any,
) -> None:
    settings.SUBSCRIPTION_PUSH_HOSTS = ["fcm.googleapis.com", "push.services.mozilla.com"]

    internal = post(sms(channel="webpush", address=push_address("https://10.0.0.5/steal")))
    loopback = post(sms(channel="webpush", address=push_address("http://127.0.0.1:8080/x")))
    mozilla = post(
        sms(
            channel="webpush", address=push_address("https://updates.push.services.mozilla.com/w/a")
        )
    )

    assert internal.status_code == loopback.status_code == 422
    assert "address.endpoint" in fields_of(internal)
    assert mozilla.status_code == 202


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ('{"channel": "sms", "channel": "email"}', 400),
        ("not json", 400),
        ("[]", 422),
        ("null", 422),
        (b"\xff\xfe", 400),
    ],
)
def test_bodies_that_are_not_one_json_object_are_refused(raw: str | bytes, status: int) -> None:
    assert post(raw).status_code == status


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_numbers_that_are_not_finite_are_refused_by_name(token: str) -> None:
    raw = (
        '{"channel": "sms", "address": "+12135550100", "language": "en", '
        f'"area": {{"lat": 34.05, "lng": -118.2, "radius_km": {token}}}}}'
    )

    response = post(raw)

    assert response.status_code == 422
    assert "area.radius_km" in fields_of(response)


def test_an_oversized_body_is_refused() -> None:
    response = post(sms(address="+12135550100" + " " * 70_000))

    assert response.status_code == 413


def test_a_form_encoded_body_is_refused() -> None:
    response = Client().post(URL, {"channel": "sms"})

    assert response.status_code == 415


def test_confirm_with_a_malformed_code_costs_no_attempt() -> None:
    subscription_id = post(sms()).json()["id"]

    for code in ["12345", "abcdef", "1234567", 123456, None]:
        response = Client().post(
            f"{URL}/{subscription_id}/confirm",
            data=json.dumps({"code": code}),
            content_type="application/json",
        )
        assert response.status_code == 422, code
        assert "code" in fields_of(response)
    assert Subscription.objects.get().code_attempts == 0


def test_confirming_an_unknown_or_malformed_id_is_not_found() -> None:
    body = json.dumps({"code": "123456"})
    unknown = Client().post(
        f"{URL}/00000000-0000-0000-0000-000000000000/confirm", body, content_type="application/json"
    )
    malformed = Client().post(f"{URL}/nope/confirm", body, content_type="application/json")

    assert unknown.status_code == 404
    assert malformed.status_code in {404, 422}
