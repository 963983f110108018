"""``{% rights_box language %}``: the essentials of "your rights at the door" in an
alert's language, for pages of other apps (the alert page) that must not import the
library."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import Http404

from vecinos.library import queries
from vecinos.library.pages import LABELS, LANGUAGES, RTL

register = template.Library()


@register.inclusion_tag("library/rights_box.html", takes_context=True)
def rights_box(context: Any, language: str) -> dict[str, Any]:
    lang = language if language in LANGUAGES else "en"
    try:
        shown = queries.page_in("door", lang)
    except Http404:  # no such page yet (a fresh database): the links only
        shown = None
    return {
        "lang": lang,
        "shown": shown,
        "labels": LABELS.get(shown.translation.language if shown else lang, LABELS["en"]),
        "rtl": bool(shown and shown.translation.language in RTL),
        "LANGUAGE_CODE": context.get("LANGUAGE_CODE", "en"),
    }
