"""Too many reports from one client answer 429 with Retry-After, through the API and
the form alike; other clients are not affected, and refused reports are not stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from tests.factories import report_payload
from vecinos.reports.models import Report

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("fresh_cache", "media_root"),
]


@pytest.fixture(autouse=True)
def three_an_hour(settings: Settings) -> None:
    settings.VECINOS_REPORT_RATE = (3, 3600)


def api_report(client: Client) -> int:
    response = client.post(
        "/api/v1/reports", data=json.dumps(report_payload()), content_type="application/json"
    )
    return int(response.status_code)


def form_report(client: Client) -> Any:
    return client.post("/report", {"kind": "patrol", "place": "1st St & Boyle Ave", **_now()})


def _now() -> dict[str, str]:
    from django.utils import timezone

    return {"observed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}


def test_the_api_answers_429_with_retry_after_once_the_rate_is_spent() -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    assert [api_report(client) for _ in range(3)] == [201, 201, 201]

    response = client.post(
        "/api/v1/reports", data=json.dumps(report_payload()), content_type="application/json"
    )

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert response.json()["detail"]
    assert Report.objects.count() == 3


def test_another_client_may_still_report() -> None:
    busy = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(4):
        api_report(busy)

    assert api_report(Client(REMOTE_ADDR="198.51.100.8")) == 201


def test_invalid_reports_do_not_use_up_the_rate() -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(5):
        client.post(
            "/api/v1/reports",
            data=json.dumps(report_payload(kind="riot")),
            content_type="application/json",
        )

    assert api_report(client) == 201


def test_the_form_answers_429_with_retry_after_and_a_page_that_says_why() -> None:
    client = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(3):
        assert form_report(client).status_code == 303

    response = form_report(client)

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert b"Too many reports" in response.content
    assert Report.objects.count() == 3


def test_the_form_and_the_api_share_one_allowance() -> None:
    client = Client(REMOTE_ADDR="198.51.100.10")
    for _ in range(3):
        form_report(client)

    assert api_report(client) == 429
