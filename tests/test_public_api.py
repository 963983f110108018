"""The public API: confirmed incidents of the last 24 hours, coarse, as JSON and as a
GeoJSON FeatureCollection of H3 cell polygons. No account; no reporter's words, no
report points."""

from __future__ import annotations

import json
from datetime import datetime

import h3
import pytest
from django.test import Client

from tests.factories import BOYLE_HEIGHTS, SANTEE_ALLEY, submit
from vecinos.accounts.models import User
from vecinos.core import geo
from vecinos.core.replica import public_reads
from vecinos.reports import actions, queries
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db

SECRET_WORDS = "the neighbour at number 412"
FIELDS = {
    "id",
    "kind",
    "cell",
    "lat",
    "lng",
    "first_seen_at",
    "last_seen_at",
    "status",
    "public_label",
}


def confirmed(dani: User, at: tuple[float, float] = BOYLE_HEIGHTS, label: str = "") -> Incident:
    incident = submit(at=at, description=SECRET_WORDS, place="412 Soto St").incident
    if label:
        actions.set_public_label(incident=incident, label=label, actor=dani)
    actions.verify_incident(incident=incident, outcome="confirmed", actor=dani)
    incident.refresh_from_db()
    return incident


def test_the_public_list_has_confirmed_incidents_coarse(dani: User) -> None:
    incident = confirmed(dani, label="Cesar Chavez Ave & Soto St")
    submit(at=SANTEE_ALLEY)  # new, unchecked: not public
    refuted = submit(at=(34.0, -118.3)).incident
    actions.verify_incident(incident=refuted, outcome="false", actor=dani)

    response = Client().get("/api/v1/public/incidents")

    assert response.status_code == 200
    assert "max-age=60" in response["Cache-Control"]
    (item,) = response.json()
    assert set(item) == FIELDS
    assert item["id"] == str(incident.pk)
    assert item["kind"] == "raid"
    assert item["status"] == "confirmed"
    assert item["public_label"] == "Cesar Chavez Ave & Soto St"
    assert item["cell"] == h3.int_to_str(incident.cell)
    centre = geo.cell_center(incident.cell)  # type: ignore[arg-type]
    assert (item["lat"], item["lng"]) == (round(centre[0], 4), round(centre[1], 4))
    first_seen = datetime.fromisoformat(item["first_seen_at"])
    assert (first_seen.second, first_seen.microsecond) == (0, 0)  # to the minute


def test_nothing_a_reporter_wrote_and_no_exact_point_is_public(dani: User) -> None:
    incident = confirmed(dani)
    for url in ["/api/v1/public/incidents", "/api/v1/public/incidents.geojson"]:
        text = Client().get(url).content.decode()
        assert SECRET_WORDS not in text
        assert "412 Soto" not in text
        assert str(round(incident.lat, 5)) not in text  # type: ignore[arg-type]
        assert "description" not in text and "place" not in text


def test_the_geojson_is_a_valid_feature_collection_of_cell_polygons(dani: User) -> None:
    first = confirmed(dani, label="Soto St")
    confirmed(dani, at=SANTEE_ALLEY)

    response = Client().get("/api/v1/public/incidents.geojson")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 2
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["id"], str)
        geometry = feature["geometry"]
        assert geometry["type"] == "Polygon"
        (ring,) = geometry["coordinates"]
        assert len(ring) == 7  # a hexagon, closed
        assert ring[0] == ring[-1]
        for lng, lat in ring:
            assert -180 <= lng <= 180 and -90 <= lat <= 90
        # RFC 7946: the exterior ring is counter-clockwise (positive shoelace area).
        area = sum(
            ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)
        )
        assert area > 0
        assert {"kind", "status", "public_label", "cell", "first_seen_at"} <= set(
            feature["properties"]
        )
    by_id = {f["id"]: f for f in collection["features"]}
    polygon = by_id[str(first.pk)]["geometry"]["coordinates"][0]
    cell_outline = {(round(lng, 6), round(lat, 6)) for lat, lng in geo.cell_boundary(first.cell)}  # type: ignore[arg-type]
    assert {(lng, lat) for lng, lat in polygon} == cell_outline
    # The report's own point lies inside the published cell, but is not a vertex of it.
    assert h3.latlng_to_cell(*BOYLE_HEIGHTS, 8) == h3.int_to_str(first.cell)


def test_an_empty_collection_is_still_valid(db: None) -> None:
    collection = Client().get("/api/v1/public/incidents.geojson").json()
    assert collection == {"type": "FeatureCollection", "features": []}


def test_a_confirmed_incident_without_a_place_has_no_geometry(dani: User) -> None:
    incident = submit(at=None, place="near the school").incident
    actions.set_public_label(incident=incident, label="Jefferson High", actor=dani)
    actions.verify_incident(incident=incident, outcome="confirmed", actor=dani)

    (feature,) = Client().get("/api/v1/public/incidents.geojson").json()["features"]
    assert feature["geometry"] is None
    assert feature["properties"]["public_label"] == "Jefferson High"
    (item,) = Client().get("/api/v1/public/incidents").json()
    assert (item["cell"], item["lat"], item["lng"]) == (None, None, None)


def test_the_public_api_is_in_the_openapi_document(db: None) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/public/incidents" in paths
    assert "/api/v1/public/incidents.geojson" in paths


def test_without_a_replica_the_public_pages_read_the_primary(db: None) -> None:
    # With VECINOS_DATABASE_REPLICA_URL they read the replica: tests/test_replica.py.
    assert public_reads() == "default"
    assert queries.public_confirmed().db == "default"
