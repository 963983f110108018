"""Live updates: the in-process broker, the Redis pub/sub broker, and the console's
Server-Sent-Events stream on top of them.

The Redis tests use ``VECINOS_TEST_REDIS_URL``, else ``REDIS_URL``, else database 13
on the local server. They skip when Redis is not running, except in CI (``CI=true``),
where a missing Redis is a failure.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator

import pytest
from django.test import Client

from tests.conftest import reachable_redis, signed_in
from tests.factories import make_incident
from vecinos.accounts.models import User
from vecinos.core import live
from vecinos.reports import actions
from vecinos.reports.events import LIVE_CHANNEL
from vecinos.reports.views_console import _Slot, event_stream

TEST_REDIS_URL = (
    os.environ.get("VECINOS_TEST_REDIS_URL")
    or os.environ.get("REDIS_URL")
    or "redis://127.0.0.1:6379/13"
)


@pytest.fixture(params=["memory", "redis"])
def broker(request: pytest.FixtureRequest, settings) -> Iterator[str]:
    """Each test runs once on the in-process broker and once on Redis."""
    if request.param == "memory":
        settings.REDIS_URL = ""
    else:
        settings.REDIS_URL = redis_url()
    yield request.param


def redis_url() -> str:
    return reachable_redis(TEST_REDIS_URL)


def channel() -> str:
    return f"test-{uuid.uuid4().hex}"


# The brokers ----------------------------------------------------------------------------------


def test_a_subscriber_hears_what_is_published_after_it_subscribed(broker: str) -> None:
    name = channel()
    with live.subscribe(name, timeout=5) as subscription:
        live.publish(name, {"incident": "abc", "type": "opened"})
        assert json.loads(next(subscription)) == {"incident": "abc", "type": "opened"}  # type: ignore[arg-type]


def test_every_subscriber_hears_every_event_in_order(broker: str) -> None:
    name = channel()
    with live.subscribe(name, timeout=5) as one, live.subscribe(name, timeout=5) as two:
        for n in range(3):
            live.publish(name, {"n": n})
        assert [json.loads(next(one))["n"] for _ in range(3)] == [0, 1, 2]  # type: ignore[arg-type]
        assert [json.loads(next(two))["n"] for _ in range(3)] == [0, 1, 2]  # type: ignore[arg-type]


def test_a_batch_of_events_is_heard_whole_and_in_order(broker: str) -> None:
    name = channel()
    with live.subscribe(name, timeout=5) as subscription:
        live.publish_many(name, [{"n": n} for n in range(5)])
        live.publish_many(name, [{"n": 5}])
        live.publish_many(name, [])
        assert [json.loads(next(subscription))["n"] for _ in range(6)] == [0, 1, 2, 3, 4, 5]  # type: ignore[arg-type]


def test_channels_are_separate(broker: str) -> None:
    mine, other = channel(), channel()
    with live.subscribe(mine, timeout=0.2) as subscription:
        live.publish(other, {"for": "someone else"})
        live.publish(mine, {"for": "me"})
        assert json.loads(next(subscription)) == {"for": "me"}  # type: ignore[arg-type]


def test_a_quiet_channel_yields_a_keep_alive(broker: str) -> None:
    with live.subscribe(channel(), timeout=0.05) as subscription:
        assert next(subscription) is None


def test_publishing_to_nobody_is_harmless(broker: str) -> None:
    live.publish(channel(), {"type": "opened"})


def test_closing_a_subscription_stops_delivery(settings) -> None:
    settings.REDIS_URL = ""
    name = channel()
    subscription = live.subscribe(name, timeout=0.05)
    assert live.local_subscriber_count(name) == 1
    subscription.close()
    subscription.close()  # twice: harmless
    assert live.local_subscriber_count(name) == 0


def test_redis_channels_are_namespaced_by_database(settings) -> None:
    settings.REDIS_URL = redis_url()
    db = int(TEST_REDIS_URL.rsplit("/", 1)[1]) if TEST_REDIS_URL.rsplit("/", 1)[1] else 0
    assert live.redis_channel(settings.REDIS_URL, "incidents") == f"vecinos:{db}:live:incidents"


def test_a_redis_outage_never_fails_the_publisher(
    settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/13"  # nothing listens on port 1
    live.publish("incidents", {"type": "opened"})
    assert "live update not published" in caplog.text


def test_a_redis_outage_never_fails_a_batch_publisher(
    settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/13"
    live.publish_many("incidents", [{"type": "opened"}, {"type": "joined"}])
    assert "live updates not published" in caplog.text


def test_a_redis_outage_ends_the_subscription_instead_of_raising(settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/13"
    with live.subscribe("incidents", timeout=0.05) as subscription:
        assert list(subscription) == []


# The console stream ---------------------------------------------------------------------------


def test_the_stream_carries_incident_events_with_ids_and_types_only(broker: str) -> None:
    stream = event_stream(seconds=60, keepalive=5)
    try:
        assert next(stream).startswith("retry: ")
        live.publish(LIVE_CHANNEL, {"incident": "1234", "type": "verified", "event": 7})
        assert next(stream) == 'event: incident\ndata: {"incident":"1234","type":"verified"}\n\n'
    finally:
        stream.close()


def test_the_stream_sends_keep_alive_comments(broker: str) -> None:
    stream = event_stream(seconds=60, keepalive=0.05)
    try:
        next(stream)
        assert next(stream) == ": keep-alive\n\n"
    finally:
        stream.close()


def test_the_stream_ends_after_its_time_and_unsubscribes(settings) -> None:
    settings.REDIS_URL = ""
    # Counted against what was there before: a browser test's console stream may still
    # be open on its live server until its next keep-alive finds the page gone.
    before = live.local_subscriber_count(LIVE_CHANNEL)
    chunks = list(event_stream(seconds=0, keepalive=0.01))
    assert len(chunks) == 2  # the preamble, then one keep-alive, then the end
    assert live.local_subscriber_count(LIVE_CHANNEL) == before


def test_a_committed_action_reaches_the_stream(
    broker: str, dani: User, django_capture_on_commit_callbacks
) -> None:
    incident = make_incident()
    stream = event_stream(seconds=60, keepalive=5)
    try:
        next(stream)
        with django_capture_on_commit_callbacks(execute=True):
            actions.set_public_label(incident=incident, label="Soto St", actor=dani)
        data = json.loads(next(stream).split("data: ", 1)[1])
        assert data == {"incident": str(incident.pk), "type": "labelled"}
    finally:
        stream.close()


def test_a_dispatcher_reads_the_first_event_over_http(broker: str, dani: User) -> None:
    response = signed_in(dani).get("/console/stream")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Accel-Buffering"] == "no"
    assert "Content-Encoding" not in response
    chunks = iter(response.streaming_content)  # type: ignore[attr-defined]
    try:
        assert next(chunks).startswith(b"retry: ")
        live.publish(LIVE_CHANNEL, {"incident": "abcd", "type": "opened"})
        assert next(chunks) == b'event: incident\ndata: {"incident":"abcd","type":"opened"}\n\n'
    finally:
        response.close()


def test_the_stream_is_never_compressed(settings, dani: User) -> None:
    settings.REDIS_URL = ""
    response = signed_in(dani).get("/console/stream", headers={"Accept-Encoding": "gzip"})
    try:
        assert "Content-Encoding" not in response
    finally:
        response.close()


@pytest.mark.parametrize("who", ["rosa", "mara", "olga"])
def test_only_dispatchers_and_admins_hear_the_stream(
    settings, request: pytest.FixtureRequest, who: str
) -> None:
    settings.REDIS_URL = ""
    before = live.local_subscriber_count(LIVE_CHANNEL)
    response = signed_in(request.getfixturevalue(who)).get("/console/stream")
    assert response.status_code == 403
    assert live.local_subscriber_count(LIVE_CHANNEL) == before


def test_anonymous_visitors_are_sent_to_sign_in(settings, db: None) -> None:
    settings.REDIS_URL = ""
    response = Client().get("/console/stream")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_admin_hears_the_stream(settings, ana: User) -> None:
    settings.REDIS_URL = ""
    response = signed_in(ana).get("/console/stream")
    assert response.status_code == 200
    response.close()


# Stream slots: each open stream holds a server thread --------------------------------------


@pytest.fixture
def two_slots(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    settings.REDIS_URL = ""
    monkeypatch.setattr(live, "stream_limit", live.streams_open() + 2)


def test_a_console_beyond_the_process_streams_is_told_to_retry(two_slots: None, dani: User) -> None:
    first = signed_in(dani).get("/console/stream")
    second = signed_in(dani).get("/console/stream")
    third = signed_in(dani).get("/console/stream")
    try:
        assert (first.status_code, second.status_code) == (200, 200)
        assert third.status_code == 503
        assert int(third["Retry-After"]) > 0
        assert "retrying" in third.content.decode()
    finally:
        first.close()
        second.close()


def test_a_closed_stream_gives_its_slot_back_even_if_never_read(two_slots: None) -> None:
    # The server closes a response it never read (the client left at once).
    for _ in range(5):
        _Slot(event_stream(), live.claim_stream()).close()
    first = live.claim_stream()
    live.claim_stream()
    with pytest.raises(live.Busy):
        live.claim_stream()
    first()
    first()  # giving a slot back twice gives back one
    live.claim_stream()
    with pytest.raises(live.Busy):
        live.claim_stream()
