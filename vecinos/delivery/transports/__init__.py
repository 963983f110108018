"""One transport class per channel (docs/architecture.md, "The outbox for alerts").

``transport_for(channel)`` picks the class the settings ask for: the console transport in
test mode, for test alerts and when ``SMS_PROVIDER=console``; otherwise Twilio's REST API
for SMS, the SMTP connection of Django's default mailer for email, and Web Push (http_ece
and py_vapid) for browsers. SMS keeps its HTTP connections to the provider open
between messages (``transports.http``); web push goes through pywebpush's ``requests``
session.
"""

from __future__ import annotations

import logging

from vecinos.delivery.transports.base import OutgoingMessage, Receipt, Transport, TransportError

__all__ = ["OutgoingMessage", "Receipt", "Transport", "TransportError", "transport_for"]

logger = logging.getLogger(__name__)


def _console(channel: str, why: str) -> Transport:
    from django.conf import settings

    from vecinos.delivery.transports.console import ConsoleTransport

    if settings.PRODUCTION:
        # Real messages printed instead of sent: say so where an operator looks.
        logger.warning("%s messages are printed, not sent: %s", channel, why)
    return ConsoleTransport(channel)


def transport_for(channel: str, *, test: bool = False) -> Transport:
    """The transport that sends ``channel`` now. ``test`` (a test alert) always gets the
    console: test mode never reaches a provider."""
    from django.conf import settings

    from vecinos.delivery.transports.console import ConsoleTransport

    if test:
        return ConsoleTransport(channel)
    if settings.DELIVERY_CONSOLE_ONLY:
        return _console(channel, "VECINOS_DELIVERY_CONSOLE is on")
    if channel == "sms":
        if settings.SMS_PROVIDER == "console":
            return _console(channel, "SMS_PROVIDER is console")
        from vecinos.delivery.transports.sms import TwilioTransport

        return TwilioTransport()
    if channel == "email":
        if not settings.DELIVERY_EMAIL_ENABLED:
            return _console(channel, "EMAIL_HOST is not set")
        from vecinos.delivery.transports.email import EmailTransport

        return EmailTransport()
    if channel == "webpush":
        from vecinos.delivery.transports.webpush import WebPushTransport

        return WebPushTransport()
    raise ValueError(f"no transport for channel {channel!r}")
