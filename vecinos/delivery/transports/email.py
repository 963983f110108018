"""Email through the SMTP connection of Django's ``default`` mailer, one per batch.

Django's backend opens the connection, so its settings hold (host, port, user and
password, STARTTLS or SSL, timeout). Each message goes in its own SMTP transaction on
it, so one refused recipient fails only its own message. Alert emails carry RFC 8058
one-click unsubscribe headers (``List-Unsubscribe`` + ``List-Unsubscribe-Post``), which
mail providers turn into an "Unsubscribe" button and require of bulk senders.

The message bytes are written by :func:`wire`, not by ``EmailMessage``: the email
package spent more CPU parsing and refolding headers it had just been given than
everything else a delivery costs (benchmarks/delivery.py). ``wire`` writes the same MIME
(multipart/alternative, text and HTML in UTF-8, quoted-printable or base64 whichever is
shorter, like the email package's own choice), encodes the subject and sender names as
the email package does (RFC 2047) and caches them, since every recipient of an alert
in one language shares them. ``List-Unsubscribe`` is written as RFC 2369 asks, ``<URL>``
on one line, where the email package turned long ones into encoded words. Anything
the fast path does not take (a non-ASCII address, a backend that is not SMTP) goes
through ``EmailMessage`` as before.
"""

from __future__ import annotations

import binascii
import contextlib
import email.policy
import re
import secrets
import smtplib
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime, parseaddr
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils.timezone import get_current_timezone

from vecinos.delivery.transports.base import OutgoingMessage, Receipt, Transport, TransportError

# An address the fast path writes as it is: ASCII, no quoting, no comments, no spaces.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}")
# Header values written as they are: printable ASCII without spaces (URLs, ids).
PLAIN_VALUE = re.compile(r"[\x21-\x7e]{1,900}")
# A text with longer lines is encoded, as the email package does (RFC 5322's
# recommended limit; 998 is the hard one).
LINE_LIMIT = 78
BASE64_LINE = 76


def _domain() -> str:
    return _domain_of(str(settings.DEFAULT_FROM_EMAIL))


@lru_cache(maxsize=4)
def _domain_of(sender: str) -> str:
    return parseaddr(sender)[1].rsplit("@", 1)[-1] or "localhost"


@lru_cache(maxsize=512)
def _header(name: str, value: str) -> bytes:
    """One header, folded and RFC 2047-encoded by the email package (SMTP policy), as
    bytes ending in CRLF. Cached: an alert's subject is the same for every recipient
    who reads its language."""
    policy = email.policy.SMTP
    folded = policy.header_factory(name, value).fold(policy=policy)
    return str(folded).encode("ascii")


def _body(text: str) -> tuple[str, bytes]:
    """(Content-Transfer-Encoding, encoded body ending in CRLF) of a UTF-8 text part:
    7bit when it is ASCII with short lines, else the shorter of quoted-printable and
    base64 (Latin-script languages come out readable, the others compact)."""
    lines = text.encode("utf-8").splitlines()
    body = b"\r\n".join(lines) + b"\r\n"
    if body.isascii() and max((len(line) for line in lines), default=0) <= LINE_LIMIT:
        return "7bit", body
    quoted = binascii.b2a_qp(body, istext=True)
    encoded = binascii.b2a_base64(body, newline=False)
    if len(quoted) <= len(encoded):
        return "quoted-printable", quoted
    wrapped = b"\r\n".join(
        encoded[start : start + BASE64_LINE] for start in range(0, len(encoded), BASE64_LINE)
    )
    return "base64", wrapped + b"\r\n"


def _part(text: str, subtype: str) -> bytes:
    cte, body = _body(text)
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {cte}\r\n\r\n'
    ).encode("ascii") + body


def _date() -> str:
    zone = get_current_timezone() if settings.EMAIL_USE_LOCALTIME else UTC
    return format_datetime(datetime.now(zone))


