"""The organizing history: one row per state change (``OrganizingEvent``)."""

from __future__ import annotations

from typing import Any

from vecinos.accounts.access import recorded_actor
from vecinos.accounts.models import User
from vecinos.committees.models import Committee
from vecinos.organizing.models import OrganizingEvent


def record_event(
    committee: Committee | int,
    type: str,
    *,
    actor: User | None,
    subject: User | None = None,
    **data: Any,
) -> OrganizingEvent:
    committee_id = committee if isinstance(committee, int) else committee.pk
    return OrganizingEvent.objects.create(
        committee_id=committee_id,
        type=type,
        actor=recorded_actor(actor),
        subject=subject,
        data=data,
    )
