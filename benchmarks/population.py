"""Subscribers in bulk for the fan-out benchmark (benchmarks/fanout.py) and the county
simulation (benchmarks/stress.py): rows written straight into a migrated schema,
SQLite through sqlite3, PostgreSQL through COPY, far faster than the ORM.

Two ways to place them:
- ``points``: each at a random point of the county box, holding the 7 H3 cells of a
  ~0.5 km area (the fan-out benchmark's worst case: every cell a different set);
- ``zips``: each at one of Los Angeles County's ZIP codes (the ``zipcodes`` package's
  data, as ``JOIN 90033`` subscribers: vecinos/core/areas.py), holding that ZIP
  code's cells.

Languages are the twelve alert languages (vecinos/alerts/phrases.py), channels SMS,
email and web push. ``contacts`` makes each contact real (encrypted as the model
does, so a worker can send to it); without it the contact is a placeholder the
fan-out never reads.
"""

from __future__ import annotations

import io
import random
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

SOUTH, NORTH, WEST, EAST = 33.70, 34.35, -118.70, -117.90
LANGUAGES = ("en", "es", "zh-hans", "zh-hant", "ko", "tl", "vi", "hy", "fa", "ru", "ja", "km")
# Spanish and English first: most of the county's subscribers, as the weights say.
LANGUAGE_WEIGHTS = (30, 40, 4, 2, 4, 4, 4, 3, 2, 2, 2, 3)
CHANNELS = ("sms", "email", "webpush")
CHANNEL_WEIGHTS = (6, 3, 1)
PLACEHOLDER = "v1.00000000.benchmark"
BATCH = 50_000

SUBSCRIPTION_COLUMNS = (
    "id",
    "channel",
    "contact",
    "contact_hash",
    "language",
    "status",
    "area_label",
    "code_hash",
    "code_attempts",
    "created_at",
    "confirmed_at",
    "disabled_reason",
    "is_demo",
)


@dataclass(frozen=True)
class Subscriber:
    pk: str  # 32 hex digits
    channel: str
    language: str
    status: str
    label: str
    cells: tuple[int, ...]
    number: int  # the n-th subscriber: contacts are made from it


def la_county_zips() -> list[tuple[str, float, float]]:
    """Los Angeles County's ZIP codes with a centroid, from the data the ZIP
    subscriptions use (vecinos/core/areas.py)."""
    import zipcodes

    found = []
    for row in zipcodes.filter_by(state="CA", county="Los Angeles County"):
        try:
            lat, lng = float(row["lat"]), float(row["long"])
        except (KeyError, TypeError, ValueError):
            continue
        if row.get("active", True) and row.get("zip_code_type") == "STANDARD":
            found.append((str(row["zip_code"]), lat, lng))
    return sorted(found)


def zip_cells(zips: list[tuple[str, float, float]], radius_km: float) -> dict[str, tuple[int, ...]]:
    """Each ZIP code's cells: those within ``radius_km`` of its centroid, as
    vecinos.core.areas.zip_area (no Django needed)."""
    from vecinos.core import geo

    return {code: tuple(sorted(geo.cells_within(lat, lng, radius_km))) for code, lat, lng in zips}


def subscribers(
    count: int, *, seed: int, placement: str, zip_radius_km: float = 2.0, active: float = 0.95
) -> Iterator[Subscriber]:
    import h3.api.basic_int as h3i

    rng = random.Random(seed)
    zips = la_county_zips() if placement == "zips" else []
    cells_of = zip_cells(zips, zip_radius_km) if zips else {}
    for number in range(count):
        pk = uuid.UUID(int=rng.getrandbits(128), version=4).hex
        status = "active" if rng.random() < active else rng.choice(["pending", "stopped"])
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        language = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
        if zips:
            code = zips[number % len(zips)][0]
            label, cells = f"ZIP {code}", cells_of[code]
        else:
            lat, lng = rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)
            label = "0.5 km"
            cells = tuple(h3i.grid_disk(h3i.latlng_to_cell(lat, lng, 8), 1))
        yield Subscriber(pk, channel, language, status, label, cells, number)


Contacts = Callable[[Subscriber], tuple[str, str]]  # (encrypted contact, contact hash)


