"""Worker tasks of alerts and subscriptions. Each carries ids (or a contact sealed for the queue),
never a code or a working link: those are derived or made when the task runs, so the
queue (a SQLite file and its WAL, or Redis) never holds one."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from vecinos.alerts import actions, subscriptions


@db_task(priority=20, retries=5, retry_delay=30)
def send_subscription_code(subscription_id: str) -> None:
    """Send the confirmation code of a pending subscription (derived again here)."""
    subscriptions.deliver_code(subscription_id=subscription_id)


@db_task(priority=20, retries=5, retry_delay=30)
def send_manage_link(channel: str, sealed: str, language: str) -> None:
    """Send the manage link to a contact, if it has anything to manage."""
    subscriptions.deliver_manage_link(channel=channel, sealed=sealed, language=language)


@db_periodic_task(crontab(minute="*"))
def expire_alerts() -> int:
    """Every minute: published alerts past their time in force become expired."""
    return actions.expire_alerts()
