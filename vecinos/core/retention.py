"""The retention registry: every app registers the jobs that delete or coarsen what
has outlived its window. ``vecinos purge`` and the hourly task run them all.

A job takes the current time and returns a mapping of what it did
(``{"reports_scrubbed": 12}``); it must be idempotent and safe to run concurrently
with itself (the hourly task and a manual ``vecinos purge`` may overlap).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

RetentionJob = Callable[[datetime], dict[str, int]]

_jobs: dict[str, RetentionJob] = {}


def retention_job(name: str) -> Callable[[RetentionJob], RetentionJob]:
    """Register ``function`` under ``name``; import the module from its app's ``ready()``."""

    def register(function: RetentionJob) -> RetentionJob:
        _jobs[name] = function
        return function

    return register


def drain[T](next_batch: Callable[[], Sequence[T]], handle: Callable[[T], int]) -> int:
    """``handle`` every row of ``next_batch()`` until it returns none; the sum of what
    ``handle`` returned. A handled row must drop out of ``next_batch`` (or a concurrent
    run's did), else this never ends."""
    done = 0
    while batch := next_batch():
        done += sum(handle(row) for row in batch)
    return done


def jobs() -> dict[str, RetentionJob]:
    return dict(sorted(_jobs.items()))


def run_all(now: datetime) -> dict[str, dict[str, int]]:
    results = {name: job(now) for name, job in jobs().items()}
    checkpoint()
    return results


def checkpoint() -> None:
    """On SQLite, copy the WAL into the database file and empty it: with
    ``secure_delete`` the file no longer holds what was purged, but older copies of
    those pages stay in the WAL until a checkpoint overwrites them."""
    from django.db import connection

    # Inside a transaction (a caller's, or a test's) SQLite cannot checkpoint.
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
