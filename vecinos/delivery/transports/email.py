"""Email through Django's SMTP backend (the ``default`` mailer), one connection per batch.

Each message goes in its own SMTP transaction on the shared connection, so one refused
recipient fails only its own message. Alert emails carry RFC 8058 one-click unsubscribe
headers (``List-Unsubscribe`` + ``List-Unsubscribe-Post``), which mail providers turn
into an "Unsubscribe" button and require of bulk senders.
"""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Sequence
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from vecinos.delivery.transports.base import OutgoingMessage, Receipt, Transport, TransportError


def _domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rsplit("@", 1)[-1] or "localhost"


def build(message: OutgoingMessage) -> EmailMultiAlternatives:
    if not isinstance(message.address, str) or "@" not in message.address:
        raise TransportError("not an email address", permanent=True, code="invalid_email")
    headers = {
        # The same message id for every attempt of one delivery: a receiving server
        # that saw it already may drop the copy.
        "Message-ID": f"<{message.key}@{_domain()}>",
        "Auto-Submitted": "auto-generated",
    }
    if message.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        headers=headers,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    return email


class EmailTransport(Transport):
    channel = "email"

    def __init__(self) -> None:
        self._connection: Any = None

    def _open(self) -> Any:
        if self._connection is None:
            connection = mail.mailers.default
            try:
                connection.open()
            except (OSError, smtplib.SMTPException) as error:
                raise TransportError(
                    f"SMTP server unreachable: {type(error).__name__}",
                    permanent=False,
                    code="smtp_unreachable",
                ) from None
            self._connection = connection
        return self._connection

    def send(self, message: OutgoingMessage) -> Receipt:
        email = build(message)
        connection = self._open()
        try:
            connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as error:
            code = max((int(answer[0]) for answer in error.recipients.values()), default=0)
            raise TransportError(
                f"recipient refused ({code})",
                permanent=code >= 500,
                code=f"smtp_rcpt_{code}",
            ) from None
        except smtplib.SMTPResponseException as error:
            # Sender refused, data refused: the message or our configuration, not the
            # address. 5xx will not change on a retry; 4xx might.
            permanent = 500 <= error.smtp_code < 600
            raise TransportError(
                f"SMTP server refused ({error.smtp_code})",
                permanent=permanent,
                code=f"smtp_{error.smtp_code}",
                disable=False,
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            # The connection broke: open a fresh one for the next message.
            self.close()
            raise TransportError(
                f"SMTP failed: {type(error).__name__}", permanent=False, code="smtp_unreachable"
            ) from None
        return Receipt(provider_id="", status="sent")

    def send_batch(self, messages: Sequence[OutgoingMessage]) -> list[Receipt | TransportError]:
        try:
            self._open()
        except TransportError as error:
            return [error for _ in messages]
        return super().send_batch(messages)

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            # Closing a broken connection: nothing is left to release.
            with contextlib.suppress(OSError, smtplib.SMTPException):
                connection.close()
