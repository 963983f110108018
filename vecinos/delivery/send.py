"""One-off messages outside alerts: confirmation codes, manage links, dispatch requests
to responders, replies to reporters.

``vecinos.delivery.tasks.send_transactional`` never sends from inside a transaction: it
enqueues a worker task after commit (nothing leaves for a transaction that rolled
back). The contact travels through the queue encrypted — the queue may be Redis, whose
dump is not our database — and the task sends it through the same transports as
alerts (the console transport in test mode and development).
"""

from __future__ import annotations

import json
import logging

from vecinos.core import crypto
from vecinos.delivery.transports import OutgoingMessage, TransportError, transport_for
from vecinos.delivery.transports.base import Receipt

logger = logging.getLogger(__name__)

PURPOSE = "transactional"
CHANNELS = ("sms", "email", "webpush")


def seal(address: str | dict[str, object]) -> str:
    """The contact encrypted for the queue."""
    text = json.dumps(address, sort_keys=True) if isinstance(address, dict) else str(address)
    return crypto.encrypt(text, purpose=PURPOSE)


def unseal(channel: str, sealed: str) -> str | dict[str, object]:
    text = crypto.decrypt(sealed, purpose=PURPOSE)
    if channel == "webpush":
        value = json.loads(text)
        if isinstance(value, dict):
            return value
    return text


def deliver_transactional(
    *, channel: str, sealed: str, subject: str, text: str, key: str, url: str = ""
) -> Receipt | None:
    """The worker's half: decrypt and send. A transient failure raises (the task is
    retried); a permanent one is logged and dropped (nothing would change on a retry)."""
    message = OutgoingMessage(
        key=key,
        channel=channel,
        address=unseal(channel, sealed),
        subject=subject,
        text=text,
        url=url,
        ttl=3600,
    )
    transport = transport_for(channel)
    try:
        return transport.send(message)
    except TransportError as error:
        if error.permanent:
            logger.warning("transactional %s %s failed for good: %s", channel, key, error.code)
            return None
        raise
    finally:
        transport.close()
