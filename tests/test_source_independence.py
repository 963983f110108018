"""Independence of sources is judged on wider networks, so a flood cannot fake
corroboration: reports from twelve IPv6 /64s of one /48 are one source (they used to
score "confidence 100"); separate /48s, and separate IPv4 addresses, are separate
sources; a signed-in responder is a source of their own, whatever network they are
on. Only day-scoped keyed pseudonyms are involved, never an address."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import signed_in
from tests.factories import BOYLE_HEIGHTS, report_payload
from vecinos.accounts.models import User
from vecinos.core import ratelimit
from vecinos.reports.models import Incident, Report

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_cache", "generous_api_rate"),
]


def report_from(address: str) -> Any:
    response = Client(REMOTE_ADDR=address).post(
        "/api/v1/reports", json.dumps(report_payload()), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response


def the_incident() -> Incident:
    (incident,) = Incident.objects.all()
    return incident


def test_twelve_slash_64s_of_one_slash_48_are_one_source(settings: Any) -> None:
    settings.VECINOS_REPORT_RATE = (1000, 3600)
    for n in range(12):
        report_from(f"2001:db8:77:{n:x}::1")

    incident = the_incident()
    assert incident.report_count == 12
    assert incident.source_count == 1
    assert incident.confidence < 61  # what two independent fresh reports score


def test_separate_slash_48s_and_ipv4_addresses_are_separate_sources(settings: Any) -> None:
    settings.VECINOS_REPORT_RATE = (1000, 3600)
    report_from("2001:db8:1:1::1")
    report_from("2001:db8:2:1::1")
    report_from("198.51.100.7")
    report_from("198.51.100.8")

    assert the_incident().source_count == 4


def test_a_signed_in_responder_is_a_source_of_their_own(rosa: User, settings: Any) -> None:
    settings.VECINOS_REPORT_RATE = (1000, 3600)
    report_from("2001:db8:77:1::1")
    client = signed_in(rosa)
    client.defaults["REMOTE_ADDR"] = "2001:db8:77:2::1"  # the same /48 as the stranger
    form = {
        "kind": "raid",
        "lat": str(BOYLE_HEIGHTS[0]),
        "lng": str(BOYLE_HEIGHTS[1]),
        "place": "Cesar Chavez Ave & Soto St",
    }
    response = client.post("/report", form)
    assert response.status_code == 303, response.content.decode()[:3000]

    assert Report.objects.count() == 2
    assert the_incident().source_count == 2


def test_the_source_pseudonym_is_keyed_by_the_day_and_holds_no_address() -> None:
    key = ratelimit.source_key("2001:db8:77:5::1")

    assert key == ratelimit.source_key("2001:db8:77:ffff::9")  # same /48
    assert key != ratelimit.source_key("2001:db8:78:5::1")
    assert "2001" not in key and len(key) == 32
    ratelimit.forget_day_keys()
    assert ratelimit.source_key("2001:db8:77:5::1") != key  # a new day key, a new pseudonym
