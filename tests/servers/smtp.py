"""A loopback SMTP server (aiosmtpd) that records what it receives.

It can be told to refuse recipients: ``server.refuse["bounce@example.org"] = 550``
(a hard bounce) or ``450`` (mailbox busy, try later). With ``credentials=(user,
password)`` it takes mail only from a client that logged in with them (AUTH PLAIN or
LOGIN, without TLS on loopback).
"""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    peer: tuple[str, int]
    raw: bytes = b""  # as it came over the wire

    def raw_header(self, name: str) -> str:
        """A header's value as written on the wire (folded lines joined), undecoded."""
        head = self.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
        unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ")
        for line in unfolded.split("\r\n"):
            key, _, value = line.partition(":")
            if key.lower() == name.lower():
                return value.strip()
        return ""

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
                    raw=envelope.original_content or envelope.content,
                )
            )
        return "250 Message accepted"


class SMTPServer:
    def __init__(self, port: int, *, credentials: tuple[str, str] | None = None) -> None:
        self.port = port
        self.host = "127.0.0.1"
        self.credentials = credentials
        self.refuse: dict[str, int] = {}
        self.received: list[Received] = []
        self.logins: list[str] = []  # user names that logged in successfully
        self.lock = threading.Lock()
        auth: dict[str, Any] = {}
        if credentials is not None:
            auth = {
                "authenticator": self._authenticate,
                "auth_required": True,
                "auth_require_tls": False,
            }
        self._controller = Controller(_Handler(self), hostname=self.host, port=port, **auth)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        given = (
            (auth_data.login.decode(), auth_data.password.decode())
            if isinstance(auth_data, LoginPassword)
            else None
        )
        if given is None or given != self.credentials:
            return AuthResult(success=False, handled=False)
        with self.lock:
            self.logins.append(given[0])
        return AuthResult(success=True)

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

    def mailer_settings(self, *, password: str | None = None) -> dict[str, object]:
        """MAILERS for Django that send here (logging in, if the server wants it, with
        its credentials or with ``password``)."""
        options: dict[str, object] = {
            "host": self.host,
            "port": self.port,
            "use_tls": False,
            "timeout": 5,
        }
        if self.credentials is not None:
            options["username"] = self.credentials[0]
            options["password"] = self.credentials[1] if password is None else password
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": options,
            }
        }
