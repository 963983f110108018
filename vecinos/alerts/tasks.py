"""Worker tasks of alerts. (The messages of subscriptions, codes and manage links, are
sent by vecinos/delivery/tasks.py, through hooks: delivery sits above alerts.)"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vecinos.alerts import actions


@db_periodic_task(crontab(minute="*"))
def expire_alerts() -> int:
    """Every minute: published alerts past their time in force become expired."""
    return actions.expire_alerts()
