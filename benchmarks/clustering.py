"""Clustering decisions in-process with 10,000 and 100,000 open incidents, beside the
straightforward Django query for the same decision.

Setup: a throwaway database (SQLite, or PostgreSQL on the ``postgres`` backend;
rows written with ``bulk_create``) holding open incidents seen within the last hour
at random points of Los Angeles County: first 100 incidents (1,000 reports), then
10,000 incidents of 10 reports each scattered within 300 m (100,000 reports: a raid
day far busier than any yet), then 100,000 incidents of one report each.

Figures, all from the same run, each over the same ``BENCH_LOOKUPS`` probes:
- clustering decisions per second (``nearest_candidate``: one raw query answered
  from the incident_cell_seen index alone, then the nearest compatible open incident);
  goal ≥ 5,000 decisions/s with 10,000 open incidents;
- the baseline: the query a Django developer would write for the same rule
  (``Incident.objects.filter(status__in=open, merged_into=None, cell__in=ring,
  kind__in=compatible, last_seen_at__gte=..., first_seen_at__lte=...)``, then the
  nearest), run on the same probes; every decision must be the same as the real
  path's, or the benchmark fails;
- the same decisions with 100 and with 100,000 open incidents;
- whole ``submit_report`` calls per second (validation, clustering, insert, incident
  refresh, timeline row) inside one transaction, i.e. without the per-commit fsync.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from datetime import timedelta

from benchmarks import common

OPEN = int(os.environ.get("BENCH_OPEN_REPORTS", "100000"))
PER_INCIDENT = 10
LOOKUPS = int(os.environ.get("BENCH_LOOKUPS", "5000"))
SOUTH, NORTH, WEST, EAST = 33.70, 34.35, -118.70, -117.90


def _setup_django() -> None:
    directory = common.data_dir("clustering")
    os.environ.update(common.vecinos_env(directory))
    os.environ["DJANGO_SETTINGS_MODULE"] = "vecinos.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _points(rng: random.Random, count: int) -> list[tuple[float, float]]:
    return [(rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)) for _ in range(count)]


def _fill(reports: int, rng: random.Random, *, per_incident: int) -> None:
    """``reports`` open reports in ``reports / per_incident`` incidents, bulk-inserted."""
    from django.db import transaction
    from django.utils import timezone

    from vecinos.core import geo
    from vecinos.reports.models import Channel, Incident, IncidentStatus, Kind, Report

    now = timezone.now()
    kinds = list(Kind.values)
    with transaction.atomic():
        Report.objects.all().delete()
        Incident.objects.all().delete()
        incidents, rows = [], []
        for lat, lng in _points(rng, reports // per_incident):
            seen = now - timedelta(minutes=rng.uniform(0, 50))
            incident = Incident(
                kind=rng.choice(kinds),
                status=IncidentStatus.NEW,
                lat=lat,
                lng=lng,
                cell=geo.cell_for(lat, lng),
                first_seen_at=seen - timedelta(minutes=5),
                last_seen_at=seen,
                report_count=per_incident,
                source_count=per_incident,
                confidence=70,
            )
            incidents.append(incident)
            for _ in range(per_incident):
                r_lat = lat + rng.uniform(-0.0027, 0.0027)
                r_lng = lng + rng.uniform(-0.0033, 0.0033)
                rows.append(
                    Report(
                        incident=incident,
                        kind=incident.kind,
                        lat=r_lat,
                        lng=r_lng,
                        cell=geo.cell_for(r_lat, r_lng),
                        observed_at=seen,
                        channel=Channel.API,
                        source_tag=f"{rng.getrandbits(64):016x}",
                    )
                )
        Incident.objects.bulk_create(incidents, batch_size=5000)
        Report.objects.bulk_create(rows, batch_size=5000)


Probe = tuple[str, float, float]


def _probes(rng: random.Random, count: int) -> list[Probe]:
    from vecinos.reports.models import Kind

    kinds = list(Kind.values)
    return [(rng.choice(kinds), lat, lng) for lat, lng in _points(rng, count)]


def _lookup_rate(probes: list[Probe]) -> tuple[float, list[object]]:
    """The real path: decisions per second, and each decision (an incident id or None)."""
    from django.utils import timezone

    from vecinos.reports.clustering import nearest_candidate

    now = timezone.now()
    decisions: list[object] = []
    started = time.perf_counter()
    for kind, lat, lng in probes:
        best = nearest_candidate(kind=kind, lat=lat, lng=lng, observed_at=now)
        decisions.append(uuid.UUID(str(best.id)) if best is not None else None)
    return len(probes) / (time.perf_counter() - started), decisions


def _orm_rate(probes: list[Probe]) -> tuple[float, list[object]]:
    """The baseline: the same rule written as an ordinary ORM query per probe."""
    from django.utils import timezone

    from vecinos.core import geo
    from vecinos.reports.clustering import (
        Candidate,
        compatible_kinds,
        nearest,
        ring_size,
        window,
    )
    from vecinos.reports.models import OPEN_STATUSES, Incident

    now = timezone.now()
    span = window()
    decisions: list[object] = []
    started = time.perf_counter()
    for kind, lat, lng in probes:
        ring = geo.neighbourhood(geo.cell_for(lat, lng), ring_size())
        rows = Incident.objects.filter(
            status__in=OPEN_STATUSES,
            merged_into__isnull=True,
            cell__in=ring,
            kind__in=compatible_kinds(kind),
            last_seen_at__gte=now - span,
            first_seen_at__lte=now + span,
        ).values_list("id", "kind", "lat", "lng", "last_seen_at")
        best = nearest(lat=lat, lng=lng, found=[Candidate(*row) for row in rows])
        decisions.append(uuid.UUID(str(best.id)) if best is not None else None)
    return len(probes) / (time.perf_counter() - started), decisions


def _submit_rate(rng: random.Random, count: int) -> float:
    from django.db import transaction

    from vecinos.reports.actions import NewReport, submit_report
    from vecinos.reports.models import Kind

    kinds = list(Kind.values)
    points = _points(rng, count)
    started = time.perf_counter()
    with transaction.atomic():
        for lat, lng in points:
            submit_report(
                NewReport(
                    kind=rng.choice(kinds),
                    lat=lat,
                    lng=lng,
                    description="seen from the bus stop",
                    channel="api",
                    client_key=f"{rng.getrandbits(64):x}",
                )
            )
    return count / (time.perf_counter() - started)


def run() -> common.Result:
    _setup_django()
    rng = random.Random(8)
    incidents = OPEN // PER_INCIDENT
    result = common.Result(
        name="clustering",
        description=(
            f"clustering decisions with {incidents:,} open incidents ({OPEN:,} reports), "
            "beside the plain ORM query for the same decision"
        ),
    )
    _fill(1000, rng, per_incident=PER_INCIDENT)
    small_rate, _ = _lookup_rate(_probes(rng, LOOKUPS))
    _fill(OPEN, rng, per_incident=PER_INCIDENT)
    probes = _probes(rng, LOOKUPS)
    rate, decisions = _lookup_rate(probes)
    orm, orm_decisions = _orm_rate(probes)
    differ = sum(a != b for a, b in zip(decisions, orm_decisions, strict=True))
    if differ:
        raise RuntimeError(f"the baseline decided {differ} of {LOOKUPS} probes differently")
    joined = sum(decision is not None for decision in decisions)
    result.notes.append(
        f"{OPEN:,} reports in {incidents:,} open incidents; {joined:,} of {LOOKUPS:,} probes "
        "found an incident to join; the ORM baseline made the same decision for every probe"
    )
    result.add(
        common.Figure(
            f"clustering decisions per second, {incidents:,} open incidents",
            rate,
            "decisions/s",
            "same, 100 open incidents",
            small_rate,
            "≥ 5,000/s",
            rate >= 5000,
        )
    )
    result.add(
        common.Figure(
            "speed-up over the plain ORM query (same decisions, same probes)",
            rate / orm,
            "x",
            "ORM query, decisions/s",
            orm,
        )
    )
    submit = _submit_rate(rng, 2000)
    result.add(
        common.Figure(
            f"submit_report per second in one transaction, {incidents:,} open incidents",
            submit,
            "reports/s",
            "clustering decisions per second",
            rate,
        )
    )
    _fill(OPEN, rng, per_incident=1)
    harsh, _ = _lookup_rate(_probes(rng, LOOKUPS))
    result.add(
        common.Figure(
            f"clustering decisions per second, {OPEN:,} open incidents (one report each)",
            harsh,
            "decisions/s",
            f"same, {incidents:,} open incidents",
            rate,
        )
    )
    return result
