"""Periodic work of the organizing app; safe to overlap with itself (every row is
claimed by a conditional update)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vecinos.organizing import reminders


@db_periodic_task(crontab(minute="*"))
def queue_reminders() -> dict[str, int]:
    """Every minute: event and shift reminders due, uncovered shifts flagged."""
    return reminders.queue_due()
