"""Tasks carry ids only: a confirmation code, a responder's contact code or a manage
link is derived or made when the task runs, so the queue (``huey.sqlite3`` and its
WAL, or Redis) never holds one, nor a contact in plaintext. No code or token reaches
a log either, including Django's line for a 4xx on a manage link."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from huey.contrib.djhuey import HUEY
from huey.signals import SIGNAL_ENQUEUED

from tests.conftest import signed_in
from vecinos.accounts.models import User
from vecinos.alerts import links, subscriptions
from vecinos.alerts.models import Subscription
from vecinos.core.logging import NoAddressFilter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

PHONE = "+12135550100"
EMAIL = "nadia@example.org"


@pytest.fixture
def queued() -> Iterator[list[bytes]]:
    """Every task as the queue would store it (serialized), whatever the test mode."""
    stored: list[bytes] = []

    def keep(signal: str, task: Any, *args: Any) -> None:
        stored.append(HUEY.serialize_task(task))

    HUEY.signal(SIGNAL_ENQUEUED)(keep)
    yield stored
    HUEY.disconnect_signal(keep, SIGNAL_ENQUEUED)


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the configured log handler (with its filter) writes, at every level."""
    (handler,) = [
        h
        for h in logging.getLogger("django").handlers
        if any(isinstance(f, NoAddressFilter) for f in h.filters)
    ]
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)  # type: ignore[attr-defined]
    root, django_logger = logging.getLogger(), logging.getLogger("django")
    levels = root.level, django_logger.level
    root.setLevel(logging.DEBUG)
    django_logger.setLevel(logging.DEBUG)
    yield buffer
    handler.setStream(old_stream)  # type: ignore[attr-defined]
    root.setLevel(levels[0])
    django_logger.setLevel(levels[1])


def codes_in(console_outbox: Any) -> list[str]:
    return [m.group(1) for s in console_outbox if (m := re.search(r"\b(\d{6})\b", s.text))]


def test_codes_manage_links_and_contacts_never_enter_the_queue_or_a_log(
    queued: list[bytes],
    log_output: io.StringIO,
    console_outbox: Any,
    django_capture_on_commit_callbacks: Any,
    rosa: User,
) -> None:
    for channel, address in (("sms", PHONE), ("email", EMAIL)):
        body = {"channel": channel, "address": address, "language": "es"}
        with django_capture_on_commit_callbacks(execute=True):
            made = Client().post(
                "/api/v1/subscriptions",
                json.dumps({**body, "area": {"zip": "90033"}}),
                content_type="application/json",
            )
        assert made.status_code == 202
    code = codes_in(console_outbox)[-1]
    confirmed = Client().post(
        f"/api/v1/subscriptions/{made.json()['id']}/confirm",
        json.dumps({"code": code}),
        content_type="application/json",
    )
    assert confirmed.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/alerts/manage", {"channel": "email", "address": EMAIL})
        signed_in(rosa).post(
            "/responder/contact/code", {"channel": "sms", "address": "(213) 555-0177"}
        )

    codes = codes_in(console_outbox)
    links_sent = [m.group(0) for s in console_outbox if (m := re.search(r"https?://\S+", s.text))]
    assert len(codes) == 3 and len(links_sent) == 1
    token = links_sent[0].rstrip("/").rsplit("/", 1)[1]
    secrets = [*codes, token, PHONE, PHONE[2:], EMAIL, "2135550177"]

    assert queued, "the test must see the tasks"
    for payload in queued:
        for secret in secrets:
            assert secret.encode() not in payload, secret
    logged = log_output.getvalue()
    assert "console" in logged  # the messages were logged (by key and keyed hash)
    for secret in secrets:
        assert secret not in logged, secret


def test_a_manage_token_in_a_4xx_is_not_logged(log_output: io.StringIO) -> None:
    row = subscriptions.subscribe(
        channel="sms", address=PHONE, language="en", zip_code="90033", confirmed=True
    )
    token = links.manage_token(contact_hash=row.contact_hash, channel=row.channel)
    unsubscribe = links.unsubscribe_token(Subscription.objects.get(pk=row.pk))

    bad_action = Client().post(f"/alerts/manage/{token}", {"action": "explode"})
    forged = Client().get(f"/alerts/unsubscribe/{unsubscribe}x")

    assert bad_action.status_code == forged.status_code == 400
    logged = log_output.getvalue()
    assert "Bad Request: /alerts/manage/[token]" in logged
    assert token not in logged
    assert unsubscribe not in logged
    assert token.split(":")[-1] not in logged
