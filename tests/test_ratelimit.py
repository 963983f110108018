"""Rate limits that do not track people (vecinos.core.ratelimit), with the embedded cache
and with Redis."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client

from tests.conftest import reachable_redis
from vecinos.core import ratelimit

ADDRESS = "203.0.113.77"
REDIS_URL = os.environ.get("VECINOS_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
# A minute boundary, so that windows are easy to reason about.
TEN_AM = datetime(2026, 5, 1, 10, 0, 0, tzinfo=UTC)


def redis_or_skip() -> Any:
    """The test Redis database, flushed. Skipped when Redis is not running, except in
    CI (CI=true), where a missing Redis is a failure."""
    import redis

    client = redis.Redis.from_url(reachable_redis(REDIS_URL), socket_connect_timeout=1)
    client.flushdb()
    return client


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest, settings: Any) -> Iterator[Any]:
    """The rate limiter on the embedded cache, then on Redis (cache and day key)."""
    client = None
    if request.param == "redis":
        client = redis_or_skip()
        settings.REDIS_URL = REDIS_URL
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": "vecinos",
            }
        }
    else:
        settings.REDIS_URL = ""
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "ratelimit-tests",
            }
        }
    caches["default"].clear()
    ratelimit.forget_day_keys()
    yield client
    caches["default"].clear()
    ratelimit.forget_day_keys()
    if client is not None:
        client.flushdb()


def cache_keys(redis_client: Any) -> list[str]:
    if redis_client is not None:
        return [key.decode() for key in redis_client.scan_iter()]
    return [str(key) for key in caches["default"]._cache]  # type: ignore[attr-defined]


def test_requests_are_counted_up_to_the_limit(backend: Any) -> None:
    key = ratelimit.client_key(ADDRESS)
    with time_machine.travel(TEN_AM + timedelta(seconds=5), tick=False):
        verdicts = [ratelimit.hit("report", key, (3, 60)) for _ in range(5)]

    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert [v.remaining for v in verdicts] == [2, 1, 0, 0, 0]


def test_clients_and_scopes_are_counted_apart(backend: Any) -> None:
    rosa, diego = ratelimit.client_key(ADDRESS), ratelimit.client_key("203.0.113.78")
    with time_machine.travel(TEN_AM, tick=False):
        assert ratelimit.hit("report", rosa, (1, 60)).allowed
        assert not ratelimit.hit("report", rosa, (1, 60)).allowed
        assert ratelimit.hit("report", diego, (1, 60)).allowed
        assert ratelimit.hit("subscribe", rosa, (1, 60)).allowed


def test_the_count_starts_again_in_the_next_window(backend: Any) -> None:
    key = ratelimit.client_key(ADDRESS)
    with time_machine.travel(TEN_AM + timedelta(seconds=50), tick=False) as clock:
        for _ in range(3):
            ratelimit.hit("report", key, (3, 60))
        assert not ratelimit.hit("report", key, (3, 60)).allowed

        clock.shift(timedelta(seconds=10))  # 10:01:00, a new window

        verdict = ratelimit.hit("report", key, (3, 60))
    assert verdict.allowed and verdict.remaining == 2


def test_retry_after_is_the_wait_until_the_next_window(backend: Any) -> None:
    key = ratelimit.client_key(ADDRESS)
    with time_machine.travel(TEN_AM + timedelta(seconds=15), tick=False):
        ratelimit.hit("report", key, (1, 60))
        refused = ratelimit.hit("report", key, (1, 60))
    with time_machine.travel(TEN_AM + timedelta(minutes=20), tick=False):
        hourly = ratelimit.hit("report-hourly", key, (20, 3600))

    assert not refused.allowed and refused.retry_after == 45
    assert hourly.retry_after == 40 * 60


def test_counters_expire_with_their_window(backend: Any) -> None:
    key = ratelimit.client_key(ADDRESS)
    with time_machine.travel(TEN_AM, tick=False):
        ratelimit.hit("report", key, (3, 60))
    if backend is not None:
        (name,) = [k for k in cache_keys(backend) if ":rl:" in k]
        assert 0 < backend.ttl(name) <= 61
    else:
        (expiry,) = caches["default"]._expire_info.values()  # type: ignore[attr-defined]
        assert expiry <= TEN_AM.timestamp() + 61


def test_the_pseudonym_is_stable_for_a_day_and_changes_the_next(backend: Any) -> None:
    with time_machine.travel(TEN_AM, tick=False) as clock:
        morning = ratelimit.client_key(ADDRESS)
        clock.shift(timedelta(hours=13, minutes=59))  # 23:59 UTC
        night = ratelimit.client_key(ADDRESS)
        clock.shift(timedelta(minutes=2))  # the next day
        tomorrow = ratelimit.client_key(ADDRESS)
        clock.shift(timedelta(days=-1))  # back to yesterday: its key is forgotten
        yesterday_again = ratelimit.client_key(ADDRESS)

    assert morning == night
    assert tomorrow != morning
    if backend is None:
        # In one process yesterday's key is gone for good: nobody can recompute
        # yesterday's pseudonyms.
        assert yesterday_again != morning


@pytest.mark.parametrize("backend", ["redis"], indirect=True)
def test_with_redis_every_process_shares_the_day_key_and_it_expires(backend: Any) -> None:
    with time_machine.travel(TEN_AM, tick=False):
        here = ratelimit.client_key(ADDRESS)
        ratelimit.forget_day_keys()  # another process starting fresh
        there = ratelimit.client_key(ADDRESS)

    assert here == there
    (name,) = [k for k in cache_keys(backend) if "client-key" in k]
    assert name.endswith("20260501")
    assert 0 < backend.ttl(name) <= 2 * 86400


@pytest.mark.parametrize("backend", ["redis"], indirect=True)
def test_a_broken_redis_connection_still_counts_the_next_request(backend: Any) -> None:
    """Each thread counts on a connection of its own: when it breaks (Redis restarted,
    its scripts gone), the next request is counted on a new one, not let through."""
    with time_machine.travel(TEN_AM + timedelta(seconds=5), tick=False):
        assert ratelimit.hit("report", "k", (2, 60)).remaining == 1
        for client in backend.client_list():
            if client["cmd"] in {"evalsha", "eval"}:
                backend.client_kill_filter(_id=client["id"])
        backend.script_flush()

        verdicts = [ratelimit.hit("report", "k", (2, 60)) for _ in range(2)]

    assert [(v.allowed, v.remaining) for v in verdicts] == [(True, 0), (False, 0)]


def test_cache_keys_never_contain_the_address(backend: Any, db: None) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(3):
        client.post(
            "/api/v1/reports",
            json.dumps({"kind": "raid", "lat": 34.0407, "lng": -118.2468}),
            content_type="application/json",
        )
    ratelimit.hit("report", ratelimit.client_key(ADDRESS), (3, 60))

    keys = cache_keys(backend)
    assert any("rl:" in k for k in keys)
    assert not [k for k in keys if ADDRESS in k or ADDRESS.replace(".", "") in k]
    if backend is not None:
        values = [backend.get(k) for k in keys if backend.type(k) == b"string"]
        assert not [v for v in values if v and ADDRESS.encode() in v]


def test_an_unreachable_cache_lets_requests_through(settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # discard port: nothing listens
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }

    verdict = ratelimit.hit("report", "k", (1, 60))

    assert verdict.allowed


def test_an_unreachable_redis_does_not_take_the_site_down(settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    ratelimit.forget_day_keys()
    try:
        first = ratelimit.client_key(ADDRESS)
        second = ratelimit.client_key(ADDRESS)
    finally:
        ratelimit.forget_day_keys()

    assert first == second  # a local key, kept until Redis is asked again


def test_a_missing_redis_fails_the_redis_tests_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.test_ratelimit as this

    monkeypatch.setattr(this, "REDIS_URL", "redis://127.0.0.1:9/0")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="needed in CI"):
        redis_or_skip()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        redis_or_skip()


def test_a_flood_from_many_clients_does_not_push_a_counter_out_of_the_embedded_cache(
    settings: Any,
) -> None:
    """Without Redis the counters live in the local-memory cache of vecinos/settings.py;
    Django's default of 300 entries let 2,000 flooding clients push each other's
    counters out, and every one of them was let through again."""
    from vecinos import settings as production

    settings.CACHES = {"default": {**production.EMBEDDED_CACHE, "LOCATION": "flood-tests"}}
    caches["default"].clear()
    clients = [ratelimit.client_key(f"2001:db8:{n:x}::1") for n in range(3000)]
    try:
        with time_machine.travel(TEN_AM, tick=False):
            for key in clients:
                assert ratelimit.hit("report", key, (1, 3600)).allowed
            refused = [not ratelimit.hit("report", key, (1, 3600)).allowed for key in clients]
    finally:
        caches["default"].clear()
    assert all(refused), f"{refused.count(False)} of {len(clients)} clients counted afresh"
