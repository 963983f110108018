"""Worker tasks of the delivery outbox. Each takes plain values, re-reads what it needs
and calls one function; each may run twice without harm (work is claimed in the table)."""

from __future__ import annotations

import math
import uuid
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from vecinos.alerts import subscriptions
from vecinos.delivery import outbox, send


@db_task(priority=10)
def deliver(channel: str) -> int:
    """Drain the outbox of one channel for a slice (then hand over to a fresh task);
    come back for the earliest retry it left behind."""
    return outbox.drain(channel=channel, wake_at=_wake_at, hand_over=_hand_over)


def _hand_over(channel: str) -> None:
    """The rest of a channel's backlog, for the task at the back of the queue."""
    deliver(channel)


def _wake_at(channel: str, when: datetime) -> None:
    delay = max(1.0, (when - timezone.now()).total_seconds())
    deliver.schedule(args=(channel,), delay=delay)


# Worker tasks woken per channel at most: each one drains until nothing is due, so a
# few in parallel keep every worker thread busy without flooding the queue.
MAX_WAKE_TASKS = 8


def wake_workers(*, alert_id: uuid.UUID, rows: int) -> None:
    """Enqueue the worker tasks for an alert's new delivery rows (after commit only;
    ``hooks.deliveries_waiting``, rung by ``vecinos.alerts.fanout``)."""
    if rows <= 0:
        return
    tasks_per_channel = min(MAX_WAKE_TASKS, math.ceil(rows / settings.DELIVERY_BATCH_SIZE))
    for channel in outbox.CHANNELS:
        for _ in range(tasks_per_channel):
            deliver(channel)


def wake_channels(rows: dict[str, int]) -> None:
    """Enqueue worker tasks for new delivery rows of other kinds (an event reminder),
    ``{channel: rows}``, after commit only."""
    for channel, count in rows.items():
        for _ in range(min(MAX_WAKE_TASKS, math.ceil(count / settings.DELIVERY_BATCH_SIZE))):
            deliver(channel)


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    """Every minute: rings for the channels with rows due (a retry time came, a claim
    whose worker died), one ``deliver`` task each, rather than draining them in this
    thread one after the other (an SMS backlog would hold it for minutes)."""
    channels = outbox.due_channels()
    for channel in channels:
        deliver(channel)
    return len(channels)


@db_task(priority=20, retries=5, retry_delay=30)
def send_message(channel: str, sealed: str, subject: str, text: str, key: str, url: str) -> None:
    """A transactional message (code, dispatch request, reply); retried if transient."""
    send.deliver_transactional(
        channel=channel, sealed=sealed, subject=subject, text=text, key=key, url=url
    )


def send_transactional(
    *, channel: str, address: str | dict[str, object], subject: str, text: str, url: str = ""
) -> None:
    """Send one message to one contact, after the current transaction commits."""
    if channel not in send.CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    key = "t" + uuid.uuid4().hex
    sealed = send.seal(address)
    transaction.on_commit(lambda: send_message(channel, sealed, str(subject), str(text), key, url))


# Messages whose secret is made when the task runs -----------------------------------------
# These tasks carry ids (or a contact sealed for the queue), never a code or a working
# link: the queue (huey.sqlite3 and its WAL, or Redis) never holds one.


def _send(message: subscriptions.Message | None) -> None:
    if message is not None:
        send.send_now(
            channel=message.channel,
            address=message.address,
            subject=message.subject,
            text=message.text,
            key=message.key,
        )


@db_task(priority=20, retries=5, retry_delay=30)
def send_subscription_code(subscription_id: str) -> None:
    """The confirmation code of a pending subscription, derived again here."""
    _send(subscriptions.code_message_of(subscription_id))


@db_task(priority=20, retries=5, retry_delay=30)
def send_manage_link(channel: str, sealed: str, language: str) -> None:
    """The manage link of a contact, made here, if it has anything to manage."""
    _send(subscriptions.manage_link_message(channel=channel, sealed=sealed, language=language))


def subscription_code_requested(subscription_id: str) -> None:
    send_subscription_code(subscription_id)


def manage_link_requested(*, channel: str, sealed: str, language: str) -> None:
    send_manage_link(channel, sealed, language)


@db_task(priority=20, retries=5, retry_delay=30)
def send_responder_code(
    user_id: int, channel: str, sealed: str, contact_hash: str, expires_at: str, language: str
) -> None:
    """A responder's contact code: derived again here, never carried by the queue."""
    from vecinos.delivery import responders

    responders.deliver_responder_code(
        user_id=user_id,
        channel=channel,
        sealed=sealed,
        contact_hash=contact_hash,
        expires_at=expires_at,
        language=language,
    )
