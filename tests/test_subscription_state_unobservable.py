"""Nobody learns whether a phone number or an email address subscribes. Every public
path a stranger can call with someone's contact answers the same (status, body once
ids and form tokens are set aside, and the same work: database queries and tasks
queued) for a subscribed contact and for one that is not; the per-contact budgets do
not reveal it either (three manage-link requests used to spend a subscribed contact's
code budget only, after which subscribing answered 429 instead of 202)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from vecinos.alerts import subscriptions
from vecinos.alerts.models import Subscription

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

SUBSCRIBED = {"sms": "+12135550100", "email": "nadia@example.org"}
STRANGER = {"sms": "+12135550177", "email": "tomas@example.org"}
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}")
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
NONCE_RE = re.compile(r'nonce="[^"]+"')


@pytest.fixture(autouse=True)
def subscribed() -> None:
    for channel, address in SUBSCRIBED.items():
        subscriptions.subscribe(
            channel=channel, address=address, language="es", zip_code="90033", confirmed=True
        )


def api_subscribe(client: Client, channel: str, address: str) -> Any:
    body = {"channel": channel, "address": address, "language": "es", "area": {"zip": "90033"}}
    return client.post("/api/v1/subscriptions", json.dumps(body), content_type="application/json")


def form_subscribe(client: Client, channel: str, address: str) -> Any:
    data = {"channel": channel, "address": address, "language": "es", "zip_code": "90033"}
    return client.post("/alerts/subscribe", data)


def manage_request(client: Client, channel: str, address: str) -> Any:
    return client.post("/alerts/manage", {"channel": channel, "address": address})


def api_confirm_wrong(client: Client, channel: str, address: str) -> Any:
    made = api_subscribe(client, channel, address).json()["id"]
    row = Subscription.objects.get(pk=made)
    code = subscriptions.code_for(f"subscription:{channel}:{row.contact_hash}", row.code_issued_at)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    return client.post(
        f"/api/v1/subscriptions/{made}/confirm",
        json.dumps({"code": wrong}),
        content_type="application/json",
    )


def form_confirm_wrong(client: Client, channel: str, address: str) -> Any:
    made = form_subscribe(client, channel, address)["Location"]
    return client.post(made, {"code": "000000"})


PATHS: list[Callable[[Client, str, str], Any]] = [
    api_subscribe,
    form_subscribe,
    manage_request,
    api_confirm_wrong,
    form_confirm_wrong,
]


def answer(
    path: Callable[[Client, str, str], Any],
    channel: str,
    address: str,
    capture: Any,
    client_address: str,
) -> tuple[int, str, int, int]:
    """(status, body without ids and tokens, queries, tasks queued) of one call."""
    client = Client(REMOTE_ADDR=client_address)
    with CaptureQueriesContext(connection) as queries, capture() as callbacks:
        response = path(client, channel, address)
    body = response.content.decode()
    for pattern, stand_in in ((UUID_RE, "ID"), (CSRF_RE, "CSRF"), (NONCE_RE, "NONCE")):
        body = pattern.sub(stand_in, body)
    return response.status_code, body, len(queries), len(callbacks)


@pytest.mark.parametrize("channel", ["sms", "email"])
@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.__name__)
def test_every_public_path_answers_alike_for_subscribed_and_other_contacts(
    path: Callable[[Client, str, str], Any],
    channel: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Three rounds: the third is past the per-contact budgets of three an hour.
    for round_ in range(4):
        here = answer(
            path, channel, SUBSCRIBED[channel], django_capture_on_commit_callbacks, "10.0.0.1"
        )
        there = answer(
            path, channel, STRANGER[channel], django_capture_on_commit_callbacks, "10.0.0.2"
        )
        assert here == there, f"round {round_}"


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_manage_link_requests_do_not_spend_a_subscribed_contacts_code_budget(
    channel: str,
) -> None:
    answers = {}
    for who, contacts in (("subscribed", SUBSCRIBED), ("stranger", STRANGER)):
        for i in range(3):
            manage_request(Client(REMOTE_ADDR=f"10.0.1.{i}"), channel, contacts[channel])
        answers[who] = api_subscribe(Client(REMOTE_ADDR="10.0.2.1"), channel, contacts[channel])

    assert answers["subscribed"].status_code == answers["stranger"].status_code == 202


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_only_a_subscribed_contact_gets_the_manage_link(
    channel: str, console_outbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for contacts in (SUBSCRIBED, STRANGER):
        with django_capture_on_commit_callbacks(execute=True):
            manage_request(Client(), channel, contacts[channel])

    (sent,) = console_outbox
    assert sent.address == SUBSCRIBED[channel]
    assert "/alerts/manage/" in sent.text
