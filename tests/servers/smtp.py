"""A loopback SMTP server (aiosmtpd) that records what it receives.

It can be told to refuse recipients: ``server.refuse["bounce@example.org"] = 550``
(a hard bounce) or ``450`` (mailbox busy, try later).
"""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    peer: tuple[str, int]

    @property
    def to(self) -> str:
        return self.recipients[0]

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        return body.get_content() if body is not None else ""

    @property
    def html(self) -> str:
        body = self.message.get_body(preferencelist=("html",))
        return body.get_content() if body is not None else ""


class _Handler:
    def __init__(self, server: SMTPServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        code = self.server.refuse.get(address.lower())
        if code is not None:
            return f"{code} {'5.1.1 no such user' if code >= 500 else '4.2.1 try later'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.server.lock:
            self.server.received.append(
                Received(
                    sender=envelope.mail_from,
                    recipients=list(envelope.rcpt_tos),
                    message=message,
                    peer=tuple(session.peer[:2]),
                )
            )
        return "250 Message accepted"


class SMTPServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.host = "127.0.0.1"
        self.refuse: dict[str, int] = {}
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self._controller = Controller(_Handler(self), hostname=self.host, port=port)

    def start(self) -> SMTPServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def connections(self) -> int:
        """How many SMTP sessions delivered mail (one per client connection)."""
        with self.lock:
            return len({item.peer for item in self.received})

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [item for item in self.received if address in item.recipients]

    def mailer_settings(self) -> dict[str, object]:
        """MAILERS for Django that send here."""
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": self.host, "port": self.port, "use_tls": False, "timeout": 5},
            }
        }
