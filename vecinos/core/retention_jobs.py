"""Retention jobs of the foundation that belong to no app of ours.

Imported from ``CoreConfig.ready()`` so that ``vecinos purge`` and the hourly task
always see them.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.sessions.models import Session

from vecinos.core.retention import retention_job


@retention_job("sessions")
def purge_sessions(now: datetime) -> dict[str, int]:
    """Delete expired sign-in sessions (Django keeps them until someone clears them).
    One indexed delete on ``expire_date``: idempotent and safe to overlap."""
    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    return {"sessions_deleted": deleted}
