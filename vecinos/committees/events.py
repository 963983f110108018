"""The one way committee history is written: ``record_event`` (a ``CommitteeEvent``
row per state change: who, what, whom, when)."""

from __future__ import annotations

from typing import Any

from vecinos.accounts.access import recorded_actor
from vecinos.accounts.models import User
from vecinos.committees.models import Committee, CommitteeEvent


class EventType:
    CREATED = "created"
    UPDATED = "updated"
    AREA_SET = "area_set"
    COORDINATOR_NAMED = "coordinator_named"
    ROLE_CHANGED = "role_changed"
    JOIN_REQUESTED = "join_requested"
    VOUCHED = "vouched"
    APPROVED = "approved"
    DECLINED = "declined"
    INVITE_CREATED = "invite_created"
    INVITE_REVOKED = "invite_revoked"
    INVITE_USED = "invite_used"
    JOINED = "joined"
    LEFT = "left"
    REMOVED = "removed"
    DEACTIVATED = "member_deactivated"
    ANNOUNCED = "announced"
    TASK_CREATED = "task_created"
    TASK_UPDATED = "task_updated"
    CONTACTS_EXPORTED = "contacts_exported"


def record_event(
    committee: Committee,
    type: str,
    *,
    actor: User | None,
    subject: User | None = None,
    **data: Any,
) -> CommitteeEvent:
    """Write one history row. ``data`` holds ids, roles and counts, never a contact."""
    return CommitteeEvent.objects.create(
        committee=committee,
        type=type,
        actor=recorded_actor(actor),
        subject=subject,
        data=data,
    )
