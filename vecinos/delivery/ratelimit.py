"""Per-sender SMS rate: ``SMS_RATE`` messages a second for each number in ``TWILIO_FROM``.

Carriers filter a long code that sends faster than about one message a second (three
for toll-free, a hundred for a short code), so every process that sends SMS must share
the budget. Each sender has a *theoretical arrival time* (GCRA): the earliest moment its
next message may leave. :func:`reserve` picks the sender free soonest, moves its time one
interval on, and returns how long the caller must wait before sending. Among senders
that are free now, the one idle longest is taken, so several senders share the load.
Reservations are strict spacing (no bursts), which is what carriers measure.

With ``REDIS_URL`` the times live in Redis and are updated by one Lua script, so any
number of workers on any number of machines stay within the rate together (the script
reads Redis's clock, not the machines'). Without it a lock-protected dict does the same
inside one process (the embedded SQLite queue runs its workers as threads of one process).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

KEY_PREFIX = "vecinos:sms-rate:"

# KEYS: one per sender. ARGV[1]: interval in microseconds. Times are microseconds since
# the epoch, written with %.0f (Lua's tostring would round them to 14 digits).
# Returns {index of the chosen sender (0-based), microseconds to wait, the slot's time}.
RESERVE_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local interval = tonumber(ARGV[1])
local best, best_tat
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key) or '0')
  if best == nil or tat < best_tat then best = i; best_tat = tat end
end
if best_tat < now then best_tat = now end
local wait = best_tat - now
local ttl_ms = math.ceil((wait + interval) / 1000) + 1000
redis.call('SET', KEYS[best], string.format('%.0f', best_tat + interval), 'PX', ttl_ms)
return {best - 1, wait, string.format('%.0f', best_tat)}
"""


@dataclass(frozen=True)
class Slot:
    sender: str
    wait: float  # seconds to sleep before sending
    at: float = 0.0  # the slot's time, in seconds on the limiter's clock


class LocalLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tat: dict[str, float] = {}

    def reserve(self, senders: Sequence[str], rate: float) -> Slot:
        interval = 1.0 / rate
        with self._lock:
            now = time.monotonic()
            # The sender whose next slot is earliest; among senders free now, the one
            # idle longest, so the load is shared even below the rate.
            best = min(senders, key=lambda sender: self._tat.get(sender, 0.0))
            tat = max(self._tat.get(best, 0.0), now)
            self._tat[best] = tat + interval
        return Slot(sender=best, wait=tat - now, at=tat)

    def reset(self) -> None:
        with self._lock:
            self._tat.clear()


class RedisLimiter:
    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self._script: Any = self._client.register_script(RESERVE_SCRIPT)

    def reserve(self, senders: Sequence[str], rate: float) -> Slot:
        interval_us = max(1, round(1_000_000 / rate))
        index, wait_us, at_us = self._script(
            keys=[KEY_PREFIX + sender for sender in senders], args=[interval_us]
        )
        return Slot(
            sender=senders[int(index)], wait=int(wait_us) / 1_000_000, at=int(at_us) / 1_000_000
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


def reserve(senders: Sequence[str], rate: float | None = None) -> Slot:
    """Reserve the next slot among ``senders``; the caller sleeps ``slot.wait`` first."""
    if not senders:
        raise ValueError("no SMS sender is configured (TWILIO_FROM)")
    rate = float(rate or settings.SMS_RATE)
    chosen = limiter()
    if isinstance(chosen, RedisLimiter):
        import redis

        try:
            return chosen.reserve(senders, rate)
        except redis.RedisError as error:
            # During a raid a message late is worse than a sender briefly over its
            # rate: keep sending, paced per process, until Redis answers again.
            logger.warning("SMS rate: Redis unavailable (%s); pacing per process", error)
    return _local.reserve(senders, rate)


def wait_for_slot(senders: Sequence[str], rate: float | None = None) -> str:
    """Reserve a slot, sleep until it comes, and return the sender to use."""
    slot = reserve(senders, rate)
    if slot.wait > 0:
        time.sleep(slot.wait)
    return slot.sender
