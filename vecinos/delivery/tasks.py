"""Worker tasks of the delivery outbox. Each takes plain values, re-reads what it needs
and calls one function; each may run twice without harm (work is claimed in the table)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from vecinos.delivery import outbox, send


@db_task(priority=10)
def deliver(channel: str) -> int:
    """Drain the outbox of one channel until nothing is due."""
    return outbox.drain(channel=channel)


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    """Every minute: rows whose retry time came, and claims whose worker died."""
    return sum(outbox.drain(channel=channel) for channel in outbox.CHANNELS)


@db_task(priority=20, retries=5, retry_delay=30)
def send_message(channel: str, sealed: str, subject: str, text: str, key: str, url: str) -> None:
    """A transactional message (code, dispatch request, reply); retried if transient."""
    send.deliver_transactional(
        channel=channel, sealed=sealed, subject=subject, text=text, key=key, url=url
    )


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
