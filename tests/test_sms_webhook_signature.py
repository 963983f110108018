"""The Twilio webhooks act only on requests signed with our auth token over our
public URL; forged, unsigned or tampered requests get 403 and change nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest
from django.test import Client

from tests.conftest import PUBLIC_URL, TWILIO_TEST_TOKEN, SignedTwilio
from vecinos.alerts import subscriptions
from vecinos.alerts.models import Subscription, SubscriptionStatus
from vecinos.delivery.inbound import compute_signature

pytestmark = [pytest.mark.django_db]

STOP = {"MessageSid": "SM" + "1" * 32, "From": "+12135550100", "To": "+13235550001", "Body": "STOP"}


@pytest.fixture
def rosa_subscribed() -> Subscription:
    return subscriptions.subscribe(
        channel="sms", address="+12135550100", language="en", zip_code="90033", confirmed=True
    )


def still_active(subscription: Subscription) -> bool:
    subscription.refresh_from_db()
    return subscription.status == SubscriptionStatus.ACTIVE


def test_the_signature_is_twilios_documented_example() -> None:
    # The test vector of Twilio's own validator: this URL, these parameters, this token.
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": ["CA1234567890ABCDE"],
        "Caller": ["+14158675309"],
        "Digits": ["1234"],
        "From": ["+14158675309"],
        "To": ["+18005551212"],
    }

    assert compute_signature(url, params, "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_a_signed_request_is_answered_with_twiml(
    twilio_webhook: SignedTwilio, rosa_subscribed: Subscription
) -> None:
    response = twilio_webhook.post("/sms/twilio", STOP)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?><Response>')
    assert not still_active(rosa_subscribed)


def test_an_unsigned_request_is_forbidden(
    twilio_webhook: SignedTwilio, rosa_subscribed: Subscription
) -> None:
    response = twilio_webhook.post("/sms/twilio", STOP, signature="")

    assert response.status_code == 403
    assert still_active(rosa_subscribed)


@pytest.mark.parametrize(
    "signature",
    [
        "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
        "not base64 at all",
        base64.b64encode(b"x" * 20).decode(),
    ],
)
def test_a_forged_signature_is_forbidden(
    twilio_webhook: SignedTwilio, rosa_subscribed: Subscription, signature: str
) -> None:
    assert twilio_webhook.post("/sms/twilio", STOP, signature=signature).status_code == 403
    assert still_active(rosa_subscribed)


def test_a_signature_made_with_another_token_is_forbidden(
    twilio_webhook: SignedTwilio, rosa_subscribed: Subscription
) -> None:
    forged = twilio_webhook.signature("/sms/twilio", STOP, token="someone-elses-token")

    assert twilio_webhook.post("/sms/twilio", STOP, signature=forged).status_code == 403
    assert still_active(rosa_subscribed)


def test_a_tampered_parameter_breaks_the_signature(
    twilio_webhook: SignedTwilio, rosa_subscribed: Subscription
) -> None:
    signed_for_help = twilio_webhook.signature("/sms/twilio", {**STOP, "Body": "HELP"})

    response = twilio_webhook.post("/sms/twilio", STOP, signature=signed_for_help)

    assert response.status_code == 403
    assert still_active(rosa_subscribed)


def test_a_signature_for_another_url_is_forbidden(
    twilio_webhook: SignedTwilio, rosa_subscribed: Subscription
) -> None:
    other_url = "https://attacker.example.net/sms/twilio"
    digest = hmac.new(
        TWILIO_TEST_TOKEN.encode(),
        (other_url + "".join(k + v for k, v in sorted(STOP.items()))).encode(),
        hashlib.sha1,
    ).digest()

    response = twilio_webhook.post("/sms/twilio", STOP, signature=base64.b64encode(digest).decode())

    assert response.status_code == 403
    assert still_active(rosa_subscribed)


def test_the_default_port_in_the_url_is_accepted_like_twilio_does(
    twilio_webhook: SignedTwilio, rosa_subscribed: Subscription
) -> None:
    params = {k: [v] for k, v in STOP.items()}
    with_port = compute_signature(PUBLIC_URL + ":443/sms/twilio", params, TWILIO_TEST_TOKEN)

    assert twilio_webhook.post("/sms/twilio", STOP, signature=with_port).status_code == 200


def test_without_an_auth_token_every_request_is_forbidden(
    twilio_webhook: SignedTwilio, settings: Any, rosa_subscribed: Subscription
) -> None:
    signature = twilio_webhook.signature("/sms/twilio", STOP, token="")
    settings.TWILIO_AUTH_TOKEN = ""

    assert twilio_webhook.post("/sms/twilio", STOP, signature=signature).status_code == 403
    assert still_active(rosa_subscribed)


def test_the_status_callback_checks_the_signature_too(twilio_webhook: SignedTwilio) -> None:
    params = {"MessageSid": "SM" + "2" * 32, "MessageStatus": "delivered"}

    assert twilio_webhook.post("/sms/twilio/status", params, signature="").status_code == 403
    assert twilio_webhook.post("/sms/twilio/status", params, signature="AAAA").status_code == 403
    assert twilio_webhook.post("/sms/twilio/status", params).status_code == 204


def test_the_webhooks_take_only_post(twilio_webhook: SignedTwilio) -> None:
    assert Client().get("/sms/twilio").status_code == 405
    assert Client().get("/sms/twilio/status").status_code == 405


def test_an_oversized_request_is_refused(twilio_webhook: SignedTwilio) -> None:
    params = {**STOP, "Body": "x" * 20_000}

    assert twilio_webhook.post("/sms/twilio", params).status_code == 413
