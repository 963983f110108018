"""Rate limits that do not track people.

A client is known only by ``client_key``: an HMAC of its address under a key that
changes every day and is never written to disk. In one process the key lives in
memory; with ``REDIS_URL`` it lives in Redis with a two-day TTL, so every web process
computes the same key and shares counters. After the key has expired nobody, not even
someone holding the Redis dump and the database, can tell which address made a counter.

Counters are fixed windows in Django's cache (atomic ``incr`` on Redis and on the
local-memory cache) and expire with their window.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_lock = threading.Lock()
_day_keys: dict[str, bytes] = {}


def _today() -> str:
    return time.strftime("%Y%m%d", time.gmtime())


def _redis_day_key(day: str) -> bytes:
    import redis  # only with REDIS_URL

    client = redis.Redis.from_url(settings.REDIS_URL)
    name = f"vecinos:client-key:{day}"
    client.set(name, secrets.token_bytes(32), nx=True, ex=2 * 86400)
    value = client.get(name)
    if not isinstance(value, bytes):  # expired between the two calls: try once more
        client.set(name, secrets.token_bytes(32), nx=True, ex=2 * 86400)
        value = client.get(name)
    return bytes(value)  # type: ignore[arg-type]


def day_key() -> bytes:
    day = _today()
    key = _day_keys.get(day)
    if key is None:
        with _lock:
            key = _day_keys.get(day)
            if key is None:
                key = _redis_day_key(day) if settings.REDIS_URL else secrets.token_bytes(32)
                _day_keys.clear()  # yesterday's key is forgotten
                _day_keys[day] = key
    return key


def client_key(address: str) -> str:
    """A pseudonym for a client address, stable for one day only."""
    return hmac.new(day_key(), address.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int
    remaining: int


def hit(scope: str, key: str, rate: tuple[int, int]) -> Verdict:
    """Count one request of ``key`` in ``scope`` against ``rate`` = (count, seconds)."""
    limit, period = rate
    now = int(time.time())
    window = now // period
    name = f"rl:{scope}:{key}:{window}"
    cache.add(name, 0, timeout=period + 1)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=period + 1)
        count = 1
    retry_after = max(1, (window + 1) * period - now)
    return Verdict(allowed=count <= limit, retry_after=retry_after, remaining=max(0, limit - count))
