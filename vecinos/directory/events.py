from __future__ import annotations

from typing import Any

from vecinos.directory.models import DirectoryEvent, Organization


def record_event(
    *, kind: str, organization: Organization | None, actor: Any, **detail: Any
) -> DirectoryEvent:
    return DirectoryEvent.objects.create(
        kind=kind, organization=organization, actor=actor, detail=detail
    )
