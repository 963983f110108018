"""Access rules of the delivery app (vecinos/delivery/urls_inbound.py,
urls_responder.py): Twilio's webhooks (the signature is the credential, whoever else is
signed in), the console's reply to a reporter, and the responder's contact pages."""

from __future__ import annotations

from django.conf import settings

from tests.access.matrix import EVERYONE, Rule, World
from vecinos.delivery.inbound import compute_signature

TWILIO_TOKEN = "matrix-twilio-token"
PUBLIC_URL = "https://vecinos.example.org"
SETTINGS = {
    "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
    "VECINOS_PUBLIC_URL": PUBLIC_URL,
    "VECINOS_PUBLIC_ORIGIN": PUBLIC_URL,
}
RESPONDERS = {"rosa", "ana"}

INBOUND = {
    "MessageSid": "SM" + "b" * 32,
    "From": "+12135550177",
    "To": "+13235550001",
    "Body": "ALTO",
}
STATUS = {"MessageSid": "SM" + "c" * 32, "MessageStatus": "delivered"}


def signed(path: str, params: dict[str, str]) -> dict[str, str]:
    url = settings.VECINOS_PUBLIC_URL + path
    signature = compute_signature(url, {k: [v] for k, v in params.items()}, TWILIO_TOKEN)
    return {"X-Twilio-Signature": signature}


RULES = [
    Rule(
        "sms_twilio",
        method="POST",
        data=lambda w: INBOUND,
        headers=lambda w: signed("/sms/twilio", INBOUND),
        allowed=EVERYONE,
    ),
    Rule(
        "sms_twilio_status",
        method="POST",
        data=lambda w: STATUS,
        headers=lambda w: signed("/sms/twilio/status", STATUS),
        allowed=EVERYONE,
    ),
    # Dispatchers, about a report of an incident they may see.
    Rule(
        "console_reply",
        method="POST",
        kwargs=lambda w: {"report_id": w.report.pk},
        data=lambda w: {"text": "Gracias. Vamos en camino."},
        allowed={"dani", "ana"},
    ),
    # The responder's contact (admins hold every role).
    Rule("responder_contact", allowed=RESPONDERS),
    Rule(
        "responder_contact_request",
        method="POST",
        data=lambda w: {"channel": "sms", "address": "+12135550166"},
        allowed=RESPONDERS,
    ),
    Rule(
        "responder_contact_confirm",
        method="POST",
        data=lambda w: {"code": "123456"},
        allowed=RESPONDERS,
    ),
    Rule("responder_contact_cancel", method="POST", allowed=RESPONDERS),
    Rule("responder_contact_remove", method="POST", allowed=RESPONDERS),
    Rule("responder_contact_test", method="POST", allowed=RESPONDERS),
    Rule(
        "responder_contact_webpush",
        method="POST",
        data=lambda w: {"subscription": "{}"},
        allowed=RESPONDERS,
    ),
]


def setup(world: World) -> None:
    world.require("rules_reports")  # its report, to reply to
