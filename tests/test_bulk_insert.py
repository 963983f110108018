"""``core.bulk.insert`` stores rows exactly as ``bulk_create`` does, on either database:
one row or many, every field's value as the ORM would write it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.forms.models import model_to_dict

from vecinos.core import bulk
from vecinos.reports.models import Incident, IncidentEvent, Kind

pytestmark = pytest.mark.django_db


NOW = datetime(2026, 12, 6, 7, 30, 15, 123456, tzinfo=UTC)


def incidents(count: int, label: str, now: datetime = NOW) -> list[Incident]:
    return [
        Incident(
            kind=Kind.RAID if n % 2 else Kind.CHECKPOINT,
            lat=34.04 + n / 10_000,
            lng=-118.2 - n / 10_000,
            cell=None,
            public_label=f"{label} {n} — calle “Cesar Chávez”",
            first_seen_at=now - timedelta(minutes=n),
            last_seen_at=now,
            report_count=n + 1,
            source_count=1,
            agencies=["ice", f"agency {n}"] if n % 3 else [],
            confidence=n % 100,
            needs_location=False,
            outside_service_area=bool(n % 2),
            created_at=now,
            updated_at=now,
        )
        for n in range(count)
    ]


def stored(label: str) -> list[dict[str, object]]:
    rows = Incident.objects.filter(public_label__startswith=label).order_by("report_count")
    return [
        {key: value for key, value in model_to_dict(row).items() if key != "id"} for row in rows
    ]


@pytest.mark.parametrize("count", [1, 7, 250])
def test_rows_are_stored_as_bulk_create_stores_them(count: int) -> None:
    bulk.insert(Incident, incidents(count, "ours"))
    Incident.objects.bulk_create(incidents(count, "django's"))

    ours, theirs = stored("ours"), stored("django's")
    assert len(ours) == count
    for mine, django in zip(ours, theirs, strict=True):
        assert mine.pop("public_label").removeprefix("ours") == django.pop(
            "public_label"
        ).removeprefix("django's")
        assert mine == django


def test_nothing_to_insert_runs_no_statement(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        bulk.insert(Incident, [])


def events(count: int, incident: Incident, label: str) -> list[IncidentEvent]:
    return [
        IncidentEvent(
            incident=incident,
            type=IncidentEvent.Type.REPORT_ADDED if n % 2 else IncidentEvent.Type.OPENED,
            data={"label": label, "n": n, "text": "calle “Cesar Chávez”"},
            created_at=NOW - timedelta(seconds=n),
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [1, 7, 64, 250])
def test_rows_with_database_keys_are_stored_and_numbered_as_bulk_create_does(
    count: int,
) -> None:
    bulk.insert(Incident, incidents(1, "timeline"))
    incident = Incident.objects.get()
    ours = events(count, incident, "ours")
    bulk.insert_returning_pk(IncidentEvent, ours)
    theirs = IncidentEvent.objects.bulk_create(events(count, incident, "django's"))

    # Each instance got the key of its own row, in order.
    for event in ours:
        row = IncidentEvent.objects.get(pk=event.pk)
        assert row.data == event.data and row.type == event.type
        assert row.created_at == event.created_at
    assert [e.pk for e in ours] == sorted(e.pk for e in ours)
    assert len({e.pk for e in ours} | {e.pk for e in theirs}) == 2 * count
    for mine, django in zip(ours, theirs, strict=True):
        mine_row = model_to_dict(IncidentEvent.objects.get(pk=mine.pk))
        django_row = model_to_dict(IncidentEvent.objects.get(pk=django.pk))
        assert mine_row.pop("data")["label"] == "ours"
        assert django_row.pop("data")["label"] == "django's"
        assert {k: v for k, v in mine_row.items() if k != "id"} == {
            k: v for k, v in django_row.items() if k != "id"
        }


def test_a_model_whose_key_python_sets_is_refused() -> None:
    with pytest.raises(TypeError, match="database-assigned key"):
        bulk.insert_returning_pk(Incident, incidents(1, "refused"))
