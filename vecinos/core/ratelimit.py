"""Rate limits that do not track people.

A client is known only by ``client_key``: an HMAC of its address under a key that
changes every day and is never written to disk. In one process the key lives in
memory; with ``REDIS_URL`` it lives in Redis, so every web process computes the same
key and shares counters. Either way it is gone when its UTC day is over: Redis expires
it at midnight (and the next day's first request deletes it, should a clock lag), and
each process forgets it at midnight even when no request comes. After that nobody, not
even someone holding the Redis dump, the database and ``hash.key``, can tell which
address made a counter or a report's ``source_tag``.

Counters are fixed windows in Django's cache (atomic ``incr`` on Redis and on the
local-memory cache) and expire with their window.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

DAY_SECONDS = 86400
# After Redis failed to give the day key, how long to use a local one before asking again.
REDIS_RETRY_SECONDS = 30.0

_lock = threading.Lock()
_day_keys: dict[str, bytes] = {}
_local_until = 0.0  # while Redis is unreachable: monotonic time of the next attempt
_timer: threading.Timer | None = None


def _today() -> str:
    """The UTC day: the day key changes at midnight UTC on every machine at once."""
    return time.strftime("%Y%m%d", time.gmtime())


def _yesterday() -> str:
    return time.strftime("%Y%m%d", time.gmtime(time.time() - DAY_SECONDS))


def seconds_left_today() -> int:
    """Seconds until the next midnight UTC (at least 1): how long today's key lives."""
    return max(1, DAY_SECONDS - int(time.time()) % DAY_SECONDS)


def _forget_past_days() -> None:
    """At midnight: drop every key of a day that is over, even if no request comes."""
    global _timer
    with _lock:
        for day in [d for d in _day_keys if d != _today()]:
            del _day_keys[day]
        _timer = None


def _forget_at_midnight() -> None:
    global _timer
    if _timer is not None:
        _timer.cancel()
    # A second late, so that _today() is the new day when it runs.
    _timer = threading.Timer(seconds_left_today() + 1, _forget_past_days)
    _timer.daemon = True
    _timer.start()


def _redis_day_key(day: str) -> bytes:
    import redis  # only with REDIS_URL

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    name = f"vecinos:client-key:{day}"
    try:
        # Yesterday is over: its key goes now, whatever its expiry said.
        client.delete(f"vecinos:client-key:{_yesterday()}")
        for _attempt in range(2):  # the second only if it expired between SET and GET
            client.set(name, secrets.token_bytes(32), nx=True, ex=seconds_left_today())
            value = client.get(name)
            if isinstance(value, bytes) and len(value) == 32:
                return value
    finally:
        client.close()
    raise RuntimeError("Redis did not keep the day key")


def day_key() -> bytes:
    """Today's key: random, in memory (shared through Redis with ``REDIS_URL``);
    yesterday's is forgotten as soon as the day changes."""
    global _local_until
    day = _today()
    key = _day_keys.get(day)
    if key is not None and not (_local_until and time.monotonic() >= _local_until):
        return key
    with _lock:
        key = _day_keys.get(day)
        if key is not None and not (_local_until and time.monotonic() >= _local_until):
            return key
        if settings.REDIS_URL:
            try:
                key = _redis_day_key(day)
                _local_until = 0.0
            except Exception as error:
                # Every request passes through here: a Redis outage must not take the
                # site down. Counters keyed by a local key are per process for a while.
                logger.warning("rate limits: day key not in Redis (%s); using a local one", error)
                key = key or secrets.token_bytes(32)
                _local_until = time.monotonic() + REDIS_RETRY_SECONDS
        else:
            key = secrets.token_bytes(32)
        _day_keys.clear()  # yesterday's key is forgotten
        _day_keys[day] = key
        _forget_at_midnight()
    return key


def forget_day_keys() -> None:
    """Drop this process's day keys (tests; a key is made again on the next request)."""
    global _local_until, _timer
    with _lock:
        _day_keys.clear()
        _local_until = 0.0
        if _timer is not None:
            _timer.cancel()
            _timer = None


