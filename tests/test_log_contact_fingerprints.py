"""No log line carries anything derived from a contact without a key. The console
transport (test alerts, even in production) names a contact by a fingerprint keyed
with ``hash.key``: an unkeyed ``sha256(contact)[:8]`` of a phone number is reversed by
hashing every number of its area code."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import pytest

from vecinos.delivery.transports import OutgoingMessage
from vecinos.delivery.transports.console import ConsoleTransport, contact_fingerprint

PHONE = "+12135550199"


def unkeyed_forms(text: str) -> set[str]:
    """Every 8-digit prefix of the usual unkeyed digests of ``text``."""
    forms = set()
    for name in ("md5", "sha1", "sha256", "sha512", "blake2b"):
        forms.add(hashlib.new(name, text.encode()).hexdigest()[:8])
    return forms


def send(channel: str, address: Any, text: str = "Vecinos: your code is 482913.") -> None:
    ConsoleTransport(channel).send(
        OutgoingMessage(key="k1", channel=channel, address=address, subject="", text=text)
    )


def test_the_console_log_holds_no_unkeyed_digest_of_the_contact(
    console_outbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    send("sms", PHONE)
    send("email", "nadia@example.org")

    logged = caplog.text
    for contact in (PHONE, "nadia@example.org"):
        assert contact not in logged
        assert not any(form in logged for form in unkeyed_forms(contact))
    assert contact_fingerprint(PHONE) in logged


def test_the_fingerprint_changes_with_the_hash_key(settings: Any) -> None:
    before = contact_fingerprint(PHONE)
    settings.VECINOS_HASH_KEY = b"\x01" * 32

    assert contact_fingerprint(PHONE) != before
    assert before not in unkeyed_forms(PHONE)


def test_the_console_log_holds_no_message_text(
    console_outbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    send("sms", PHONE, text="Vecinos: your code is 482913. It expires in 15 minutes.")
    send("sms", PHONE, text="Vecinos: see and stop your alerts here: https://x.example/m/tok")

    assert "482913" not in caplog.text
    assert "tok" not in caplog.text.replace("console", "")
