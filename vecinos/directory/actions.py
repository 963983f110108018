"""Writes of the directory."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from vecinos.directory import csvio
from vecinos.directory.events import record_event
from vecinos.directory.models import EventKind, Organization


@transaction.atomic
def import_organizations(*, data: bytes, actor: Any) -> dict[str, int]:
    """Create or update organizations from a CSV file (``csvio``), all or nothing:
    raises ``csvio.ImportError_`` before writing anything when a row is bad."""
    rows = csvio.parse_csv(data)
    existing = {o.slug: o for o in Organization.objects.select_for_update()}
    created = updated = 0
    now = timezone.now()
    for row in rows:
        organization = existing.get(row.values["slug"])
        if organization is None:
            organization = Organization.objects.create(**row.values, created_at=now, updated_at=now)
            created += 1
            kind = EventKind.CREATED
        else:
            for name, value in row.values.items():
                setattr(organization, name, value)
            organization.updated_at = now
            organization.save()
            updated += 1
            kind = EventKind.UPDATED
        record_event(kind=kind, organization=organization, actor=actor, line=row.line, source="csv")
    record_event(
        kind=EventKind.IMPORTED, organization=None, actor=actor, created=created, updated=updated
    )
    return {"created": created, "updated": updated}


@transaction.atomic
def mark_checked(*, organization: Organization, actor: Any, on: date | None = None) -> Organization:
    """Someone confirmed the entry is still right."""
    organization.last_checked = on or timezone.localdate()
    organization.updated_at = timezone.now()
    organization.save(update_fields=["last_checked", "updated_at"])
    record_event(kind=EventKind.CHECKED, organization=organization, actor=actor)
    return organization
