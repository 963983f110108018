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
