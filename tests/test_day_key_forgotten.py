"""Yesterday's pseudonym key is gone once yesterday is over, wherever it was kept:
Redis expires it at midnight UTC (and the next day's first request deletes it), and a
process forgets its copy at midnight even if no request comes. With that key and
``hash.key`` a report's ``source_tag`` could be recomputed for candidate addresses."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from tests.test_ratelimit import backend as backend  # the fixture
from tests.test_ratelimit import cache_keys
from vecinos.core import ratelimit

ADDRESS = "203.0.113.77"
LATE = datetime(2026, 5, 1, 23, 0, 0, tzinfo=UTC)
NEXT_MORNING = datetime(2026, 5, 2, 8, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("backend", ["redis"], indirect=True)
def test_in_redis_the_key_expires_at_midnight_utc(backend: Any) -> None:
    with time_machine.travel(LATE, tick=False):
        ratelimit.client_key(ADDRESS)

    (name,) = [k for k in cache_keys(backend) if "client-key" in k]
    assert 3590 <= backend.ttl(name) <= 3600


@pytest.mark.parametrize("backend", ["redis"], indirect=True)
def test_in_redis_the_next_days_first_request_deletes_yesterdays_key(backend: Any) -> None:
    with time_machine.travel(LATE, tick=False):
        ratelimit.client_key(ADDRESS)
        (yesterday,) = [k for k in cache_keys(backend) if "client-key" in k]
        backend.persist(yesterday)  # as if Redis had not expired it yet (a clock lag)
    ratelimit.forget_day_keys()

    with time_machine.travel(NEXT_MORNING, tick=False):
        ratelimit.client_key(ADDRESS)

    keys = [k for k in cache_keys(backend) if "client-key" in k]
    assert keys == ["vecinos:client-key:20260502"]


def test_a_process_forgets_the_key_at_midnight_without_a_request() -> None:
    ratelimit.forget_day_keys()
    try:
        with time_machine.travel(datetime(2026, 5, 1, 23, 59, 59, 500000, tzinfo=UTC)):
            ratelimit.client_key(ADDRESS)
            assert list(ratelimit._day_keys) == ["20260501"]
            deadline = time.monotonic() + 5
            while ratelimit._day_keys and time.monotonic() < deadline:
                time.sleep(0.05)

            assert ratelimit._day_keys == {}
    finally:
        ratelimit.forget_day_keys()
