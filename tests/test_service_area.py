"""The network's service area: a report from far outside it (a point in New York for
a Los Angeles network) is stored, but its incident is marked and kept out of the
queue's main view, and the reporter is told the network may not cover the place."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from tests.conftest import signed_in
from tests.factories import BOYLE_HEIGHTS
from vecinos.accounts.models import User
from vecinos.core import geo, service_area
from vecinos.reports.actions import NewReport, submit_report
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db

LA_COUNTY = "bbox:33.70,-118.95,34.82,-117.65"
NEW_YORK = (40.7128, -74.0060)


@pytest.fixture(autouse=True)
def los_angeles(settings: Settings) -> None:
    settings.VECINOS_SERVICE_AREA = LA_COUNTY


def api_report(at: tuple[float, float]) -> dict[str, object]:
    response = Client().post(
        "/api/v1/reports",
        json.dumps({"kind": "raid", "lat": at[0], "lng": at[1]}),
        content_type="application/json",
    )
    assert response.status_code == 201
    return response.json()  # type: ignore[no-any-return]


def test_a_report_from_new_york_is_stored_marked_and_the_reporter_told() -> None:
    body = api_report(NEW_YORK)
    assert body["outside_service_area"] is True
    assert Incident.objects.get(pk=body["incident_id"]).outside_service_area


def test_a_report_inside_is_not_marked() -> None:
    body = api_report(BOYLE_HEIGHTS)
    assert body["outside_service_area"] is False
    assert not Incident.objects.get(pk=body["incident_id"]).outside_service_area


def test_the_form_tells_the_reporter_the_network_may_not_cover_it() -> None:
    client = Client()
    form = {
        "kind": "raid",
        "lat": str(NEW_YORK[0]),
        "lng": str(NEW_YORK[1]),
        "observed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    response = client.post("/report", form, follow=True)
    assert "may be outside the area our network covers" in response.content.decode()
    form.update(lat=str(BOYLE_HEIGHTS[0]), lng=str(BOYLE_HEIGHTS[1]))
    response = client.post("/report", form, follow=True)
    assert "may be outside" not in response.content.decode()


def test_the_queue_keeps_outside_incidents_apart(dani: User) -> None:
    inside = submit_report(
        NewReport(
            kind="raid", lat=BOYLE_HEIGHTS[0], lng=BOYLE_HEIGHTS[1], channel="api", client_key="a"
        )
    )
    outside = submit_report(
        NewReport(kind="raid", lat=NEW_YORK[0], lng=NEW_YORK[1], channel="api", client_key="b")
    )
    client = signed_in(dani)
    main = client.get("/console").content.decode()
    assert inside.incident_id.hex[:8] in main and outside.incident_id.hex[:8] not in main
    assert "1 incident outside the service area" in main
    apart = client.get("/console?outside=1").content.decode()
    assert outside.incident_id.hex[:8] in apart and inside.incident_id.hex[:8] not in apart


def test_the_setting_takes_zip_codes_and_cells() -> None:
    area = service_area.parse(f"90033; {geo.cell_for(*NEW_YORK):x}")
    assert area is not None
    assert area.covers(*BOYLE_HEIGHTS)
    assert area.covers(*NEW_YORK)
    assert not area.covers(37.7749, -122.4194)  # San Francisco
    coarse = service_area.parse("8529a1d7fffffff")  # a resolution-5 cell
    assert coarse is not None and coarse.resolutions == (5,)


@pytest.mark.parametrize("bad", ["bbox:1,2,3", "9003", "somewhere", "bbox:95,0,96,1"])
def test_a_setting_that_is_none_of_the_forms_is_named(bad: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="VECINOS_SERVICE_AREA"):
        service_area.parse(bad)


def test_without_a_service_area_everything_is_inside(settings: Settings) -> None:
    settings.VECINOS_SERVICE_AREA = ""
    assert service_area.covers(*NEW_YORK)
