"""Under `make demo` a tester can finish subscribing: the console transport shows the
whole message, confirmation code included. Never outside the demo."""

from __future__ import annotations

import logging

import pytest
from pytest_django import Settings

from vecinos.delivery.transports.base import OutgoingMessage
from vecinos.delivery.transports.console import ConsoleTransport

CODE_MESSAGE = OutgoingMessage(
    key="t1",
    channel="sms",
    address="+12135550100",
    subject="Your Vecinos confirmation code",
    text="Vecinos: your code is 482913. It expires in 15 minutes.",
)


def test_in_the_demo_the_console_shows_the_code(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.VECINOS_DEMO = True
    with caplog.at_level(logging.INFO, logger="vecinos.delivery.transports.console"):
        ConsoleTransport("sms").send(CODE_MESSAGE)
    assert "482913" in caplog.text
    assert "+12135550100" not in caplog.text  # the contact is still never logged


def test_outside_the_demo_the_code_is_never_shown(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.VECINOS_DEMO = False
    with caplog.at_level(logging.DEBUG):
        ConsoleTransport("sms").send(CODE_MESSAGE)
    assert "482913" not in caplog.text
