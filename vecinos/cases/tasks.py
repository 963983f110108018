"""Periodic jobs of cases; each may run twice without harm (work is claimed in the table)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vecinos.cases import actions


@db_periodic_task(crontab(minute="*/15"))
def remind_hearings() -> int:
    """Every quarter hour: reminders to families a week and a day before a hearing."""
    return actions.remind_hearings()


@db_periodic_task(crontab(minute="*/15"))
def follow_up_referrals() -> int:
    """Every quarter hour: a task for each referral still unanswered at its follow-up time."""
    return actions.follow_up_referrals()
