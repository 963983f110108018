"""Retention of what delivery keeps about people (docs/privacy.md), run by
``vecinos purge`` and the hourly job: reporters' numbers (``ReporterContact``) are
deleted ``REPORT_RETENTION`` days after the report came in, the day its text is purged.
One indexed delete; running twice does nothing more."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from vecinos.core.retention import retention_job
from vecinos.delivery.models import ReporterContact


def purge_reporter_contacts(now: datetime) -> int:
    cutoff = now - timedelta(days=settings.REPORT_RETENTION)
    deleted, _details = ReporterContact.objects.filter(created_at__lt=cutoff).delete()
    return int(deleted)


@retention_job("reporter_contacts")
def run(now: datetime) -> dict[str, int]:
    return {"reporter_contacts_deleted": purge_reporter_contacts(now)}
