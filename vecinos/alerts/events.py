"""The alert timeline: one ``AlertEvent`` row per state change, and a live update to
the consoles after commit (the incident's channel: an alert is shown on its incident)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vecinos.accounts.models import User
from vecinos.alerts.models import Alert, AlertEvent
from vecinos.core import live
from vecinos.reports.events import LIVE_CHANNEL


def record_event(alert: Alert, type: str, *, actor: User | None, **data: Any) -> AlertEvent:
    """The alert's timeline row now; a live update to the consoles after commit."""
    event = AlertEvent.objects.create(alert=alert, type=type, actor=actor, data=data)
    incident_id = str(alert.incident_id)
    transaction.on_commit(
        lambda: live.publish(LIVE_CHANNEL, {"incident": incident_id, "type": f"alert_{type}"})
    )
    return event