def wire(message: OutgoingMessage, sender: str) -> bytes | None:
    """The message as it goes on the wire (CRLF lines), or None when it needs the
    email package: an address or header value that is not plain ASCII."""
    to, domain = message.address, _domain()
    if not isinstance(to, str) or not PLAIN_ADDRESS.fullmatch(to):
        return None
    message_id = f"<{message.key}@{domain}>"
    if not PLAIN_VALUE.fullmatch(message_id) or not domain.isascii():
        return None  # a non-ASCII domain needs IDNA in every header: Django does that
    unsubscribe = message.unsubscribe_url
    if unsubscribe and not PLAIN_VALUE.fullmatch(unsubscribe):
        return None
    head = [
        b"MIME-Version: 1.0\r\n",
        _header("Subject", message.subject),
        _header("From", sender),
        f"To: {to}\r\nDate: {_date()}\r\nMessage-ID: {message_id}\r\n".encode("ascii"),
        b"Auto-Submitted: auto-generated\r\n",
    ]
    if unsubscribe:
        head.append(
            f"List-Unsubscribe: <{unsubscribe}>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n".encode("ascii")
        )
    if not message.html:
        return b"".join(head) + _part(message.text, "plain")
    boundary = f"=={secrets.token_hex(16)}=="
    head.append(
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode("ascii")
    )
    separator = f"\r\n--{boundary}\r\n".encode("ascii")
    return b"".join(
        [
            *head,
            separator[2:],
            _part(message.text, "plain"),
            separator,
            _part(message.html, "html"),
            f"\r\n--{boundary}--\r\n".encode("ascii"),
        ]
    )


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


def _transaction(smtp: smtplib.SMTP, sender: str, recipient: str, raw: bytes) -> None:
    """``smtp.sendmail(sender, [recipient], raw)`` for plain ASCII addresses, raising
    what it raises, without parsing both addresses again on every message (a sixth
    of an email's CPU). MAIL, RCPT, DATA; a refusal resets the transaction so the
    connection can carry the next message, a 421 closes it."""
    smtp.ehlo_or_helo_if_needed()
    size = f" size={len(raw)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    code, answer = smtp.docmd("mail", f"FROM:<{sender}>{size}")
    if code != 250:
        _abandon(smtp, code)
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    code, answer = smtp.docmd("rcpt", f"TO:<{recipient}>")
    if code not in (250, 251):
        _abandon(smtp, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, answer)})
    code, answer = smtp.data(raw)
    if code != 250:
        _abandon(smtp, code)
        raise smtplib.SMTPDataError(code, answer)


def _abandon(smtp: smtplib.SMTP, code: int) -> None:
    if code == 421:  # the server is closing the connection
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def _check_address(backend: Any, address: str) -> None:
    """Raise a permanent failure when Django cannot give ``address`` to an SMTP server
    (a line break, a non-ASCII local part without SMTPUTF8)."""
    prep = getattr(backend, "prep_address", None)
    if prep is None:
        return
    try:
        prep(address)
    except ValueError:
        raise TransportError("not an email address", permanent=True, code="invalid_email") from None


def _smtp_error(error: OSError | smtplib.SMTPException) -> TransportError:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code = max((int(answer[0]) for answer in error.recipients.values()), default=0)
        return TransportError(
            f"recipient refused ({code})", permanent=code >= 500, code=f"smtp_rcpt_{code}"
        )
    if isinstance(error, smtplib.SMTPResponseException):
        # Sender refused, data refused: the message or our configuration, not the
        # address. 5xx will not change on a retry; 4xx might.
        return TransportError(
            f"SMTP server refused ({error.smtp_code})",
            permanent=500 <= error.smtp_code < 600,
            code=f"smtp_{error.smtp_code}",
            disable=False,
        )
    return TransportError(
        f"SMTP failed: {type(error).__name__}", permanent=False, code="smtp_unreachable"
    )


class EmailTransport(Transport):
    channel = "email"

    def __init__(self) -> None:
        self._connection: Any = None
        self._sender: tuple[str, str] | None = None  # (From header, envelope sender)

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

    def _envelope_sender(self, backend: Any) -> tuple[str, str]:
        if self._sender is None:
            header = str(settings.DEFAULT_FROM_EMAIL)
            self._sender = (header, str(backend.prep_address(header)))
        return self._sender

    def send(self, message: OutgoingMessage) -> Receipt:
        if not isinstance(message.address, str) or "@" not in message.address:
            raise TransportError("not an email address", permanent=True, code="invalid_email")
        backend = self._open()
        smtp = getattr(backend, "connection", None)
        try:
            sent = False
            if isinstance(smtp, smtplib.SMTP):
                header, sender = self._envelope_sender(backend)
                raw = wire(message, header) if PLAIN_ADDRESS.fullmatch(sender) else None
                if raw is not None:
                    _transaction(smtp, sender, message.address, raw)
                    sent = True
            if not sent:
                _check_address(backend, message.address)
                backend.send_messages([build(message)])
        except ValueError:
            # A header the email package refuses (a line break in the subject): the
            # message's fault, not the subscriber's.
            raise TransportError(
                "the message cannot be written",
                permanent=True,
                code="email_bad_message",
                disable=False,
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            answered = isinstance(
                error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused
            )
            if not answered or getattr(smtp, "sock", None) is None:
                # The connection broke, or the server closed it (421): open a fresh
                # one for the next message.
                self.close()
            raise _smtp_error(error) from None
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
