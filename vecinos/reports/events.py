"""The incident timeline: one row per state change, and a live update after commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vecinos.accounts.models import User
from vecinos.core import live
from vecinos.reports.models import Incident, IncidentEvent

LIVE_CHANNEL = "incidents"


def record_event(
    incident: Incident,
    type: str,
    *,
    actor: User | None = None,
    **data: Any,
) -> IncidentEvent:
    """Write the timeline row now; tell the consoles once the transaction commits."""
    event = IncidentEvent.objects.create(incident=incident, type=type, actor=actor, data=data)
    incident_id = str(incident.id)
    transaction.on_commit(
        lambda: live.publish(
            LIVE_CHANNEL, {"incident": incident_id, "type": type, "event": event.pk}
        )
    )
    return event
