"""Periodic work on incidents: close the quiet ones, expire unanswered dispatches.

Each task takes ids, re-fetches each row and calls an action that re-checks its
condition under a lock, so a task that runs twice (two workers, a retry) does no harm.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vecinos.reports import actions, queries
from vecinos.reports.models import Dispatch, Incident


@db_periodic_task(crontab(minute="*/5"))
def close_quiet_incidents() -> int:
    """Every five minutes: close incidents with no news for INCIDENT_QUIET_HOURS."""
    now = timezone.now()
    ids = queries.quiet_incident_ids(now, quiet_hours=settings.INCIDENT_QUIET_HOURS)
    return sum(
        actions.close_quiet_incident(incident=incident, now=now)
        for incident in Incident.objects.filter(pk__in=ids)
    )


@db_periodic_task(crontab(minute="*"))
def expire_dispatches() -> int:
    """Every minute: expire requests not acknowledged within DISPATCH_ACK_MINUTES."""
    now = timezone.now()
    ids = queries.overdue_dispatch_ids(now)
    return sum(
        actions.expire_dispatch(dispatch=dispatch, now=now)
        for dispatch in Dispatch.objects.filter(pk__in=ids)
    )
