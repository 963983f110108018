"""The console transport: nothing leaves the machine, and no contact reaches the logs."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from vecinos.delivery.transports import OutgoingMessage, transport_for
from vecinos.delivery.transports.console import ConsoleTransport, contact_fingerprint


def test_a_message_is_kept_in_the_outbox_tests_read(console_outbox: Any) -> None:
    message = OutgoingMessage(
        key="d1", channel="sms", address="+12135550100", subject="", text="Alerta"
    )
    receipt = ConsoleTransport("sms").send(message)
    [sent] = console_outbox
    assert sent.message == message
    assert sent.provider_id == receipt.provider_id


def test_the_log_names_the_key_and_a_hash_never_the_contact(
    console_outbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="vecinos.delivery.transports.console")
    ConsoleTransport("sms").send(
        OutgoingMessage(key="d9", channel="sms", address="+12135550199", subject="", text="x")
    )
    ConsoleTransport("webpush").send(
        OutgoingMessage(
            key="d10",
            channel="webpush",
            address={"endpoint": "https://push.example.net/secret-endpoint", "keys": {}},
            subject="t",
            text="x",
        )
    )
    logged = caplog.text
    assert "d9" in logged and contact_fingerprint("+12135550199") in logged
    assert "2135550199" not in logged
    assert "secret-endpoint" not in logged


def test_test_mode_sends_every_channel_to_the_console(settings: Any) -> None:
    settings.DELIVERY_CONSOLE_ONLY = True
    for channel in ("sms", "email", "webpush"):
        assert isinstance(transport_for(channel), ConsoleTransport)


def test_the_console_sms_provider_and_a_missing_smtp_host_stay_on_the_console(
    settings: Any,
) -> None:
    settings.DELIVERY_CONSOLE_ONLY = False
    settings.SMS_PROVIDER = "console"
    settings.DELIVERY_EMAIL_ENABLED = False
    assert isinstance(transport_for("sms"), ConsoleTransport)
    assert isinstance(transport_for("email"), ConsoleTransport)


def test_a_test_alert_is_always_on_the_console(settings: Any) -> None:
    settings.DELIVERY_CONSOLE_ONLY = False
    settings.SMS_PROVIDER = "twilio"
    assert isinstance(transport_for("sms", test=True), ConsoleTransport)


def test_an_unknown_channel_has_no_transport(settings: Any) -> None:
    settings.DELIVERY_CONSOLE_ONLY = False
    with pytest.raises(ValueError, match="fax"):
        transport_for("fax")


def test_in_production_printing_instead_of_sending_is_logged_as_a_warning(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.PRODUCTION = True
    settings.DELIVERY_CONSOLE_ONLY = False
    settings.DELIVERY_EMAIL_ENABLED = False
    with caplog.at_level(logging.WARNING, logger="vecinos.delivery.transports"):
        transport_for("email")
    assert "EMAIL_HOST is not set" in caplog.text
