"""What every transport takes and gives back.

A transport knows nothing of the database: the outbox hands it an ``OutgoingMessage``
(contact decrypted, text rendered) and records the ``Receipt`` or the ``TransportError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OutgoingMessage:
    # The idempotency key: "d<delivery id>" for an alert delivery, "t<uuid>" for a
    # transactional message. Providers that support keys get it; logs show only it.
    key: str
    channel: str
    # Phone (E.164), email address, or the web-push subscription dict.
    address: str | dict[str, object]
    subject: str
    text: str
    html: str | None = None
    url: str = ""
    # Email only: the one-click unsubscribe link (List-Unsubscribe headers).
    unsubscribe_url: str = ""
    # Web push: seconds the push service keeps the message for an offline browser.
    ttl: int = 3600


@dataclass(frozen=True)
class Receipt:
    provider_id: str = ""
    # "delivered" when the provider confirmed delivery synchronously (push services
    # answer 201 once they hold the message), otherwise "sent".
    status: str = "sent"
    sender: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class TransportError(Exception):
    """A message was not sent. ``permanent``: trying again cannot help (invalid number,
    push subscription gone, hard bounce, opted out) — the subscription is disabled.
    ``code`` is short and contact-free: it is stored in ``Delivery.error``.
    ``disable`` (default: ``permanent``) says whether the fault lies with the contact, so
    the subscription is disabled; a message the provider refuses for its own content is
    failed without punishing the subscriber."""

    def __init__(
        self, message: str, *, permanent: bool, code: str, disable: bool | None = None
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code[:80]
        self.disable = permanent if disable is None else disable

    def __repr__(self) -> str:
        return f"TransportError({self.code!r}, permanent={self.permanent})"


class Transport:
    channel: str = ""

    def send(self, message: OutgoingMessage) -> Receipt:
        raise NotImplementedError

    def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[Receipt | TransportError]:
        """Send several messages; one outcome per message, in order. Transports that
        can share a connection override this (email: one SMTP session per batch)."""
        outcomes: list[Receipt | TransportError] = []
        for message in messages:
            try:
                outcomes.append(self.send(message))
            except TransportError as error:
                outcomes.append(error)
        return outcomes

    def close(self) -> None:
        """Release connections held between sends."""
