"""Requests to addresses a user supplied (web-push endpoints) never reach private,
loopback or link-local addresses unless the operator allows it; plain http only then.
The suite runs with the allowance on (tests/settings.py); these tests turn it off."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from vecinos.alerts import subscriptions
from vecinos.core import outgoing
from vecinos.delivery.transports import OutgoingMessage, TransportError
from vecinos.delivery.transports.webpush import WebPushTransport

KEYS = {
    "p256dh": (
        "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
    ),
    "auth": "tBHItJI5svbpez7KI4CCXg",
}


@pytest.fixture
def guarded(settings: Any) -> None:
    settings.OUTGOING_PRIVATE_ALLOWED = False


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/push",
        "https://10.1.2.3/push",
        "https://192.168.0.10:8443/push",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/push",
        "https://[fe80::1]/push",
        "https://[::ffff:127.0.0.1]/push",
        "https://0.0.0.0/push",
        "https://localhost/push",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(guarded: None, url: str) -> None:
    with pytest.raises(outgoing.RefusedAddress):
        outgoing.check_url(url)
    assert outgoing.literal_refused(url)


def test_a_public_address_passes(guarded: None) -> None:
    outgoing.check_url("https://8.8.8.8/push")
    assert not outgoing.literal_refused("https://push.example.org/push")


def test_a_name_that_does_not_resolve_is_refused(guarded: None) -> None:
    with pytest.raises(outgoing.RefusedAddress):
        outgoing.check_url("https://no-such-host.invalid/push")


def test_the_operator_may_allow_private_addresses(settings: Any) -> None:
    settings.OUTGOING_PRIVATE_ALLOWED = True

    outgoing.check_url("http://127.0.0.1:9/push")


def test_the_push_transport_refuses_a_private_endpoint_for_good(guarded: None) -> None:
    message = OutgoingMessage(
        key="d1",
        channel="webpush",
        address={"endpoint": "https://10.0.0.5/push/abc", "keys": KEYS},
        subject="",
        text="Alerta",
    )

    with pytest.raises(TransportError) as caught:
        WebPushTransport().send(message)

    assert caught.value.code == "push_private_address"
    assert caught.value.permanent


@pytest.mark.django_db
@pytest.mark.parametrize(
    "endpoint", ["https://169.254.169.254/push/abc", "http://push.example.org/push/abc"]
)
def test_subscribing_with_a_private_or_plain_http_endpoint_is_refused(
    guarded: None, endpoint: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        subscriptions.subscribe(
            channel="webpush",
            address={"endpoint": endpoint, "keys": KEYS},
            language="en",
            zip_code="90033",
        )

    assert "address.endpoint" in caught.value.message_dict
