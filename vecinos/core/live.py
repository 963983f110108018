"""Live updates for the dispatcher console (Server-Sent Events).

``publish(channel, event)`` after a commit; ``subscribe(channel)`` yields events. In
one process (the embedded default) a set of in-memory queues carries them; with
``REDIS_URL`` Redis pub/sub does, so any number of web processes see every event.
(This module is completed by the dispatcher-console work: see ``publish``.)
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Iterator
from typing import Any

_lock = threading.Lock()
_subscribers: dict[str, set[queue.Queue[str]]] = {}


def publish(channel: str, event: dict[str, Any]) -> None:
    payload = json.dumps(event, separators=(",", ":"), default=str)
    with _lock:
        targets = list(_subscribers.get(channel, ()))
    for target in targets:
        # A stalled listener loses events; its console reloads the queue on reconnect.
        with contextlib.suppress(queue.Full):
            target.put_nowait(payload)


def subscribe(channel: str, *, timeout: float = 15.0) -> Iterator[str | None]:
    """Yield each event's JSON as it arrives, or None every ``timeout`` seconds."""
    inbox: queue.Queue[str] = queue.Queue(maxsize=1000)
    with _lock:
        _subscribers.setdefault(channel, set()).add(inbox)
    try:
        while True:
            try:
                yield inbox.get(timeout=timeout)
            except queue.Empty:
                yield None
    finally:
        with _lock:
            _subscribers.get(channel, set()).discard(inbox)
