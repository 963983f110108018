"""``core.bulk.write`` stores rows exactly as ``bulk_create`` does, on either database:
one row or many, every field's value as the ORM would write it, the keys the database
assigns returned in the order of the rows, and an update of stored rows in the same go."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
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


def incident_values(count: int, label: str) -> list[dict[str, object]]:
    """The fields ``incidents`` sets, as attribute names and values: the rest take
    their defaults."""
    fields = [
        *("kind", "lat", "lng", "cell", "public_label", "first_seen_at", "last_seen_at"),
        *("report_count", "source_count", "agencies", "confidence", "needs_location"),
        *("outside_service_area", "created_at", "updated_at"),
    ]
    return [{name: getattr(obj, name) for name in fields} for obj in incidents(count, label)]


@pytest.mark.parametrize("count", [1, 7, 64, 250])
def test_write_stores_rows_as_bulk_create_does_updates_and_numbers_the_last_table(
    count: int,
) -> None:
    existing = Incident.objects.bulk_create(incidents(1, "existing"))[0]
    db = connections[DEFAULT_DB_ALIAS]
    incident_table, event_table = bulk.table(Incident), bulk.table(IncidentEvent)
    values = incident_values(count, "ours")
    for entry in values:
        entry["id"] = uuid.uuid4()
    timeline = [
        {"incident_id": entry["id"], "type": IncidentEvent.Type.OPENED, "data": {"n": n}}
        for n, entry in enumerate(values)
    ]
    changed = {"report_count": 99, "agencies": ["cbp", "ice"], "lat": None, "kind": Kind.ARREST}
    names = tuple(changed)
    pk = Incident._meta.pk.get_db_prep_value(existing.pk, db)

    keys = bulk.write(
        [
            (incident_table, [incident_table.row(entry, db) for entry in values]),
            (event_table, [event_table.row(entry, db) for entry in timeline]),
        ],
        update=bulk.Update(
            incident_table, names, [[*incident_table.values(names, changed, db), pk]]
        ),
    )
    Incident.objects.bulk_create(
        [Incident(**entry) for entry in incident_values(count, "django's")]
    )

    ours, theirs = stored("ours"), stored("django's")
    assert len(ours) == count
    for mine, django in zip(ours, theirs, strict=True):
        assert str(mine.pop("public_label")).removeprefix("ours") == str(
            django.pop("public_label")
        ).removeprefix("django's")
        assert mine == django
    # The keys of the last table's rows, in the order of its rows.
    assert [IncidentEvent.objects.get(pk=key).data["n"] for key in keys] == list(range(count))
    assert [IncidentEvent.objects.get(pk=key).incident_id for key in keys] == [
        entry["id"] for entry in values
    ]
    existing.refresh_from_db()
    assert (existing.report_count, existing.agencies, existing.lat, existing.kind) == (
        99,
        ["cbp", "ice"],
        None,
        Kind.ARREST,
    )


def test_write_needs_a_last_table_whose_keys_the_database_assigns() -> None:
    db = connections[DEFAULT_DB_ALIAS]
    table = bulk.table(Incident)
    with pytest.raises(TypeError, match="keys the database assigns"):
        bulk.write([(table, [table.row(incident_values(1, "refused")[0], db)])])
    with pytest.raises(ValueError, match="needs rows"):
        bulk.write([(table, [])])
    assert not Incident.objects.exists()


@pytest.mark.parametrize("count", [1, 7, 250])
def test_timeline_rows_are_stored_as_bulk_create_stores_them(count: int) -> None:
    db = connections[DEFAULT_DB_ALIAS]
    incident_table, event_table = bulk.table(Incident), bulk.table(IncidentEvent)
    (opened,) = incident_values(1, "timeline")
    opened["id"] = uuid.uuid4()
    timeline: list[dict[str, Any]] = [
        {
            "incident_id": opened["id"],
            "type": IncidentEvent.Type.REPORT_ADDED if n % 2 else IncidentEvent.Type.OPENED,
            "data": {"label": "ours", "n": n, "text": "calle “Cesar Chávez”"},
            "created_at": NOW - timedelta(seconds=n),
        }
        for n in range(count)
    ]
    keys = bulk.write(
        [
            (incident_table, [incident_table.row(opened, db)]),
            (event_table, [event_table.row(entry, db) for entry in timeline]),
        ]
    )
    theirs = IncidentEvent.objects.bulk_create(
        [
            IncidentEvent(**{**entry, "data": {**entry["data"], "label": "django's"}})
            for entry in timeline
        ]
    )

    assert keys == sorted(keys) and len(set(keys)) == count
    for key, django in zip(keys, theirs, strict=True):
        mine_row = model_to_dict(IncidentEvent.objects.get(pk=key))
        django_row = model_to_dict(IncidentEvent.objects.get(pk=django.pk))
        assert mine_row.pop("data")["label"] == "ours"
        assert django_row.pop("data")["label"] == "django's"
        assert {k: v for k, v in mine_row.items() if k != "id"} == {
            k: v for k, v in django_row.items() if k != "id"
        }
