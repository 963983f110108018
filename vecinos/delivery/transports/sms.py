"""SMS through Twilio's REST API, or any provider that speaks it (``TWILIO_API_BASE``).

``POST {TWILIO_API_BASE}/2010-04-01/Accounts/{sid}/Messages.json`` with the form fields
To, From (or MessagingServiceSid), Body and StatusCallback, basic auth ``sid:token``.
The senders of the pool (``VECINOS_SMS_SENDERS`` or ``TWILIO_FROM``) share the load,
each paced to its own rate across every worker process (vecinos.delivery.ratelimit). A
Messaging Service SID (``MG…``) goes out as ``MessagingServiceSid`` without ``From``:
Twilio then picks the number from the service's own pool.

Twilio's Messages API honours no idempotency key, so a POST that may have reached it is
never repeated: the outbox never sends a delivery recorded as sent again, and the HTTP
client (``transports.http``) repeats only a request whose connection could not be
opened. A request that failed after it may have left (reset, closed or no answer in
time) is recorded as ``sms_unknown_not_retried``: failed, not retried, the subscription
kept; a duplicate alert would cost more trust than one missing message. The message key
still goes out as an ``Idempotency-Key`` header for providers that honour one.
"""

from __future__ import annotations

import base64
import json
import logging
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from vecinos.delivery import ratelimit
from vecinos.delivery.transports import http
from vecinos.delivery.transports.base import OutgoingMessage, Receipt, Transport, TransportError

logger = logging.getLogger(__name__)

# Seconds to connect, and to wait for the answer.
TIMEOUT = (5.0, 15.0)

# Twilio error codes where the number itself is the problem: trying again cannot help,
# and the subscription is disabled.
NUMBER_ERRORS = {
    21211: "invalid_number",  # invalid 'To' phone number
    21214: "invalid_number",  # 'To' number cannot be reached
    21217: "invalid_number",  # phone number does not appear to be valid
    21407: "unsupported_destination",  # this phone number type does not support SMS
    21408: "unsupported_region",  # permission to send to this region is not enabled
    21610: "opted_out",  # the recipient replied STOP to this sender
    21612: "unreachable_number",  # not currently reachable via SMS
    21614: "not_mobile",  # 'To' number is not a valid mobile number
}
# Our message was refused for itself (not the number's fault): failed, not retried, and
# the subscription stays active.
MESSAGE_ERRORS = {
    21617: "body_too_long",
    30007: "carrier_filtered",
}
# Our account or senders are misconfigured: an operator can fix it, so the outbox keeps
# retrying until the alert expires; logged as an error.
# 21701/21705: the Messaging Service does not exist or its SID is malformed.
CONFIGURATION_ERRORS = {20003, 20404, 21212, 21603, 21606, 21659, 21660, 21701, 21705}
RATE_ERRORS = {14107, 20429}
# The request may have reached the provider, which did not answer: not repeated.
UNKNOWN = "sms_unknown_not_retried"

# Kept-alive connections to the provider, shared by a worker's threads and kept from
# batch to batch (a transport's close() leaves them open).
_client = http.Client()


def messages_url() -> str:
    return (
        f"{settings.TWILIO_API_BASE}/2010-04-01/Accounts/"
        f"{settings.TWILIO_ACCOUNT_SID}/Messages.json"
    )


def status_callback_url(key: str = "") -> str:
    """Where Twilio reports the message's progress. The message's idempotency key rides
    along (Twilio signs the whole URL), so a callback that arrives before the worker has
    recorded the message's sid still finds its delivery."""
    base = f"{settings.VECINOS_PUBLIC_URL}/sms/twilio/status"
    return f"{base}?{urlencode({'key': key})}" if key else base


def sender_field(sender: str) -> str:
    """The form field that names ``sender``: a Messaging Service SID or a number."""
    return "MessagingServiceSid" if sender.startswith("MG") else "From"


@lru_cache(maxsize=4)
def _authorization(sid: str, token: str) -> str:
    return "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode("ascii")


class TwilioTransport(Transport):
    channel = "sms"

    def send(self, message: OutgoingMessage) -> Receipt:
        if not isinstance(message.address, str) or not message.address.startswith("+"):
            raise TransportError("not a phone number", permanent=True, code="invalid_number")
        sender = ratelimit.wait_for_slot()
        form = {
            "To": message.address,
            sender_field(sender): sender,
            "Body": message.text,
            "StatusCallback": status_callback_url(message.key),
        }
        headers = {
            "Authorization": _authorization(
                settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
            ),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "User-Agent": http.USER_AGENT,
            "Idempotency-Key": message.key,
        }
        try:
            response = _client.post(
                messages_url(), urlencode(form).encode(), headers, timeout=TIMEOUT
            )
        except http.OutcomeUnknown as error:
            logger.warning(
                "SMS %s may or may not have reached the provider (%s)", message.key, error
            )
            raise TransportError(
                f"SMS outcome unknown ({error}); not retried",
                permanent=True,
                code=UNKNOWN,
                disable=False,
            ) from None
        except (http.NotSent, ValueError) as error:
            raise TransportError(
                f"SMS provider unreachable ({error})",
                permanent=False,
                code="sms_unreachable",
            ) from None
        if response.status in (200, 201):
            sid = str(_json(response.body).get("sid", ""))
            if not sid:
                # Accepted but unreadable: it was sent, so never send it again.
                logger.warning("SMS provider accepted %s without a message sid", message.key)
            return Receipt(provider_id=sid[:64], status="sent", sender=sender)
        raise error_for(response)


def _json(body: bytes) -> dict[str, Any]:
    """The answer's JSON object, or {} when it is not one."""
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def error_for(response: http.Response) -> TransportError:
    """Map an error answer to a TransportError: transient for 429, 5xx and our own
    configuration, permanent for the number's and the message's own faults."""
    status = response.status
    try:
        code = int(_json(response.body).get("code") or 0)
    except (ValueError, TypeError):
        code = 0
    if status == 429 or status >= 500 or code in RATE_ERRORS:
        return TransportError(
            f"SMS provider busy ({status}, {code})", permanent=False, code=f"sms_{status}_{code}"
        )
    if code in NUMBER_ERRORS:
        return TransportError(
            f"SMS provider refused the number ({code})", permanent=True, code=NUMBER_ERRORS[code]
        )
    if code in MESSAGE_ERRORS:
        return TransportError(
            f"SMS provider refused the message ({code})",
            permanent=True,
            code=MESSAGE_ERRORS[code],
            disable=False,
        )
    if status in (401, 403, 404) or code in CONFIGURATION_ERRORS:
        logger.error("SMS provider refused our credentials or senders (%s, code %s)", status, code)
        return TransportError(
            f"SMS provider configuration ({status}, {code})",
            permanent=False,
            code=f"sms_config_{code or status}",
        )
    return TransportError(
        f"SMS provider refused ({status}, {code})",
        permanent=True,
        code=f"sms_{status}_{code}",
        disable=False,
    )