def _rows(
    people: Iterator[Subscriber], contacts: Contacts | None, now: str
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[str, int]]]]:
    """Batches of (subscription rows, cell rows)."""
    subs: list[tuple[Any, ...]] = []
    cells: list[tuple[str, int]] = []
    for person in people:
        contact, digest = contacts(person) if contacts else (PLACEHOLDER, person.pk)
        confirmed = now if person.status != "pending" else None
        subs.append(
            (person.pk, person.channel, contact, digest, person.language, person.status,
             person.label, "", 0, now, confirmed, "", False)
        )  # fmt: skip
        cells.extend((person.pk, cell) for cell in person.cells)
        if len(subs) >= BATCH:
            yield subs, cells
            subs, cells = [], []
    if subs:
        yield subs, cells


def write_sqlite(
    path: str, people: Iterator[Subscriber], contacts: Contacts | None = None
) -> dict[str, float]:
    """Fill the subscription tables through sqlite3: indexes dropped, rows inserted in
    bulk, indexes rebuilt (SQLite sorts once instead of a B-tree insert per row)."""
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    # The primary key and the (cell, subscription) constraint are inline autoindexes
    # that cannot be dropped: a large page cache keeps their random inserts in memory.
    connection.execute("PRAGMA cache_size=-2000000")
    indexes = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
        "AND tbl_name IN ('alerts_subscription', 'alerts_subscriptioncell')"
    ).fetchall()
    for name, _sql in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    now = time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime())
    subscription_sql = (
        f"INSERT INTO alerts_subscription ({', '.join(SUBSCRIPTION_COLUMNS)}) "  # noqa: S608
        f"VALUES ({', '.join(['?'] * len(SUBSCRIPTION_COLUMNS))})"
    )
    cell_sql = "INSERT INTO alerts_subscriptioncell (subscription_id, cell) VALUES (?, ?)"
    total = cells_total = 0
    with connection:
        for subs, cells in _rows(people, contacts, now):
            connection.executemany(subscription_sql, subs)
            connection.executemany(cell_sql, cells)
            total += len(subs)
            cells_total += len(cells)
    index_started = time.perf_counter()
    with connection:
        for _name, sql in indexes:
            connection.execute(sql)
    connection.execute("ANALYZE")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return {
        "subscriptions": total,
        "cells": cells_total,
        "seconds": time.perf_counter() - started,
        "index_seconds": time.perf_counter() - index_started,
    }


def _copy_text(value: object) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    return str(value)


def write_postgres(
    url: str, people: Iterator[Subscriber], contacts: Contacts | None = None
) -> dict[str, float]:
    """Fill the subscription tables through COPY: secondary indexes and the (cell,
    subscription) constraint dropped and rebuilt after (one sort each instead of a
    B-tree insert per row), foreign keys not checked row by row
    (``session_replication_role = replica``: the generator makes every cell's
    subscription itself), then ANALYZE so the planner knows the sizes."""
    import psycopg

    started = time.perf_counter()
    tables = ("alerts_subscription", "alerts_subscriptioncell")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SET session_replication_role = replica")
        connection.execute("SET maintenance_work_mem = '256MB'")
        constraints = connection.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) AND contype = 'u'",
            [list(tables)],
        ).fetchall()
        indexes = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(tables)],
        ).fetchall()
        for table, name, _definition in constraints:
            connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        now = time.strftime("%Y-%m-%d %H:%M:%S.000000+00", time.gmtime())
        total = cells_total = 0
        with connection.transaction():
            for subs, cells in _rows(people, contacts, now):
                buffer = io.StringIO()
                for row in subs:
                    buffer.write("\t".join(_copy_text(value) for value in row) + "\n")
                with connection.cursor().copy(
                    f"COPY alerts_subscription ({', '.join(SUBSCRIPTION_COLUMNS)}) FROM STDIN"
                ) as copy:
                    copy.write(buffer.getvalue())
                buffer = io.StringIO()
                for pk, cell in cells:
                    buffer.write(f"{pk}\t{cell}\n")
                with connection.cursor().copy(
                    "COPY alerts_subscriptioncell (subscription_id, cell) FROM STDIN"
                ) as copy:
                    copy.write(buffer.getvalue())
                total += len(subs)
                cells_total += len(cells)
        index_started = time.perf_counter()
        for table, name, definition in constraints:
            connection.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            connection.execute(definition)
        for table in tables:
            connection.execute(f"VACUUM ANALYZE {table}")
    return {
        "subscriptions": total,
        "cells": cells_total,
        "seconds": time.perf_counter() - started,
        "index_seconds": time.perf_counter() - index_started,
    }
