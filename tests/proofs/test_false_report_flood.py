"""False-report flood: many clients (behind a trusted proxy, from many IPv6 /48s and
IPv4 addresses) send false reports in a burst. Nothing public changes (nothing was
verified), the console's first page still shows the genuine incident reported from
several sources before the flood, and the flooders are answered 429."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from tests.conftest import signed_in
from tests.factories import (
    BOYLE_HEIGHTS,
    JEFFERSON_HIGH,
    MARIACHI_PLAZA,
    SANTEE_ALLEY,
    report_payload,
    submit,
)
from tests.proofs.conftest import size, write_figures
from vecinos.accounts.models import User
from vecinos.reports import actions
from vecinos.reports.models import Incident, IncidentStatus, Report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache", "media_root")]

PER_CLIENT = 3  # reports a client may send an hour in this test
PUBLIC = [
    "/map",
    "/rumors",
    "/api/v1/public/incidents",
    "/api/v1/public/incidents.geojson",
    "/feeds/alerts.cap",
    "/feeds/alerts.atom",
]

CLOCK = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?|\d{1,2}:\d\d")
TOKENS = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')


def flooders(count: int) -> list[str]:
    """Client addresses: half from distinct IPv6 /48s, half distinct IPv4 addresses."""
    v6 = [f"2001:db8:{n:x}::{n % 7 + 1:x}" for n in range(count // 2)]
    v4 = [f"198.18.{n // 250}.{n % 250 + 1}" for n in range(count - len(v6))]
    return v6 + v4


def report(address: str, at: tuple[float, float], **fields: Any) -> Any:
    proxy = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address)
    body = report_payload(lat=at[0], lng=at[1], **fields)
    return proxy.post("/api/v1/reports", json.dumps(body), content_type="application/json")


def public_surfaces() -> dict[str, str]:
    """What anyone sees, less what changes on every request: the clock (pages say
    when they were made) and per-request tokens (CSRF, CSP nonces)."""
    seen = {}
    for url in PUBLIC:
        response = Client().get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for changing in (CLOCK, TOKENS):
            text = changing.sub("", text)
        seen[url] = text
    return seen


def test_a_flood_of_false_reports_changes_nothing_public_and_hides_nothing_genuine(
    settings: Settings, dani: User
) -> None:
    settings.VECINOS_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.VECINOS_REPORT_RATE = (PER_CLIENT, 3600)
    # Something public already: an incident confirmed on the ground.
    confirmed = submit(at=JEFFERSON_HIGH).incident
    actions.set_public_label(incident=confirmed, label="Jefferson High", actor=dani)
    actions.verify_incident(incident=confirmed, outcome="confirmed", actor=dani)
    # The genuine incident: three neighbours report the same raid.
    genuine = {report(f"203.0.113.{n}", BOYLE_HEIGHTS).json()["id"] for n in (10, 11, 12)}
    (incident_id,) = set(
        Report.objects.filter(id__in=genuine).values_list("incident_id", flat=True)
    )
    assert Incident.objects.get(pk=incident_id).source_count >= 2
    before = public_surfaces()
    assert len(json.loads(before["/api/v1/public/incidents.geojson"])["features"]) == 1

    answers: Counter[int] = Counter()
    clients = flooders(size(60, 2000))
    places = [BOYLE_HEIGHTS, MARIACHI_PLAZA, SANTEE_ALLEY]
    for attempt in range(PER_CLIENT + 2):
        for n, address in enumerate(clients):
            at = places[(n + attempt) % len(places)]
            answers[report(address, at, description="ICE everywhere!!").status_code] += 1

    assert answers[201] == PER_CLIENT * len(clients)  # each client was one client
    assert answers[429] == 2 * len(clients)  # and then refused
    assert set(answers) == {201, 429}
    assert public_surfaces() == before
    assert (
        not Incident.objects.exclude(pk=confirmed.pk)
        .filter(status=IncidentStatus.CONFIRMED)
        .exists()
    )
    console = signed_in(dani).get("/console")
    assert console.status_code == 200
    assert f"/console/incidents/{incident_id}" in console.content.decode()
    write_figures(
        "false_report_flood",
        {"clients": len(clients), "answers": {str(k): v for k, v in answers.items()},
         "incidents": Incident.objects.count()},
    )  # fmt: skip
