"""POST /api/v1/reports: an anonymous reporter's report is stored and clustered."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from tests.factories import BOYLE_HEIGHTS, moved, report_payload
from vecinos.reports.models import Channel, Incident, IncidentEvent, Report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

URL = "/api/v1/reports"


def post(client: Client, body: Any, **extra: Any) -> Any:
    return client.post(URL, data=json.dumps(body), content_type="application/json", **extra)


def test_a_valid_report_is_accepted_with_its_id_and_incident() -> None:
    response = post(Client(), report_payload())

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "incident_id", "status"}
    assert body["status"] == "received"
    report = Report.objects.get(pk=body["id"])
    assert str(report.incident_id) == body["incident_id"]
    assert report.channel == Channel.API
    assert report.kind == "raid"
    assert report.lat == pytest.approx(BOYLE_HEIGHTS[0])
    assert report.place == "Cesar Chavez Ave & Soto St"
    assert report.agencies == ["ice"]
    assert (report.vehicles, report.officers, report.language) == (3, 8, "es")
    assert report.cell is not None
    assert len(report.source_tag) == 16


def test_only_kind_and_location_are_required() -> None:
    response = post(Client(), {"kind": "checkpoint", "lat": 34.05, "lng": -118.25})

    assert response.status_code == 201
    report = Report.objects.get(pk=response.json()["id"])
    assert report.place == report.description == ""
    assert report.agencies == []
    assert abs(report.observed_at - timezone.now()) < timedelta(minutes=1)


def test_optional_fields_may_be_null() -> None:
    body = report_payload(place=None, description=None)
    body.update({"place": None, "description": None, "agencies": None, "vehicles": None})

    assert post(Client(), body).status_code == 201


def test_observed_at_keeps_its_offset_and_z_is_accepted() -> None:
    seen = (timezone.now() - timedelta(minutes=30)).replace(microsecond=0)
    local = seen.astimezone(timezone.get_fixed_timezone(-7 * 60)).isoformat()
    utc = seen.astimezone(timezone.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    first = post(Client(), report_payload(observed_at=local))
    second = post(Client(), report_payload(observed_at=utc))

    assert first.status_code == second.status_code == 201
    assert Report.objects.get(pk=first.json()["id"]).observed_at == seen
    assert Report.objects.get(pk=second.json()["id"]).observed_at == seen


def test_two_reports_of_the_same_raid_share_an_incident() -> None:
    first = post(Client(REMOTE_ADDR="10.0.0.1"), report_payload())
    nearby = moved(*BOYLE_HEIGHTS, north_m=150, east_m=100)
    second = post(Client(REMOTE_ADDR="10.0.0.2"), report_payload(lat=nearby[0], lng=nearby[1]))

    assert first.json()["incident_id"] == second.json()["incident_id"]
    incident = Incident.objects.get(pk=first.json()["incident_id"])
    assert (incident.report_count, incident.source_count) == (2, 2)
    assert [event.type for event in incident.events.all()] == [
        IncidentEvent.Type.OPENED,
        IncidentEvent.Type.REPORT_ADDED,
    ]


def test_no_account_and_no_csrf_token_are_needed() -> None:
    client = Client(enforce_csrf_checks=True)

    response = post(client, report_payload())

    assert response.status_code == 201


def test_the_reporter_address_is_not_stored() -> None:
    response = post(Client(REMOTE_ADDR="203.0.113.77"), report_payload())

    report = Report.objects.get(pk=response.json()["id"])
    stored = json.dumps(
        [str(value) for value in Report.objects.filter(pk=report.pk).values().get().values()]
    )
    assert "203.0.113.77" not in stored


@pytest.mark.django_db(transaction=True)
def test_a_201_means_the_report_is_committed() -> None:
    response = post(Client(), report_payload())

    assert response.status_code == 201
    assert not connection.in_atomic_block
    # Another connection sees the row: it was committed before the answer went out.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {Report._meta.db_table} WHERE id = %s",  # noqa: S608
                [Report._meta.pk.get_db_prep_value(response.json()["id"], other)],
            )
            assert cursor.fetchone() == (1,)
    finally:
        other.close()


def test_the_openapi_document_describes_the_endpoint() -> None:
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    operation = response.json()["paths"]["/api/v1/reports"]["post"]
    assert {"201", "422", "429"} <= set(operation["responses"])


def test_a_report_the_writer_could_not_store_in_time_answers_503(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vecinos.reports import writer

    def too_slow(report: Any) -> Report:
        raise writer.WriterBusy

    monkeypatch.setattr(writer, "submit_report", too_slow)

    response = post(Client(), report_payload())

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["detail"]
