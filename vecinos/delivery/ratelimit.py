"""Per-sender SMS rate: each sender of the pool at its own rate, shared by every worker.

Carriers filter a long code that sends faster than about one message a second (three
for toll-free, a hundred for a short code), so every process that sends SMS must share
the budget. The pool (:func:`senders`) is ``VECINOS_SMS_SENDERS`` (each sender with its
own rate) or ``TWILIO_FROM`` (each at ``SMS_RATE``). Each sender has a *theoretical
arrival time* (GCRA): the earliest moment its next message may leave. :func:`reserve`
picks the sender free soonest, moves its time on by that sender's own interval, and
returns how long the caller must wait before sending. Among senders free now, the one
idle longest is taken, so several senders share the load. Reservations are strict
spacing (no bursts), which is what carriers measure.

The interval is ``(1 + GUARD) / rate``, not ``1 / rate``: a message reaches the provider
a little after its slot, and not always equally late, so slots exactly ``1 / rate``
apart would put ``rate + 1`` arrivals into some second. :func:`wait_for_slot` gives up a
slot it woke for more than ``GUARD / 2`` late (a loaded machine) and reserves another, so
the arrivals of any ``rate`` consecutive messages of a sender span at least a second as
long as two requests' trips to the provider differ by less than ``GUARD / 2``.
tests/test_sms_sender_pool.py checks it at a loopback provider.

With ``REDIS_URL`` the times live in Redis and are updated by one Lua script, so any
number of workers on any number of machines stay within the rates together (the script
reads Redis's clock, not the machines'). Without it a lock-protected dict does the same
inside one process (the embedded SQLite queue runs its workers as threads of one process).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

KEY_PREFIX = "vecinos:sms-rate:"
# Seconds of slack per second of sending (see above): 5 % of the rate.
GUARD = 0.05
# Late slots given up in a row before a message goes out anyway.
LATE_SLOTS = 3

# A pool: sender -> messages per second, in the order configured.
Pool = Mapping[str, float]

# KEYS: one per sender. ARGV[i]: KEYS[i]'s interval in microseconds. Times are
# microseconds since the epoch, written with %.0f (Lua's tostring would round them to 14
# digits). Returns {index of the chosen sender (0-based), microseconds to wait, the
# slot's time}.
RESERVE_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local best, best_tat
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key) or '0')
  if best == nil or tat < best_tat then best = i; best_tat = tat end
end
local interval = tonumber(ARGV[best])
if best_tat < now then best_tat = now end
local wait = best_tat - now
local ttl_ms = math.ceil((wait + interval) / 1000) + 1000
redis.call('SET', KEYS[best], string.format('%.0f', best_tat + interval), 'PX', ttl_ms)
return {best - 1, wait, string.format('%.0f', best_tat)}
"""


def interval(rate: float) -> float:
    """Seconds between two slots of a sender sending ``rate`` messages a second."""
    return (1 + GUARD) / rate


def senders() -> dict[str, float]:
    """The configured pool: ``SMS_SENDERS``, else every ``TWILIO_FROM`` at ``SMS_RATE``."""
    if settings.SMS_SENDERS:
        return dict(settings.SMS_SENDERS)
    return dict.fromkeys(settings.TWILIO_FROM, float(settings.SMS_RATE))


def total_rate(pool: Pool | None = None) -> float:
    """Messages per second the whole pool may send."""
    return sum((senders() if pool is None else pool).values())


@dataclass(frozen=True)
class Slot:
    sender: str
    wait: float  # seconds to sleep before sending
    at: float = 0.0  # the slot's time, in seconds on the limiter's clock


class LocalLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tat: dict[str, float] = {}

    def reserve(self, pool: Pool) -> Slot:
        with self._lock:
            now = time.monotonic()
            # The sender whose next slot is earliest; among senders free now, the one
            # idle longest, so the load is shared even below the rate.
            best = min(pool, key=lambda sender: self._tat.get(sender, 0.0))
            tat = max(self._tat.get(best, 0.0), now)
            self._tat[best] = tat + interval(pool[best])
        return Slot(sender=best, wait=tat - now, at=tat)

    def reset(self) -> None:
        with self._lock:
            self._tat.clear()


class RedisLimiter:
    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self._script: Any = self._client.register_script(RESERVE_SCRIPT)

    def reserve(self, pool: Pool) -> Slot:
        names = list(pool)
        index, wait_us, at_us = self._script(
            keys=[KEY_PREFIX + sender for sender in names],
            args=[max(1, round(1_000_000 * interval(pool[sender]))) for sender in names],
        )
        return Slot(
            sender=names[int(index)], wait=int(wait_us) / 1_000_000, at=int(at_us) / 1_000_000
        )

    def reset(self) -> None:
        for key in self._client.scan_iter(match=KEY_PREFIX + "*"):
            self._client.delete(key)


_local = LocalLimiter()
_redis: dict[str, RedisLimiter] = {}
_redis_lock = threading.Lock()


def limiter() -> LocalLimiter | RedisLimiter:
    url = settings.REDIS_URL
    if not url:
        return _local
    with _redis_lock:
        if url not in _redis:
            _redis[url] = RedisLimiter(url)
        return _redis[url]


def reserve(pool: Pool | None = None) -> Slot:
    """Reserve the next slot of the pool (default: the configured one); the caller
    sleeps ``slot.wait`` first."""
    pool = senders() if pool is None else pool
    if not pool:
        raise ValueError("no SMS sender is configured (VECINOS_SMS_SENDERS or TWILIO_FROM)")
    chosen = limiter()
    if isinstance(chosen, RedisLimiter):
        import redis

        try:
            return chosen.reserve(pool)
        except redis.RedisError as error:
            # During a raid a message late is worse than a sender briefly over its
            # rate: keep sending, paced per process, until Redis answers again.
            logger.warning("SMS rate: Redis unavailable (%s); pacing per process", error)
    return _local.reserve(pool)


def wait_for_slot(pool: Pool | None = None) -> str:
    """Reserve a slot, sleep until it comes, and return the sender to use. A slot woken
    for more than ``GUARD / 2`` late is left unused and another reserved (see above), at
    most ``LATE_SLOTS`` times: a machine that late every time still sends, paced."""
    for attempt in range(LATE_SLOTS + 1):
        slot = reserve(pool)
        due = time.monotonic() + slot.wait
        if slot.wait > 0:
            time.sleep(slot.wait)
        late = time.monotonic() - due
        if late <= GUARD / 2 or attempt == LATE_SLOTS:
            break
        logger.info("SMS rate: woke %.3f s late for a slot of %s", late, slot.sender)
    return slot.sender
