"""Live updates for the dispatcher console (Server-Sent Events).

``publish(channel, event)`` after a commit; ``subscribe(channel)`` yields events. In
one process (the embedded default) a set of in-memory queues carries them; with
``REDIS_URL`` Redis pub/sub does, so any number of web processes see every event.

Events say only *that* something changed (an incident id and an event type); the
console then fetches what it needs through permission-checked views. Delivery is
best effort: a console that missed an event reloads its queue on reconnect, so a
broker that is briefly down loses nothing that matters and never fails a request.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    import redis

logger = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 15.0

# Open streams per process, at most; None is no limit. ``vecinos serve`` sets it from its
# thread count: each open stream holds a worker thread, and some threads must stay free
# for requests (a report must never wait behind the dispatchers' screens).
stream_limit: int | None = None
_streams_open = 0
_streams_lock = threading.Lock()


class Busy(Exception):
    """Every stream slot of this process is taken."""


def claim_stream() -> Callable[[], None]:
    """Take one of this process's stream slots (``Busy`` if none is free); returns the
    function that gives it back, which may be called more than once."""
    global _streams_open
    with _streams_lock:
        if stream_limit is not None and _streams_open >= stream_limit:
            raise Busy
        _streams_open += 1
    released = False

    def release() -> None:
        global _streams_open
        nonlocal released
        with _streams_lock:
            if not released:
                released = True
                _streams_open -= 1

    return release


def streams_open() -> int:
    with _streams_lock:
        return _streams_open


_lock = threading.Lock()
_subscribers: dict[str, set[queue.Queue[str]]] = {}
# Set in a helper process that has no listeners of its own (the report writer process):
# without Redis its events are handed to this function, which carries them to the web
# process that does (``deliver``).
_forward: Callable[[str, str], None] | None = None


def _encode(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"), default=str)


def publish(channel: str, event: dict[str, Any]) -> None:
    """Send ``event`` to every subscriber of ``channel``, in every web process.

    Never raises for a broker problem: the state change it reports has already been
    committed, and the consoles catch up when they reconnect.
    """
    payload = _encode(event)
    if settings.REDIS_URL:
        _redis_publish(settings.REDIS_URL, channel, payload)
    elif _forward is not None:
        _forward(channel, payload)
    else:
        _local_publish(channel, payload)


def publish_many(channel: str, events: list[dict[str, Any]]) -> None:
    """``publish`` each of ``events`` in order; with Redis in one round trip (a batch
    of reports has one live update per timeline row)."""
    if settings.REDIS_URL and len(events) > 1:
        _redis_publish_many(settings.REDIS_URL, channel, [_encode(event) for event in events])
        return
    for event in events:
        publish(channel, event)


def forward_to(sink: Callable[[str, str], None] | None) -> None:
    """In a process without listeners: hand every event published without Redis to
    ``sink(channel, payload)`` instead; the process it reaches calls ``deliver``."""
    global _forward
    _forward = sink


def deliver(channel: str, payload: str) -> None:
    """An event published in another process of ours (see ``forward_to``), to this
    process's listeners."""
    _local_publish(channel, payload)


class Subscription(Iterator[str | None]):
    """An open subscription: iterate for events (None is a keep-alive), then close.

    Listening starts when the subscription is made, not when it is first read, so an
    event published after ``subscribe()`` returned is never missed.
    """

    def __init__(self, source: Iterator[str | None], closer: Callable[[], None]) -> None:
        self._source = source
        self._closer: Callable[[], None] | None = closer

    def __next__(self) -> str | None:
        return next(self._source)

    def close(self) -> None:
        closer, self._closer = self._closer, None
        if closer is not None:
            closer()

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


def subscribe(channel: str, *, timeout: float = KEEPALIVE_SECONDS) -> Subscription:
    """Listen on ``channel``: the result yields each event's JSON as it arrives, or None
    after every ``timeout`` quiet seconds. Close it (or use it as a context manager)."""
    if settings.REDIS_URL:
        return _redis_subscribe(settings.REDIS_URL, channel, timeout=timeout)
    return _local_subscribe(channel, timeout=timeout)


