"""Reports of the same event become one incident: close in space (about 500 m, H3
cells and their neighbours) and time (60 minutes), of compatible kinds. Each incident
keeps its centroid, first/last seen, report and source counts and a confidence."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import Settings

from tests.factories import (
    BOYLE_HEIGHTS,
    JEFFERSON_HIGH,
    SANTEE_ALLEY,
    make_incident,
    moved,
    submit,
)
from vecinos.core import geo
from vecinos.reports import clustering
from vecinos.reports.models import Channel, Incident, IncidentEvent, IncidentStatus, Kind

pytestmark = pytest.mark.django_db


def test_a_first_report_opens_an_incident_where_it_was_seen() -> None:
    report = submit(kind=Kind.CHECKPOINT, agencies=["police", "ice"])

    incident = report.incident
    assert incident.kind == Kind.CHECKPOINT
    assert incident.status == IncidentStatus.NEW
    assert (incident.lat, incident.lng) == pytest.approx(BOYLE_HEIGHTS)
    assert incident.cell == geo.cell_for(*BOYLE_HEIGHTS)
    assert incident.first_seen_at == incident.last_seen_at == report.observed_at
    assert (incident.report_count, incident.source_count) == (1, 1)
    assert incident.agencies == ["ice", "police"]
    assert not incident.needs_location
    assert [(e.type, e.data["report"]) for e in incident.events.all()] == [
        (IncidentEvent.Type.OPENED, str(report.id))
    ]


def test_a_report_300_m_away_and_20_minutes_later_joins_the_incident() -> None:
    now = timezone.now()
    first = submit(observed_at=now - timedelta(minutes=20), client_key="a")

    second = submit(at=moved(*BOYLE_HEIGHTS, north_m=300), observed_at=now, client_key="b", now=now)

    assert second.incident_id == first.incident_id
    assert Incident.objects.count() == 1


@pytest.mark.parametrize(("north_m", "east_m"), [(450, 0), (0, -450), (-320, 320)])
def test_reports_within_about_500_m_join_in_every_direction(north_m: int, east_m: int) -> None:
    first = submit(client_key="a")

    second = submit(at=moved(*BOYLE_HEIGHTS, north_m=north_m, east_m=east_m), client_key="b")

    assert second.incident_id == first.incident_id


@pytest.mark.parametrize(
    "place", [SANTEE_ALLEY, JEFFERSON_HIGH, moved(*BOYLE_HEIGHTS, east_m=2500)]
)
def test_a_report_kilometres_away_opens_another_incident(place: tuple[float, float]) -> None:
    first = submit(client_key="a")

    second = submit(at=place, client_key="b")

    assert second.incident_id != first.incident_id
    assert Incident.objects.count() == 2


def test_a_report_more_than_an_hour_after_the_last_one_opens_another_incident() -> None:
    now = timezone.now()
    first = submit(observed_at=now - timedelta(minutes=61))

    second = submit(observed_at=now, now=now)

    assert second.incident_id != first.incident_id


def test_a_report_within_the_hour_of_the_latest_report_still_joins() -> None:
    now = timezone.now()
    first = submit(observed_at=now - timedelta(minutes=110), client_key="a")
    submit(observed_at=now - timedelta(minutes=55), client_key="b")

    third = submit(observed_at=now, client_key="c", now=now)

    assert third.incident_id == first.incident_id
    assert Incident.objects.get().report_count == 3


def test_a_late_report_of_something_seen_during_the_incident_joins_it() -> None:
    now = timezone.now()
    first = submit(observed_at=now - timedelta(minutes=50), client_key="a")
    submit(observed_at=now, client_key="b")

    late = submit(observed_at=now - timedelta(minutes=105), client_key="c")

    assert late.incident_id == first.incident_id
    incident = Incident.objects.get()
    assert incident.first_seen_at == now - timedelta(minutes=105)
    assert incident.last_seen_at == now


def test_the_window_and_radius_are_settings(settings: Settings) -> None:
    settings.REPORT_CLUSTER_MINUTES = 10
    now = timezone.now()
    first = submit(observed_at=now - timedelta(minutes=15))

    second = submit(observed_at=now, now=now)

    assert second.incident_id != first.incident_id
    settings.REPORT_CLUSTER_RADIUS_M = 1500
    assert clustering.ring_size() == 2


def test_the_default_radius_is_the_cell_and_its_neighbours() -> None:
    assert clustering.ring_size() == 1
    assert len(geo.neighbourhood(geo.cell_for(*BOYLE_HEIGHTS), clustering.ring_size())) == 7


@pytest.mark.parametrize(
    ("first_kind", "second_kind"),
    [
        (Kind.CHECKPOINT, Kind.PATROL),
        (Kind.RAID, Kind.CHECKPOINT),
        (Kind.SURVEILLANCE, Kind.ARREST),
        (Kind.PATROL, Kind.RAID),
    ],
)
def test_incompatible_kinds_stay_apart(first_kind: str, second_kind: str) -> None:
    first = submit(kind=first_kind, client_key="a")

    second = submit(kind=second_kind, client_key="b")

    assert second.incident_id != first.incident_id


@pytest.mark.parametrize(
    ("first_kind", "second_kind"),
    [
        (Kind.RAID, Kind.ARREST),
        (Kind.ARREST, Kind.RAID),
        (Kind.CHECKPOINT, Kind.OTHER),
        (Kind.OTHER, Kind.SURVEILLANCE),
    ],
)
def test_compatible_kinds_join(first_kind: str, second_kind: str) -> None:
    first = submit(kind=first_kind, client_key="a")

    second = submit(kind=second_kind, client_key="b")

    assert second.incident_id == first.incident_id


def test_an_other_incident_takes_the_kind_of_the_first_specific_report() -> None:
    submit(kind=Kind.OTHER, client_key="a")

    submit(kind=Kind.CHECKPOINT, client_key="b")

    assert Incident.objects.get().kind == Kind.CHECKPOINT


def test_a_raid_incident_stays_a_raid_when_an_arrest_joins() -> None:
    submit(kind=Kind.RAID, client_key="a")

    submit(kind=Kind.ARREST, client_key="b")

    assert Incident.objects.get().kind == Kind.RAID


def test_two_reports_from_the_same_client_count_as_one_source() -> None:
    submit(client_key="same")

    second = submit(client_key="same")

    incident = Incident.objects.get(pk=second.incident_id)
    assert (incident.report_count, incident.source_count) == (2, 1)


def test_two_clients_count_as_two_sources() -> None:
    submit(client_key="one")

    second = submit(client_key="two")

    incident = Incident.objects.get(pk=second.incident_id)
    assert (incident.report_count, incident.source_count) == (2, 2)


def test_the_same_network_on_the_form_and_the_api_is_one_source() -> None:
    # One network using both is one witness (tests/test_source_independence.py).
    submit(client_key="k", channel=Channel.API)

    second = submit(client_key="k", channel=Channel.WEB)

    assert Incident.objects.get(pk=second.incident_id).source_count == 1


def test_the_same_client_key_by_sms_is_another_source() -> None:
    submit(client_key="k", channel=Channel.API)

    second = submit(client_key="k", channel=Channel.SMS)

    assert Incident.objects.get(pk=second.incident_id).source_count == 2


def test_the_source_tag_tells_nothing_about_the_client() -> None:
    report = submit(client_key="0f3a9c")

    assert "0f3a9c" not in report.source_tag
    assert len(report.source_tag) == 16


def test_an_incident_keeps_its_centroid_and_agencies() -> None:
    a = moved(*BOYLE_HEIGHTS, north_m=100)
    b = moved(*BOYLE_HEIGHTS, north_m=-100)
    submit(at=a, agencies=["ice"], client_key="a")

    submit(at=b, agencies=["cbp", "ice"], client_key="b")

    incident = Incident.objects.get()
    assert incident.lat == pytest.approx((a[0] + b[0]) / 2)
    assert incident.lng == pytest.approx((a[1] + b[1]) / 2)
    assert incident.cell == geo.cell_for(incident.lat, incident.lng)
    assert incident.agencies == ["cbp", "ice"]


def test_the_nearest_of_two_open_incidents_is_joined() -> None:
    now = timezone.now()
    west = make_incident(at=moved(*BOYLE_HEIGHTS, east_m=-250), seen_at=now)
    east = make_incident(at=moved(*BOYLE_HEIGHTS, east_m=200), seen_at=now)

    report = submit(at=moved(*BOYLE_HEIGHTS, east_m=120), now=now, observed_at=now)

    assert report.incident_id == east.id
    assert report.incident_id != west.id


@pytest.mark.parametrize(
    "status", [IncidentStatus.UNCONFIRMED, IncidentStatus.FALSE, IncidentStatus.CLOSED]
)
def test_a_report_does_not_join_a_settled_incident(status: str) -> None:
    settled = make_incident(status=status)

    report = submit()

    assert report.incident_id != settled.id


@pytest.mark.parametrize("status", [IncidentStatus.DISPATCHED, IncidentStatus.CONFIRMED])
def test_a_report_joins_a_dispatched_or_confirmed_incident(status: str) -> None:
    incident = make_incident(status=status)

    report = submit()

    assert report.incident_id == incident.id
    incident.refresh_from_db()
    assert incident.status == status


def test_a_report_does_not_join_a_merged_incident() -> None:
    target = make_incident(at=SANTEE_ALLEY)
    merged = make_incident(merged_into=target)

    report = submit()

    assert report.incident_id not in {merged.id, target.id}


@pytest.mark.parametrize(
    "nearer",
    [
        {"status": IncidentStatus.CLOSED},
        {"status": IncidentStatus.FALSE},
        {"kind": Kind.CHECKPOINT},
        {"merged": True},
    ],
    ids=["closed", "false", "incompatible kind", "merged"],
)
def test_a_nearer_incident_it_may_not_join_leaves_the_report_to_the_open_one(
    nearer: dict[str, Any],
) -> None:
    now = timezone.now()
    fields = dict(nearer)
    if fields.pop("merged", False):
        fields["merged_into"] = make_incident(at=SANTEE_ALLEY, seen_at=now)
    open_one = make_incident(at=moved(*BOYLE_HEIGHTS, east_m=250), seen_at=now)
    make_incident(at=BOYLE_HEIGHTS, seen_at=now, **fields)

    report = submit(kind=Kind.RAID, at=BOYLE_HEIGHTS, observed_at=now, now=now)

    assert report.incident_id == open_one.id


def test_of_two_incidents_equally_near_the_report_joins_the_latest_seen() -> None:
    now = timezone.now()
    make_incident(seen_at=now - timedelta(minutes=30))
    latest = make_incident(seen_at=now - timedelta(minutes=5))

    report = submit(observed_at=now, now=now)

    assert report.incident_id == latest.id


def test_joining_records_a_report_added_event() -> None:
    first = submit(client_key="a")

    second = submit(client_key="b")

    assert [(e.type, e.data["report"]) for e in first.incident.events.all()] == [
        (IncidentEvent.Type.OPENED, str(first.id)),
        (IncidentEvent.Type.REPORT_ADDED, str(second.id)),
    ]


def test_a_report_without_a_location_opens_its_own_incident_needing_one() -> None:
    submit()

    report = submit(at=None, place="by the school on 4th", needs_location=True)

    incident = report.incident
    assert incident.needs_location
    assert (incident.lat, incident.lng, incident.cell) == (None, None, None)
    assert Incident.objects.count() == 2


def test_a_second_report_without_a_location_is_not_clustered_either() -> None:
    first = submit(at=None, needs_location=True)

    second = submit(at=None, needs_location=True)

    assert first.incident_id != second.incident_id


def test_finding_the_incident_is_one_lookup_on_the_cell_index_and_one_fetch() -> None:
    make_incident()
    make_incident(at=moved(*BOYLE_HEIGHTS, north_m=400))
    make_incident(at=SANTEE_ALLEY)

    with CaptureQueriesContext(connection) as queries:
        found = clustering.find_incident(
            kind=Kind.RAID, lat=BOYLE_HEIGHTS[0], lng=BOYLE_HEIGHTS[1], observed_at=timezone.now()
        )

    assert found is not None
    assert len(queries) == 2
    lookup = queries[0]["sql"].lower()
    assert "cell in" in lookup and "last_seen_at" in lookup
    assert "status" not in lookup.split("where", 1)[1]


@pytest.mark.parametrize("lookup", ["one report", "a batch"])
def test_the_lookup_reads_the_cell_index_alone(lookup: str) -> None:
    """Every column the lookup reads is in the incident_cell_seen index, so neither
    database fetches table rows for it (what keeps it fast with 100,000 open)."""
    make_incident()
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        if lookup == "one report":
            clustering.nearest_candidate(
                kind=Kind.RAID, lat=BOYLE_HEIGHTS[0], lng=BOYLE_HEIGHTS[1], observed_at=now
            )
        else:
            clustering.candidates_for_batch([(geo.cell_for(*BOYLE_HEIGHTS), now)])

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + queries[0]["sql"])
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING COVERING INDEX incident_cell_seen" in plan
        else:
            # A table of one row is cheapest to scan whole: ask for an index.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + queries[0]["sql"])
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index Only Scan using incident_cell_seen" in plan


def test_a_report_far_from_every_incident_costs_the_lookup_alone() -> None:
    make_incident(at=SANTEE_ALLEY)

    with CaptureQueriesContext(connection) as queries:
        found = clustering.find_incident(
            kind=Kind.RAID, lat=BOYLE_HEIGHTS[0], lng=BOYLE_HEIGHTS[1], observed_at=timezone.now()
        )

    assert found is None
    assert len(queries) == 1


def test_submitting_a_report_takes_a_fixed_number_of_queries() -> None:
    for _ in range(3):
        submit(client_key="a")

    with CaptureQueriesContext(connection) as few:
        submit(client_key="b")
    for _ in range(20):
        submit(client_key="c")
    with CaptureQueriesContext(connection) as many:
        submit(client_key="d")

    # Savepoint, candidates, the joined incident locked, what its reports add up to,
    # then the report, the incident's new summary and the timeline row: one statement
    # on PostgreSQL, three on SQLite; release. One write path for a report alone or a
    # batch (``submit_reports``).
    assert len(many) == len(few) == (6 if connection.vendor == "postgresql" else 8)


# Confidence ------------------------------------------------------------------------------------


def test_confidence_grows_with_independent_sources() -> None:
    first = submit(client_key="a")
    one = Incident.objects.get(pk=first.incident_id).confidence
    submit(client_key="a")
    same_client = Incident.objects.get(pk=first.incident_id).confidence
    submit(client_key="b")
    two = Incident.objects.get(pk=first.incident_id).confidence
    submit(client_key="c")
    three = Incident.objects.get(pk=first.incident_id).confidence

    assert 0 < one < same_client < two < three <= 100
    assert two - same_client > same_client - one  # a second source counts more than a repeat


def test_confidence_formula_examples() -> None:
    now = timezone.now()

    def score(reports: int, sources: int, agreeing: int, minutes_ago: float = 0) -> int:
        return clustering.confidence(
            tally=clustering.Tally(reports=reports, sources=sources, agreeing=agreeing),
            last_seen_at=now - timedelta(minutes=minutes_ago),
            now=now,
        )

    assert score(1, 1, 1) == 30
    assert score(2, 2, 2) == 61
    assert score(3, 3, 3) == 79
    assert score(2, 2, 1) < score(2, 2, 2)  # disagreement on the kind costs
    assert score(1, 1, 1, minutes_ago=60) == 15  # nothing new for an hour
    assert score(50, 50, 50) == 100
    assert score(0, 0, 0) >= 0


def test_a_report_of_something_seen_long_ago_earns_less_confidence() -> None:
    now = timezone.now()
    fresh = submit(observed_at=now, now=now)
    stale = submit(at=SANTEE_ALLEY, observed_at=now - timedelta(hours=5), now=now)

    assert fresh.incident.confidence > stale.incident.confidence
