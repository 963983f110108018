"""The case timeline and audit log: one ``CaseEvent`` row per change, view or export.
Nothing of a case is published live (no console listens to cases)."""

from __future__ import annotations

from typing import Any

from vecinos.accounts.access import recorded_actor
from vecinos.cases.models import Case, CaseEvent


def record_event(
    case: Case, type: str, *, actor: Any = None, note: str = "", **data: Any
) -> CaseEvent:
    """Write the row. ``data`` holds states and ids only; free text goes in ``note``
    (encrypted)."""
    return CaseEvent.objects.create(
        case=case,
        type=type,
        actor=recorded_actor(actor),
        note=note,
        data=data,
    )
