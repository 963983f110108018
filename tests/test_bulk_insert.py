"""``core.bulk.insert`` stores rows exactly as ``bulk_create`` does, on either database:
one row or many, every field's value as the ORM would write it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.forms.models import model_to_dict

from vecinos.core import bulk
from vecinos.reports.models import Incident, Kind

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
