"""Which incident a new report belongs to, and how sure we are about an incident.

Compatibility of kinds
    Reports of the same kind belong together. Beyond that, a raid and an arrest are
    two views of one event (an arrest is what a raid looks like to a passer-by), so
    they cluster together. A report of kind ``other`` says "something is happening
    here" and joins an incident of any kind; an incident of kind ``other`` takes any
    report, and becomes the kind of the first specific report that joins it. Every
    other pair (a checkpoint and a patrol, say) stays apart: a dispatcher may still
    merge them by hand.

Radius and window
    ``REPORT_CLUSTER_RADIUS_M`` (default 500) becomes a ring of H3 resolution-8
    cells: k = max(1, ceil(radius / centre-to-centre spacing)), about 920 m at
    resolution 8, so the default is k = 1: the report's cell and its 6 neighbours.
    That covers every point within about one cell edge (~ 500 m) of the report,
    wherever it lies in its cell, and some points up to about 1.5 km away in the
    direction of a neighbour's far side. ``REPORT_CLUSTER_MINUTES`` (default 60)
    is the window: an incident is a candidate while the report's ``observed_at``
    lies within its span [first_seen_at - window, last_seen_at + window].
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

import h3
from django.conf import settings
from django.db import connection

from vecinos.core import geo
from vecinos.reports.models import OPEN_STATUSES, Incident, Kind

# Kinds a report of a given kind may join (and, symmetrically, that may join it).
COMPATIBLE_KINDS: dict[str, frozenset[str]] = {
    Kind.RAID: frozenset({Kind.RAID, Kind.ARREST, Kind.OTHER}),
    Kind.ARREST: frozenset({Kind.ARREST, Kind.RAID, Kind.OTHER}),
    Kind.CHECKPOINT: frozenset({Kind.CHECKPOINT, Kind.OTHER}),
    Kind.PATROL: frozenset({Kind.PATROL, Kind.OTHER}),
    Kind.SURVEILLANCE: frozenset({Kind.SURVEILLANCE, Kind.OTHER}),
    Kind.OTHER: frozenset(Kind.values),
}


def compatible_kinds(kind: str) -> frozenset[str]:
    return COMPATIBLE_KINDS[kind]


def ring_size(radius_m: int | None = None) -> int:
    """The k of the H3 grid disk that stands for the clustering radius."""
    return _ring_size(settings.REPORT_CLUSTER_RADIUS_M if radius_m is None else radius_m)


@cache
def _ring_size(radius_m: int) -> int:
    spacing_m = h3.average_hexagon_edge_length(geo.RESOLUTION, unit="m") * math.sqrt(3)
    return max(1, math.ceil(radius_m / spacing_m))


def window() -> timedelta:
    return _window(settings.REPORT_CLUSTER_MINUTES)


@cache
def _window(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)


# The lookup. Its WHERE clause constrains the first two columns of the
# incident_cell_seen index (cell, last_seen_at, ...), which every planner walks, one
# range per cell of the ring. The index also holds every other column the lookup
# reads, so neither database reads table rows (SQLite: "USING COVERING INDEX";
# PostgreSQL: an index-only scan once vacuumed), and the kind test runs on the index
# entries, which halves the rows handed to Python.
#
# Status and merge stay out of the WHERE clause. Given "status IN ...", SQLite's
# planner (without statistics, as in every new database) prefers the
# (status, last_seen_at) index and reads every open incident of the county seen
# within the window, many times slower than the covering index (the ORM baseline of
# benchmarks/clustering.py, results in benchmarks/results/clustering.json). It does
# so even with a partial index "WHERE status IN (open) AND merged_into_id IS NULL"
# that the query matches. So they are checked in Python,
# on columns the index holds; closed or merged incidents among the rows found are
# few, since the rows are those of seven cells within the hour.
CANDIDATES_SQL = (
    "SELECT id, kind, status, merged_into_id, lat, lng, last_seen_at "
    "FROM reports_incident WHERE cell IN ({cells}) AND last_seen_at >= %s "
    "AND first_seen_at <= %s AND kind IN ({kinds})"
)

# ``compatible_kinds`` as query parameters (plain strings, in a fixed order).
KIND_PARAMS: dict[str, tuple[str, ...]] = {
    str(kind): tuple(sorted(str(other) for other in others))
    for kind, others in COMPATIBLE_KINDS.items()
}


@cache
def _sql(template: str, *, cells: int, kinds: int = 0) -> str:
    """``template`` with ``cells`` (and ``kinds``) parameter placeholders, formatted
    once per size."""
    return template.format(cells=", ".join(["%s"] * cells), kinds=", ".join(["%s"] * kinds))


class Candidate(NamedTuple):
    """An incident a report could join. A named tuple, not a frozen dataclass: one
    is built for every row a lookup returns, and it costs less than half as much."""

    id: uuid.UUID | str  # the primary key as the database returned it (UUID or hex text)
    kind: str
    lat: float | None
    lng: float | None
    last_seen_at: datetime


def candidates(*, kind: str, cell: int, observed_at: datetime) -> list[Candidate]:
    """Open, unmerged incidents of a compatible kind that a report of ``kind`` in
    ``cell`` observed at ``observed_at`` could join: ONE query on the
    incident_cell_seen index, answered from the index alone; status and merge are
    checked on the rows it returns."""
    ring = geo.neighbourhood(cell, ring_size())
    kinds = KIND_PARAMS[kind]
    span = window()
    adapt = connection.ops.adapt_datetimefield_value
    sql = _sql(CANDIDATES_SQL, cells=len(ring), kinds=len(kinds))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ring, adapt(observed_at - span), adapt(observed_at + span), *kinds])
        rows = cursor.fetchall()
    return [
        Candidate(pk, other_kind, lat, lng, as_aware(last))
        for pk, other_kind, status, merged_into, lat, lng, last in rows
        if status in OPEN_STATUSES and merged_into is None
    ]


# ``CANDIDATES_SQL`` for a batch of reports: the union of their rings and time windows
# in one query (the same index, again answered from it alone), with what
# ``within_reach`` needs to tell, per report, which of the rows it could join. No kind
# test: the batch's reports are of several kinds.
BATCH_CANDIDATES_SQL = (
    "SELECT id, kind, status, lat, lng, cell, first_seen_at, last_seen_at, merged_into_id "
    "FROM reports_incident WHERE cell IN ({cells}) AND last_seen_at >= %s "
    "AND first_seen_at <= %s"
)


class Nearby(NamedTuple):
    """An open, unmerged incident near some report of a batch (a named tuple, as
    ``Candidate``)."""

    candidate: Candidate
    cell: int
    first_seen_at: datetime


def candidates_for_batch(points: list[tuple[int, datetime]]) -> list[Nearby]:
    """Open, unmerged incidents that a report in one of ``points`` (cell, observed at)
    might join: ONE query for the batch, on the incident_cell_seen index. Each
    report then keeps the rows ``within_reach`` of it (kind, ring, span), which is
    the test ``candidates`` makes. O(r) rows for r = the rows its reports'
    ``candidates`` queries would return together, before their kind test."""
    if not points:
        return []
    cells = sorted({c for cell, _ in points for c in geo.neighbourhood(cell, ring_size())})
    span = window()
    earliest = min(observed_at for _, observed_at in points)
    latest = max(observed_at for _, observed_at in points)
    adapt = connection.ops.adapt_datetimefield_value
    sql = _sql(BATCH_CANDIDATES_SQL, cells=len(cells))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cells, adapt(earliest - span), adapt(latest + span)])
        rows = cursor.fetchall()
    return [
        Nearby(Candidate(pk, kind, lat, lng, as_aware(last)), cell, as_aware(first))
        for pk, kind, status, lat, lng, cell, first, last, merged_into in rows
        if status in OPEN_STATUSES and merged_into is None
    ]


def nearest_candidate(
    *, kind: str, lat: float, lng: float, observed_at: datetime
) -> Candidate | None:
    """The clustering decision: which open incident (if any) a report joins.

    1. Compute the report's resolution-8 cell and its k-ring (7 cells for k = 1).
    2. Fetch the incidents of a compatible kind whose centroid cell is in the ring
       and whose span widened by the window contains ``observed_at``: ONE query
       answered from the incident_cell_seen index alone (``CANDIDATES_SQL``). Keep
       those that are open and unmerged.
    3. Keep the candidate whose centroid is nearest the report (ties: the most
       recently seen).

    Complexity: one indexed query returning the c incidents of compatible kinds in
    7 cells within the window, and O(c) work: independent of the number of open
    incidents elsewhere.
    """
    cell = geo.cell_for(lat, lng)
    found = candidates(kind=kind, cell=cell, observed_at=observed_at)
    return nearest(lat=lat, lng=lng, found=found)


def nearest(*, lat: float, lng: float, found: Iterable[Candidate]) -> Candidate | None:
    """Step 3 of ``nearest_candidate``: the candidate whose centroid is nearest
    (lat, lng); ties go to the most recently seen, then to the first found. The
    times are compared only when two distances are equal."""
    best: Candidate | None = None
    best_distance = math.inf
    for candidate in found:
        if candidate.lat is None or candidate.lng is None:
            continue
        distance = geo.distance_km(lat, lng, candidate.lat, candidate.lng)
        if distance < best_distance or (
            distance == best_distance
            and best is not None
            and candidate.last_seen_at > best.last_seen_at
        ):
            best, best_distance = candidate, distance
    return best


def within_reach(
    *,
    kind: str,
    ring: Collection[int],
    observed_at: datetime,
    incident_kind: str,
    cell: int | None,
    first_seen_at: datetime,
    last_seen_at: datetime,
) -> bool:
    """The test ``candidates`` applies, for an open, unmerged incident known in memory
    (one a batch of reports opened or moved and has not written yet): its centroid
    cell in the ring, its span widened by the window containing ``observed_at``, a
    compatible kind."""
    span = window()
    return (
        cell is not None
        and cell in ring
        and last_seen_at >= observed_at - span
        and first_seen_at <= observed_at + span
        and incident_kind in compatible_kinds(kind)
    )


def as_aware(value: Any) -> datetime:
    """A datetime column read by a raw query, as an aware datetime on either backend
    (PostgreSQL gives aware datetimes; SQLite naive ones in UTC, or UTC text where
    the column's type is unknown)."""
    if isinstance(value, datetime):
        # timezone.is_aware's test, inline: this runs for every candidate row.
        return value if value.utcoffset() is not None else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def find_incident(
    *, kind: str, lat: float, lng: float, observed_at: datetime, lock: bool = True
) -> Incident | None:
    """The open incident a new report joins (``nearest_candidate``), loaded by primary
    key — with ``lock`` as ``SELECT ... FOR UPDATE`` on PostgreSQL (SQLite's immediate
    transactions already serialise writers), so that two reports joining the same
    incident at once update it one after the other. None: the report opens a new one.
    Two indexed queries at most."""
    best = nearest_candidate(kind=kind, lat=lat, lng=lng, observed_at=observed_at)
    if best is None:
        return None
    incidents = Incident.objects.select_for_update() if lock else Incident.objects
    return incidents.get(pk=best.id)


@dataclass(frozen=True)
class Tally:
    """What an incident's reports say, counted in one aggregate query."""

    reports: int
    sources: int
    agreeing: int


def confidence(*, tally: Tally, last_seen_at: datetime, now: datetime) -> int:
    """How sure we are that something is happening, 0 to 100.

    confidence = sources + corroboration + recency + agreement, where
      - sources (0-55) = 55 * (1 - 0.5^(s - 1)) for s independent sources: one source
        earns nothing on its own, the second 27.5, the third 41, then it levels off;
      - corroboration (0-15) = 15 * min(n - 1, 4) / 4 for n reports, whoever sent them;
      - recency (0-15) = 15 * (1 - age / window), at least 0, where age is how long
        before ``now`` the latest report says it saw the event (a report of something
        seen an hour ago counts less than one of something happening now);
      - agreement (0-15) = 15 * the share of reports whose kind is the incident's kind.
    One fresh report: 30. Two independent agreeing fresh reports: 61. Three: 79.
    """
    sources = max(1, tally.sources)
    reports = max(1, tally.reports)
    source_part = 55 * (1 - 0.5 ** (sources - 1))
    corroboration = 15 * min(reports - 1, 4) / 4
    age = max(0.0, (now - last_seen_at).total_seconds())
    recency = 15 * max(0.0, 1 - age / window().total_seconds())
    agreement = 15 * min(tally.agreeing, reports) / reports
    return max(0, min(100, round(source_part + corroboration + recency + agreement)))
