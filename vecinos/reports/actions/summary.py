"""An incident's summary (centroid, span, counts, confidence) recomputed from
its reports: one incident, or many in one statement."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection

from vecinos.core import geo
from vecinos.reports import clustering
from vecinos.reports.models import (
    Incident,
    Kind,
)

# ``Kind.values`` builds a new list on every access; this is read per report.
KINDS = tuple(Kind.values)


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


# One aggregate over the incident's reports (the reports_report incident_id index). Raw
# SQL because it runs for every report that joins an incident, and compiling the same
# aggregate through the ORM cost several times the query itself.
SUMMARY_SQL = (
    "SELECT COUNT(*), COUNT(DISTINCT source_tag), "
    "SUM(CASE WHEN kind = %s THEN 1 ELSE 0 END), AVG(lat), AVG(lng), "
    "MIN(observed_at), MAX(observed_at) FROM reports_report WHERE incident_id = %s"
)


def _summarise_reports(incident: Incident) -> dict[str, Any]:
    pk = Incident._meta.pk.get_db_prep_value(incident.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(SUMMARY_SQL, [incident.kind, pk])
        reports, sources, agreeing, lat, lng, first, last = cursor.fetchone()
    return {
        "reports": reports,
        "sources": sources,
        "agreeing": agreeing or 0,
        "lat": lat,
        "lng": lng,
        "first": clustering.as_aware(first) if first is not None else None,
        "last": clustering.as_aware(last) if last is not None else None,
    }


SUMMARY_FIELDS = (
    "kind",
    "lat",
    "lng",
    "cell",
    "needs_location",
    "first_seen_at",
    "last_seen_at",
    "report_count",
    "source_count",
    "agencies",
    "confidence",
    "updated_at",
)


def refresh_incident(
    incident: Incident,
    *,
    now: datetime,
    new_agencies: Iterable[str] = (),
    new_kind: str | None = None,
) -> Incident:
    """Recompute an incident's summary from its reports in one aggregate query and
    save it: centroid and cell, first/last seen, counts, confidence. Agencies are a
    union (``new_agencies`` are added; none are taken away). An incident of kind
    ``other`` takes ``new_kind`` when that is more specific."""
    _take_kind(incident, new_kind)
    _apply_summary(incident, _summarise_reports(incident), now=now, new_agencies=new_agencies)
    incident.save(update_fields=list(SUMMARY_FIELDS))
    return incident


def _take_kind(incident: Incident, new_kind: str | None) -> None:
    if incident.kind == Kind.OTHER and new_kind and new_kind != Kind.OTHER:
        incident.kind = new_kind


def _apply_summary(
    incident: Incident, summary: dict[str, Any], *, now: datetime, new_agencies: Iterable[str]
) -> None:
    tally = clustering.Tally(
        reports=summary["reports"], sources=summary["sources"], agreeing=summary["agreeing"]
    )
    if summary["lat"] is not None and summary["lng"] is not None:
        incident.lat, incident.lng = summary["lat"], summary["lng"]
        incident.cell = geo.cell_for(incident.lat, incident.lng)
        incident.needs_location = False
    if summary["first"] is not None:
        incident.first_seen_at, incident.last_seen_at = summary["first"], summary["last"]
    incident.report_count = tally.reports
    incident.source_count = tally.sources
    incident.agencies = sorted(set(incident.agencies or []) | set(new_agencies))
    incident.confidence = clustering.confidence(
        tally=tally, last_seen_at=incident.last_seen_at, now=now
    )
    incident.updated_at = now
