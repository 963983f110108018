"""The library's shipped text (vecinos/library/content/<language>.json), loaded into the
database by `vecinos migrate` (through ``post_migrate``) and by `vecinos loadlibrary`.

A translation nobody has edited here follows the shipped file: when a new release
changes the file, the next migrate saves the new text as a new version. A translation
someone edited in the web interface is left alone.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction

CONTENT = Path(__file__).resolve().parent / "content"


@cache
def shipped() -> dict[str, dict[str, Any]]:
    """language -> the parsed file."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(CONTENT.glob("*.json"))
    }


def load_shipped() -> dict[str, int]:
    """Create or follow every shipped translation; returns counts of what changed."""
    from vecinos.library.models import SHIPPED_NOTE, Page, Revision, Source, Translation
    from vecinos.library.pages import PAGES

    created = updated = 0
    with transaction.atomic():
        pages = {}
        for position, slug in enumerate(PAGES):
            page, _ = Page.objects.get_or_create(slug=slug, defaults={"position": position})
            pages[slug] = page
        existing = {
            (t.page.slug, t.language): t for t in Translation.objects.select_related("page")
        }
        for language, data in shipped().items():
            reviewed_on = date.fromisoformat(data["reviewed_on"]) if data["reviewed_on"] else None
            for slug, content in data["pages"].items():
                fields = {
                    "title": content["title"],
                    "summary": content.get("summary", ""),
                    "sections": content["sections"],
                    "reviewed": bool(data["reviewed"]),
                    "reviewer": data["reviewer"],
                    "reviewed_on": reviewed_on,
                }
                translation = existing.get((slug, language))
                if translation is None:
                    translation = Translation.objects.create(
                        page=pages[slug], language=language, version=1, **fields
                    )
                    created += 1
                elif translation.source == Source.SHIPPED and any(
                    getattr(translation, name) != value for name, value in fields.items()
                ):
                    for name, value in fields.items():
                        setattr(translation, name, value)
                    translation.version += 1
                    translation.save()
                    updated += 1
                else:
                    continue
                Revision.objects.create(
                    translation=translation,
                    version=translation.version,
                    note=SHIPPED_NOTE,
                    **fields,
                )
    return {"created": created, "updated": updated}


def load_after_migrate(**kwargs: Any) -> None:
    """``post_migrate`` receiver: once the library's tables exist, fill them."""
    from django.db import DEFAULT_DB_ALIAS

    if kwargs.get("using", DEFAULT_DB_ALIAS) != DEFAULT_DB_ALIAS:
        return
    load_shipped()
