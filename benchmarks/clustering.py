"""Clustering rate in-process with 100,000 open reports, beside the naive way.

Setup: a throwaway SQLite database holding 100,000 reports seen within the last hour,
open, in 10,000 incidents at random points of Los Angeles County (10 reports each,
scattered within 300 m: a raid day far busier than any yet).

Figures, all from the same run:
- clustering decisions per second (``nearest_candidate``: one query answered from
  the incident_cell_seen index alone, then the nearest compatible open incident);
  goal ≥ 5,000 reports/s;
- the same with 1,000 open reports, to show the cost does not grow with the data;
- the same with 100,000 open *incidents* (every report its own), a harsher case;
- the naive way: load the open incidents and test the distance to each in Python
  (measured on a sample, since it is orders of magnitude slower);
- whole ``submit_report`` calls per second (validation, clustering, insert, incident
  refresh, timeline row) inside one transaction, i.e. without the per-commit fsync.
"""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta

from benchmarks import common

OPEN = int(os.environ.get("BENCH_OPEN_REPORTS", "100000"))
PER_INCIDENT = 10
LOOKUPS = int(os.environ.get("BENCH_LOOKUPS", "20000"))
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


def _lookup_rate(rng: random.Random, count: int) -> tuple[float, int]:
    from django.utils import timezone

    from vecinos.reports.clustering import nearest_candidate
    from vecinos.reports.models import Kind

    now = timezone.now()
    kinds = list(Kind.values)
    probes = [(rng.choice(kinds), lat, lng) for lat, lng in _points(rng, count)]
    joined = 0
    started = time.perf_counter()
    for kind, lat, lng in probes:
        if nearest_candidate(kind=kind, lat=lat, lng=lng, observed_at=now):
            joined += 1
    return count / (time.perf_counter() - started), joined


def _naive_rate(rng: random.Random, count: int) -> float:
    """What clustering costs without the index: every open incident, a distance each."""
    from django.utils import timezone

    from vecinos.core import geo
    from vecinos.reports.clustering import compatible_kinds, window
    from vecinos.reports.models import OPEN_STATUSES, Incident, Kind

    now = timezone.now()
    kinds = list(Kind.values)
    started = time.perf_counter()
    for lat, lng in _points(rng, count):
        kind = rng.choice(kinds)
        best = None
        rows = Incident.objects.filter(status__in=OPEN_STATUSES).values_list(
            "id", "kind", "lat", "lng", "last_seen_at"
        )
        for pk, other_kind, o_lat, o_lng, seen in rows:
            if other_kind not in compatible_kinds(kind) or seen < now - window():
                continue
            distance = geo.distance_km(lat, lng, o_lat, o_lng)
            if distance <= 0.5 and (best is None or distance < best[0]):
                best = (distance, pk)
    return count / (time.perf_counter() - started)


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
    result = common.Result(
        name="clustering",
        description=f"clustering decisions with {OPEN:,} open reports vs 1,000 and vs naive",
    )
    _fill(1000, rng, per_incident=PER_INCIDENT)
    small_rate, _ = _lookup_rate(rng, LOOKUPS // 4)
    _fill(OPEN, rng, per_incident=PER_INCIDENT)
    rate, joined = _lookup_rate(rng, LOOKUPS)
    naive = _naive_rate(rng, 20)
    result.notes.append(
        f"{OPEN:,} reports in {OPEN // PER_INCIDENT:,} incidents; "
        f"{joined:,} of {LOOKUPS:,} probes found an incident to join"
    )
    result.add(
        common.Figure(
            f"clustering decisions per second, {OPEN:,} open reports",
            rate,
            "reports/s",
            "same, 1,000 open reports",
            small_rate,
            "≥ 5,000/s",
            rate >= 5000,
        )
    )
    result.add(
        common.Figure(
            "speed-up over the naive distance scan",
            rate / naive,
            "times",
            "naive scan, reports/s",
            naive,
        )
    )
    submit = _submit_rate(rng, 2000)
    result.add(
        common.Figure(
            f"submit_report per second in one transaction, {OPEN:,} open reports",
            submit,
            "reports/s",
            "clustering decisions per second",
            rate,
        )
    )
    _fill(OPEN, rng, per_incident=1)
    harsh, _ = _lookup_rate(rng, LOOKUPS // 4)
    result.add(
        common.Figure(
            f"clustering decisions per second, {OPEN:,} open incidents (one report each)",
            harsh,
            "reports/s",
            f"same, {OPEN:,} reports in {OPEN // PER_INCIDENT:,} incidents",
            rate,
        )
    )
    return result
