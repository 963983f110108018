"""The console transport: development, test mode, test alerts and ``SMS_PROVIDER=console``.

Nothing leaves the machine. The message is logged by its key, a short keyed hash of
the contact and its subject (never the contact, nor the text, which may hold a code or
a link that works: logs are not encrypted), and kept in :data:`outbox`, a bounded
in-memory list that tests read. Under ``make demo`` only (``VECINOS_DEMO``, refused in
production) the whole text is logged too, so that a tester can read the confirmation
code a subscription sends.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass

from django.conf import settings

from vecinos.core import crypto
from vecinos.delivery.transports.base import OutgoingMessage, Receipt, Transport

logger = logging.getLogger(__name__)

# Enough for any test; a development server running for days does not grow without end.
OUTBOX_SIZE = 10_000


@dataclass(frozen=True)
class Sent:
    message: OutgoingMessage
    provider_id: str

    # Shortcuts for tests.
    @property
    def address(self) -> str | dict[str, object]:
        return self.message.address

    @property
    def text(self) -> str:
        return self.message.text

    @property
    def channel(self) -> str:
        return self.message.channel


outbox: deque[Sent] = deque(maxlen=OUTBOX_SIZE)
_lock = threading.Lock()
_counter = 0


FINGERPRINT_PURPOSE = "console-log"


def contact_fingerprint(address: str | dict[str, object]) -> str:
    """Eight hex digits that tell two contacts apart in a log without revealing either.

    Keyed (``hash.key``): an unkeyed hash of a phone number is reversed by hashing
    every number of an area code, ten million in seconds."""
    text = address.get("endpoint", "") if isinstance(address, dict) else address
    return crypto.keyed_hash(str(text), purpose=FINGERPRINT_PURPOSE)[:8]


def clear() -> None:
    with _lock:
        outbox.clear()


class ConsoleTransport(Transport):
    def __init__(self, channel: str = "") -> None:
        self.channel = channel

    def send(self, message: OutgoingMessage) -> Receipt:
        global _counter
        with _lock:
            _counter += 1
            provider_id = f"console-{_counter}"
            outbox.append(Sent(message=message, provider_id=provider_id))
        logger.info(
            "console %s %s to %s: %s (%d characters)",
            message.channel,
            message.key,
            contact_fingerprint(message.address),
            message.subject or "-",
            len(message.text),
        )
        if settings.VECINOS_DEMO:
            # Only under `make demo` (refused in production): the whole text, so a
            # tester reading the terminal can type the confirmation code it carries.
            logger.warning(
                "DEMO ONLY, the whole %s message %s: %s", message.channel, message.key, message.text
            )
        return Receipt(provider_id=provider_id, status="sent")