def _network_of(address: str, prefix: int) -> str:
    """An IPv4 address as it is (an IPv4-mapped IPv6 one too), an IPv6 address as its
    /``prefix`` network; text that is no address, as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        host_bits = 128 - prefix
        return str(ipaddress.IPv6Network((int(ip) >> host_bits << host_bits, prefix)))
    return str(ip)


def _rate_unit(address: str) -> str:
    """What one client is, for counting: an IPv4 address, or the /64 network of an
    IPv6 address (one home or phone gets a whole /64 and can use any address in it,
    so counting single IPv6 addresses would count nothing)."""
    return _network_of(address, 64)


def _source_unit(address: str) -> str:
    """What one *source* of reports is: an IPv4 address, or the /48 of an IPv6
    address. A /48 is what one site (a home, an office, a small provider's customer)
    is given, so twelve /64s of one /48 are one place, not twelve witnesses."""
    return _network_of(address, 48)


def source_key(address: str) -> str:
    """A pseudonym of the network a report comes from, for judging whether reports
    are independent: the same day key and HMAC as ``client_key``, over the wider
    unit of ``_source_unit`` (and its own prefix, so the two never coincide)."""
    unit = "source\x00" + _source_unit(address)
    return hmac.new(day_key(), unit.encode(), hashlib.sha256).hexdigest()[:32]


def client_key(address: str) -> str:
    """A pseudonym for a client address, stable for one (UTC) day only: an HMAC under
    that day's key, which is never written to disk."""
    return hmac.new(day_key(), _rate_unit(address).encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int
    remaining: int


def _window(scope: str, key: str, period: int) -> tuple[str, int]:
    """The counter's name for the current window of ``period`` seconds, and the seconds
    until the next window starts (at least 1)."""
    now = int(time.time())
    window = now // period
    return f"rl:{scope}:{key}:{window}", max(1, (window + 1) * period - now)


def hit(scope: str, key: str, rate: tuple[int, int]) -> Verdict:
    """Count one request of ``key`` in ``scope`` against ``rate`` = (count, seconds).

    Fixed windows aligned on multiples of ``seconds``: the counter of a window lives
    in the cache for the window and a second, and ``retry_after`` is the number of
    seconds until the next window starts. Fails open (allowed) if the cache is
    unreachable: losing a report is worse than letting a few extra through."""
    limit, period = rate
    name, retry_after = _window(scope, key, period)
    try:
        count = _count(name, timeout=period + 1)
    except Exception as error:
        logger.warning("rate limits: cache unreachable (%s); request allowed", type(error).__name__)
        return Verdict(allowed=True, retry_after=retry_after, remaining=limit)
    return Verdict(allowed=count <= limit, retry_after=retry_after, remaining=max(0, limit - count))


# INCR, and the counter's expiry, in one command: a script runs whole on the server.
_INCR_EXPIRE = (
    "local n = redis.call('INCR', KEYS[1]) redis.call('EXPIRE', KEYS[1], ARGV[1]) return n"
)
_counters = threading.local()


def _redis_counter(pool: Any) -> Any:
    """This thread's own connection of ``pool``, as the counting script. Every report
    pays one count: through the pool each command took a connection and checked it
    (the process id, the lock, a poll of its socket), which cost about as much as the
    round trip itself (benchmarks/results/postgres/reports_http_notes.md). A thread's
    own connection is checked by use: a broken one is reconnected and the count sent
    again (``_count``), and an error beyond that fails open. The process id is part of
    the key: a forked child never uses its parent's socket."""
    import redis  # only with REDIS_URL

    key = (os.getpid(), id(pool))
    found = getattr(_counters, "by_pool", None)
    if found is None or found[0] != key:
        if found is not None:
            found[1].close()  # its connection back to the pool it came from
        client = redis.Redis(connection_pool=pool, single_connection_client=True)
        found = (key, client, client.register_script(_INCR_EXPIRE))
        _counters.by_pool = found
    return found[2]


def _count(name: str, *, timeout: int) -> int:
    """Add one to counter ``name`` (made with ``timeout`` seconds to live) and return it.
    On Redis one round trip (a script doing INCR and EXPIRE), not the three of the
    cache API's add-then-incr: every report pays it (benchmarks/results/postgres/)."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        from redis.exceptions import ConnectionError as RedisConnectionError

        # Our own names (scope, a hex key, the window): Django's key check, made for
        # memcached's rules, is not needed for them.
        redis_key = backend.make_key(name)
        cache_client: Any = backend._cache  # Django's own, untyped: its pool for writes
        # The window is in the name: renewing the expiry on each hit only keeps a
        # finished window's counter a little longer, and never forever.
        counter = _redis_counter(cache_client._get_connection_pool(True))
        try:
            count = counter(keys=[redis_key], args=[timeout])
        except RedisConnectionError:
            # This thread's connection broke since its last count (Redis restarted, an
            # idle timeout): the client reconnects for the next command; count once
            # more rather than let this request through uncounted.
            count = counter(keys=[redis_key], args=[timeout])
        return int(count)
    cache.add(name, 0, timeout=timeout)
    try:
        return int(cache.incr(name))
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=timeout)
        return 1


def peek(scope: str, key: str, rate: tuple[int, int]) -> Verdict:
    """What ``hit`` would have counted so far in the current window, without counting
    (``allowed`` while the count is under the limit). Fails open like ``hit``."""
    limit, period = rate
    name, retry_after = _window(scope, key, period)
    try:
        count = int(cache.get(name) or 0)
    except Exception as error:
        logger.warning("rate limits: cache unreachable (%s); request allowed", type(error).__name__)
        count = 0
    return Verdict(allowed=count < limit, retry_after=retry_after, remaining=max(0, limit - count))
