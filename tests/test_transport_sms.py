"""The SMS transport against a Twilio-compatible server on loopback."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.servers.twilio import SID
from vecinos.delivery.transports import OutgoingMessage, TransportError
from vecinos.delivery.transports.sms import TwilioTransport


def sms(
    to: str = "+12135550120", key: str = "d1", text: str = "Alerta: redada."
) -> OutgoingMessage:
    return OutgoingMessage(key=key, channel="sms", address=to, subject="", text=text)


def test_a_message_is_posted_with_basic_auth_and_twilios_form_fields(
    twilio_server: Any, settings: Any
) -> None:
    settings.VECINOS_PUBLIC_URL = "https://vecinos.example.org"
    receipt = TwilioTransport().send(sms(text="Alerta: redada cerca. STOP para salir"))

    [message] = twilio_server.messages
    assert message.to == "+12135550120"
    assert message.sender in settings.TWILIO_FROM
    assert message.body == "Alerta: redada cerca. STOP para salir"
    # The callback URL carries the message's key, so the callback finds the delivery
    # even before the worker has recorded the sid.
    assert message.status_callback == (
        f"https://vecinos.example.org/sms/twilio/status?key={sms().key}"
    )
    assert receipt.provider_id == message.sid
    assert receipt.sender == message.sender
    assert twilio_server.unauthorised == 0


def test_the_api_base_is_configurable(twilio_server: Any) -> None:
    from vecinos.delivery.transports.sms import messages_url

    assert messages_url() == (f"{twilio_server.base_url}/2010-04-01/Accounts/{SID}/Messages.json")


def test_the_message_key_goes_out_though_twilio_does_not_honour_it(twilio_server: Any) -> None:
    TwilioTransport().send(sms(key="d42"))
    assert twilio_server.keys == ["d42"]


def test_several_senders_share_the_load(twilio_server: Any) -> None:
    transport = TwilioTransport()
    for number in range(10):
        transport.send(sms(to=f"+1213555{number:04d}", key=f"d{number}"))
    by_sender = dict.fromkeys(("+13235550001", "+13235550002"), 0)
    for message in twilio_server.messages:
        by_sender[message.sender] += 1
    assert by_sender == {"+13235550001": 5, "+13235550002": 5}


@pytest.mark.parametrize(
    ("status", "code", "permanent", "disable", "error_code"),
    [
        (400, 21211, True, True, "invalid_number"),
        (400, 21610, True, True, "opted_out"),
        (400, 21617, True, False, "body_too_long"),
        (429, 20429, False, False, "sms_429_20429"),
        (500, 0, False, False, "sms_500_0"),
        (503, 0, False, False, "sms_503_0"),
    ],
)
def test_provider_errors_are_sorted_into_permanent_and_transient(
    twilio_server: Any, status: int, code: int, permanent: bool, disable: bool, error_code: str
) -> None:
    twilio_server.fail["+12135550121"] = (status, code)
    with pytest.raises(TransportError) as caught:
        TwilioTransport().send(sms(to="+12135550121"))
    assert caught.value.permanent is permanent
    assert caught.value.disable is disable
    assert caught.value.code == error_code


def test_wrong_credentials_are_a_configuration_error_to_retry(
    twilio_server: Any, settings: Any
) -> None:
    settings.TWILIO_AUTH_TOKEN = "not-the-token"
    with pytest.raises(TransportError) as caught:
        TwilioTransport().send(sms())
    assert caught.value.permanent is False
    assert caught.value.code == "sms_config_20003"
    assert twilio_server.unauthorised == 1


def test_an_address_that_is_not_a_phone_number_is_refused_before_sending(
    twilio_server: Any,
) -> None:
    with pytest.raises(TransportError) as caught:
        TwilioTransport().send(sms(to="someone@example.org"))
    assert caught.value.permanent
    assert twilio_server.requests == 0


def test_messages_share_one_kept_alive_connection(twilio_server: Any) -> None:
    transport = TwilioTransport()
    for number in range(5):
        transport.send(sms(to=f"+1213555{number:04d}", key=f"d{number}"))
    assert len(twilio_server.messages) == 5
    assert twilio_server.connections() == 1


def test_a_connection_the_provider_dropped_while_idle_is_replaced_and_no_message_is_lost(
    twilio_server: Any,
) -> None:
    twilio_server.hang_up = True  # closes every connection after its answer, silently
    transport = TwilioTransport()
    receipts = []
    for number in range(4):
        receipts.append(transport.send(sms(to=f"+1213555{number:04d}", key=f"d{number}")))
        time.sleep(0.2)  # idle: the provider's close arrives before the next message
    assert [message.to for message in twilio_server.messages] == [
        f"+1213555{number:04d}" for number in range(4)
    ]
    assert len({receipt.provider_id for receipt in receipts}) == 4
    assert twilio_server.connections() == 4


def test_a_messaging_service_is_posted_as_messaging_service_sid_without_from(
    twilio_server: Any, settings: Any
) -> None:
    service = "MG" + "ab" * 16
    settings.SMS_SENDERS = {service: 10.0}
    settings.TWILIO_FROM = []
    receipt = TwilioTransport().send(sms())

    [message] = twilio_server.messages
    # Twilio picks the number from the service's own pool: no From is sent.
    assert message.service == service
    assert message.sender == service
    assert receipt.provider_id == message.sid
    assert receipt.sender == service


def test_a_short_code_and_a_number_go_out_as_from(twilio_server: Any, settings: Any) -> None:
    settings.SMS_SENDERS = {"90033": 100.0, "+13235550009": 1.0}
    settings.TWILIO_FROM = []
    TwilioTransport().send(sms(key="d1"))
    TwilioTransport().send(sms(key="d2"))
    assert {message.sender for message in twilio_server.messages} == {"90033", "+13235550009"}
    assert not any(message.service for message in twilio_server.messages)
