"""The accounts audit log: one ``AccountEvent`` row per change to a person's access,
written only through ``record_event`` (as every app writes its history through its own
``events.py``)."""

from __future__ import annotations

from typing import Any

from vecinos.accounts.models import AccountEvent, User


def record_event(type: str, *, user: User | None, actor: User | None, **data: Any) -> AccountEvent:
    """The row for a change to ``user``'s access made by ``actor`` (None: the operator
    at the command line). ``data`` never holds an address or a secret."""
    return AccountEvent.objects.create(type=type, user=user, actor=actor, data=data)
