"""VECINOS_API_RATE limits each client on the staff API and the public read endpoints:
beyond it, 429 with Retry-After in the API's error shape. Other clients, reports and
subscriptions are not affected."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from tests.factories import report_payload
from vecinos.accounts.actions import create_api_token
from vecinos.accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

# A window far longer than the test, so it never rolls over half-way.
PERIOD = 365 * 86400
LIMIT = 3


@pytest.fixture(autouse=True)
def small_rate(settings: Settings) -> None:
    settings.VECINOS_API_RATE = (LIMIT, PERIOD)


def bearer(user: User) -> dict[str, str]:
    _, token = create_api_token(user=user, name="rate", actor=user)
    return {"Authorization": f"Bearer {token}"}


def refused_for_rate(response: Any) -> None:
    assert response.status_code == 429, response.content
    assert 1 <= int(response["Retry-After"]) <= PERIOD
    body = response.json()
    assert body["detail"] and body["errors"] == []


def test_a_client_over_the_rate_gets_429_with_retry_after(dani: User) -> None:
    client, headers = Client(), bearer(dani)
    for _ in range(LIMIT):
        assert client.get("/api/v1/incidents", headers=headers).status_code == 200
    refused_for_rate(client.get("/api/v1/incidents", headers=headers))
    refused_for_rate(client.get("/api/v1/me", headers=headers))


@pytest.mark.parametrize(
    "path", ["/api/v1/public/incidents", "/api/v1/public/incidents.geojson", "/api/v1/alerts"]
)
def test_public_read_endpoints_are_limited_too(path: str) -> None:
    client = Client()
    for _ in range(LIMIT):
        assert client.get(path).status_code == 200
    refused_for_rate(client.get(path))


def test_the_staff_and_public_requests_of_one_client_share_one_budget(dani: User) -> None:
    client, headers = Client(), bearer(dani)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.get("/api/v1/alerts").status_code == 200
    assert client.get("/api/v1/public/incidents").status_code == 200
    refused_for_rate(client.get("/api/v1/incidents", headers=headers))


def test_another_client_is_not_held_back(dani: User) -> None:
    first, headers = Client(), bearer(dani)
    for _ in range(LIMIT + 1):
        first.get("/api/v1/alerts")
    refused_for_rate(first.get("/api/v1/alerts"))
    other = Client(REMOTE_ADDR="203.0.113.7")
    assert other.get("/api/v1/alerts").status_code == 200
    assert other.get("/api/v1/incidents", headers=headers).status_code == 200


def test_reports_and_subscriptions_keep_their_own_limits(settings: Settings) -> None:
    settings.VECINOS_REPORT_RATE = (100, PERIOD)
    client = Client()
    for _ in range(LIMIT + 1):
        client.get("/api/v1/alerts")
    refused_for_rate(client.get("/api/v1/alerts"))
    response = client.post("/api/v1/reports", report_payload(), content_type="application/json")
    assert response.status_code == 201, response.content
    response = client.post(
        "/api/v1/subscriptions",
        {
            "channel": "email",
            "address": "vecina@example.org",
            "language": "es",
            "area": {"zip": "90033"},
        },
        content_type="application/json",
    )
    assert response.status_code == 202, response.content


def test_a_bad_token_is_a_401_not_a_429(dani: User) -> None:
    client = Client()
    for _ in range(LIMIT + 2):
        response = client.get("/api/v1/me", headers={"Authorization": "Bearer vec_0_nope"})
        assert response.status_code == 401
