"""Transactional messages (codes, manage links, dispatch requests, replies): queued after
commit, the contact encrypted while it waits in the queue, sent by the same transports."""

from __future__ import annotations

from typing import Any

import pytest

from vecinos.delivery import send, tasks
from vecinos.delivery.tasks import send_transactional
from vecinos.delivery.transports import TransportError


def test_a_code_is_sent_after_commit(
    console_outbox: Any, django_capture_on_commit_callbacks: Any, db: None
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_transactional(
            channel="sms", address="+12135550190", subject="", text="Your code is 123456"
        )
    assert len(console_outbox) == 0
    for callback in callbacks:
        callback()
    [sent] = console_outbox
    assert (sent.address, sent.text) == ("+12135550190", "Your code is 123456")


def test_the_contact_waits_in_the_queue_encrypted(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any, db: None
) -> None:
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks, "send_message", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        send_transactional(channel="email", address="ana@example.org", subject="s", text="t")
        send_transactional(
            channel="webpush",
            address={"endpoint": "https://push.example.net/abc", "keys": {"auth": "x"}},
            subject="s",
            text="t",
        )
    assert len(queued) == 2
    for args in queued:
        assert "ana@example.org" not in repr(args)
        assert "push.example.net" not in repr(args)
    assert send.unseal("email", queued[0][1]) == "ana@example.org"
    assert send.unseal("webpush", queued[1][1])["endpoint"] == "https://push.example.net/abc"


def test_a_code_reaches_the_sms_provider(
    twilio_server: Any, django_capture_on_commit_callbacks: Any, db: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_transactional(channel="sms", address="+12135550191", subject="", text="Code 654321")
    [message] = twilio_server.messages
    assert (message.to, message.body) == ("+12135550191", "Code 654321")


def test_a_code_reaches_the_smtp_server(
    smtp_server: Any, django_capture_on_commit_callbacks: Any, db: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_transactional(
            channel="email", address="ana@example.org", subject="Your code", text="Code 654321"
        )
    [received] = smtp_server.received
    assert received.message["Subject"] == "Your code"
    assert "List-Unsubscribe" not in received.message  # nothing to unsubscribe from


def test_a_transient_failure_raises_so_the_task_is_retried(twilio_server: Any) -> None:
    twilio_server.fail["+12135550192"] = (503, 0)
    with pytest.raises(TransportError):
        send.deliver_transactional(
            channel="sms", sealed=send.seal("+12135550192"), subject="", text="x", key="t1"
        )


def test_a_permanent_failure_is_dropped(twilio_server: Any) -> None:
    twilio_server.fail["+12135550193"] = (400, 21211)
    assert (
        send.deliver_transactional(
            channel="sms", sealed=send.seal("+12135550193"), subject="", text="x", key="t2"
        )
        is None
    )


def test_an_unknown_channel_is_refused() -> None:
    with pytest.raises(ValueError, match="fax"):
        send_transactional(channel="fax", address="x", subject="", text="")
