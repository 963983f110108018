"""Writes of the library: every save keeps a version (``Revision``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from vecinos.library.models import Revision, Source, Translation


@transaction.atomic
def edit_translation(
    *,
    translation: Translation,
    title: str,
    summary: str,
    sections: list[dict[str, Any]],
    reviewed: bool,
    reviewer: str,
    reviewed_on: date | None,
    note: str = "",
    actor: Any,
) -> Translation:
    """Save new text for a translation (creating it if ``translation`` is unsaved) as
    its next version, and keep that version in the history."""
    if translation.pk is not None:
        translation = Translation.objects.select_for_update().get(pk=translation.pk)
    translation.title = title
    translation.summary = summary
    translation.sections = sections
    translation.reviewed = reviewed
    translation.reviewer = reviewer if reviewed else ""
    translation.reviewed_on = reviewed_on if reviewed else None
    translation.version = (translation.version or 0) + 1
    translation.source = Source.EDITED
    translation.updated_at = timezone.now()
    translation.updated_by = actor
    translation.save()
    Revision.objects.create(
        translation=translation,
        version=translation.version,
        title=translation.title,
        summary=translation.summary,
        sections=translation.sections,
        reviewed=translation.reviewed,
        reviewer=translation.reviewer,
        reviewed_on=translation.reviewed_on,
        saved_at=translation.updated_at,
        saved_by=actor,
        note=note,
    )
    return translation