# In-process broker -------------------------------------------------------------------------


def _local_publish(channel: str, payload: str) -> None:
    with _lock:
        targets = list(_subscribers.get(channel, ()))
    for target in targets:
        # A stalled listener loses events; its console reloads the queue on reconnect.
        with contextlib.suppress(queue.Full):
            target.put_nowait(payload)


def _local_subscribe(channel: str, *, timeout: float) -> Subscription:
    inbox: queue.Queue[str] = queue.Queue(maxsize=1000)
    with _lock:
        _subscribers.setdefault(channel, set()).add(inbox)

    def events() -> Iterator[str | None]:
        while True:
            try:
                yield inbox.get(timeout=timeout)
            except queue.Empty:
                yield None

    def close() -> None:
        with _lock:
            _subscribers.get(channel, set()).discard(inbox)

    return Subscription(events(), close)


def local_subscriber_count(channel: str) -> int:
    """How many in-process listeners ``channel`` has (for tests and health pages)."""
    with _lock:
        return len(_subscribers.get(channel, ()))


# Redis broker -------------------------------------------------------------------------------


@cache
def _redis_client(url: str) -> redis.Redis:
    import redis  # only with REDIS_URL

    return redis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)


def redis_channel(url: str, channel: str) -> str:
    """The Redis channel name for ``channel``.

    Pub/sub channels are global to a Redis server, whatever database the URL names,
    so the database number is part of the name: two installations (or two test runs)
    that share a server but not a database do not hear each other.
    """
    db = _redis_client(url).connection_pool.connection_kwargs.get("db", 0)
    return f"vecinos:{db}:live:{channel}"


def _redis_publish(url: str, channel: str, payload: str) -> None:
    import redis

    try:
        _redis_client(url).publish(redis_channel(url, channel), payload)
    except redis.RedisError as error:
        logger.warning("live update not published on %s: %s", channel, type(error).__name__)


def _redis_publish_many(url: str, channel: str, payloads: list[str]) -> None:
    import redis

    name = redis_channel(url, channel)
    try:
        with _redis_client(url).pipeline(transaction=False) as pipe:
            for payload in payloads:
                pipe.publish(name, payload)
            pipe.execute()
    except redis.RedisError as error:
        logger.warning("live updates not published on %s: %s", channel, type(error).__name__)


def _redis_subscribe(url: str, channel: str, *, timeout: float) -> Subscription:
    """Listen on the Redis channel; yield payloads, or None after ``timeout`` quiet seconds.

    1. SUBSCRIBE and wait for Redis to confirm it, so that an event published once
       this function has returned is never missed.
    2. Read messages against a deadline; a quiet period yields None (the keep-alive).
    A lost connection ends the iteration; the browser's EventSource reconnects.
    """
    import redis

    pubsub = _redis_client(url).pubsub()

    def close() -> None:
        with contextlib.suppress(redis.RedisError):
            pubsub.close()

    try:
        pubsub.subscribe(redis_channel(url, channel))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = pubsub.get_message(timeout=max(0.0, deadline - time.monotonic()))
            if message is not None and message.get("type") == "subscribe":
                break
    except redis.RedisError as error:
        close()
        logger.warning("live subscription to %s failed: %s", channel, type(error).__name__)
        return Subscription(iter(()), lambda: None)

    def events() -> Iterator[str | None]:
        deadline = time.monotonic() + timeout
        try:
            while True:
                message = pubsub.get_message(
                    ignore_subscribe_messages=True,
                    timeout=max(0.0, deadline - time.monotonic()),
                )
                if message is not None and message.get("type") == "message":
                    data = message["data"]
                    yield data.decode() if isinstance(data, bytes) else str(data)
                    deadline = time.monotonic() + timeout
                elif time.monotonic() >= deadline:
                    yield None
                    deadline = time.monotonic() + timeout
        except redis.RedisError as error:
            logger.warning("live subscription to %s ended: %s", channel, type(error).__name__)

    return Subscription(events(), close)
