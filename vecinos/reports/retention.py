"""Retention of reports and incidents (docs/architecture.md, principle 2), run by ``vecinos purge``
and the hourly job.

1. Reports received more than ``REPORT_RETENTION`` days ago lose their description,
   place text and photo file; their point is moved to the centre of its H3
   resolution-8 cell; ``purged_at`` is set. Each row is claimed with a conditional
   ``UPDATE ... WHERE purged_at IS NULL``, so two overlapping runs never both act on
   it, and the photo file is deleted only after the update commits.
2. Incidents last seen more than ``INCIDENT_RETENTION`` days ago become a coarse
   aggregate: claimed the same way (``aggregated_at IS NULL``), their reports are
   deleted (photos included), their centroid becomes the centre of its cell, and an
   ``aggregated`` row goes on their timeline. Kind, status, labels, counts and times
   stay: that is the aggregate.
3. Photo files under ``MEDIA_ROOT/reports/`` that no report names any more and that
   are older than a day (left behind by a transaction that rolled back after the file
   was written) are deleted.

Every step is idempotent. Complexity: O(rows past their window) per run, in batches.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from vecinos.core import geo
from vecinos.core.retention import drain, retention_job
from vecinos.reports import photos
from vecinos.reports.events import record_event
from vecinos.reports.models import Incident, IncidentEvent, Report

BATCH = 500
ORPHAN_AGE = timedelta(days=1)


def _coarse(cell: int | None, lat: float | None, lng: float | None) -> tuple[float | None, ...]:
    if cell is None:
        return (None, None) if lat is None else (lat, lng)
    return geo.cell_center(cell)


def purge_reports(now: datetime) -> int:
    """Step 1: erase the free text, photo and exact point of old reports."""
    cutoff = now - timedelta(days=settings.REPORT_RETENTION)
    return drain(
        lambda: list(
            Report.objects.filter(received_at__lt=cutoff, purged_at__isnull=True)
            .order_by("received_at")
            .values("pk", "cell", "lat", "lng", "photo")[:BATCH]
        ),
        lambda row: _purge_report(row, now),
    )


def _purge_report(row: Mapping[str, Any], now: datetime) -> int:
    lat, lng = _coarse(row["cell"], row["lat"], row["lng"])
    with transaction.atomic():
        claimed = Report.objects.filter(pk=row["pk"], purged_at__isnull=True).update(
            description="",
            place="",
            photo="",
            lat=lat,
            lng=lng,
            idempotency_hash=None,
            purged_at=now,
        )
        if claimed and row["photo"]:
            name = row["photo"]
            transaction.on_commit(partial(photos.delete_photo, name))
    return claimed


def aggregate_incidents(now: datetime) -> int:
    """Step 2: reduce old incidents to a coarse aggregate."""
    cutoff = now - timedelta(days=settings.INCIDENT_RETENTION)
    return drain(
        lambda: list(
            Incident.objects.filter(last_seen_at__lt=cutoff, aggregated_at__isnull=True)
            .order_by("last_seen_at")
            .values_list("pk", flat=True)[:BATCH]
        ),
        lambda pk: _aggregate(pk, now),
    )


def _aggregate(pk: uuid.UUID, now: datetime) -> int:
    with transaction.atomic():
        incident = Incident.objects.filter(pk=pk, aggregated_at__isnull=True).first()
        if incident is None:
            return 0
        lat, lng = _coarse(incident.cell, incident.lat, incident.lng)
        claimed = Incident.objects.filter(pk=pk, aggregated_at__isnull=True).update(
            lat=lat, lng=lng, aggregated_at=now, updated_at=now
        )
        if not claimed:
            return 0
        reports = incident.reports.all()
        files = [str(name) for name in reports.exclude(photo="").values_list("photo", flat=True)]
        deleted, _ = reports.delete()
        record_event(incident, IncidentEvent.Type.AGGREGATED, reports_deleted=deleted)
        for name in files:
            transaction.on_commit(partial(photos.delete_photo, name))
    return 1


def sweep_orphan_photos(now: datetime) -> int:
    """Step 3: delete photo files no report names, once they are a day old."""
    try:
        _, names = default_storage.listdir(photos.DIRECTORY)
    except FileNotFoundError:
        return 0
    candidates = {f"{photos.DIRECTORY}/{name}" for name in names}
    if not candidates:
        return 0
    known: set[str] = set()
    listed = sorted(candidates)
    for start in range(0, len(listed), BATCH):
        chunk = listed[start : start + BATCH]
        known.update(
            str(name)
            for name in Report.objects.filter(photo__in=chunk).values_list("photo", flat=True)
        )
    removed = 0
    for name in candidates - known:
        try:
            modified = default_storage.get_modified_time(name)
        except FileNotFoundError:
            continue
        if modified < now - ORPHAN_AGE:
            photos.delete_photo(name)
            removed += 1
    return removed


@retention_job("reports")
def run(now: datetime) -> dict[str, int]:
    return {
        "reports_purged": purge_reports(now),
        "incidents_aggregated": aggregate_incidents(now),
        "orphan_photos_deleted": sweep_orphan_photos(now),
    }
