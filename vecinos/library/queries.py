"""Reads of the library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from vecinos.library.models import Page, Translation
from vecinos.library.pages import COMPLETE_LANGUAGES, DEFAULT_LANGUAGE, LANGUAGES, RTL


def may_edit(user: Any) -> bool:
    """Admins and coordinators write the library."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_coordinator)


@dataclass(frozen=True)
class Shown:
    """A page as a reader gets it: the translation asked for, or the fallback when the
    page does not exist in that language (``fallback`` says so)."""

    translation: Translation
    asked: str
    fallback: bool

    @property
    def rtl(self) -> bool:
        return self.translation.language in RTL


def page_in(slug: str, language: str) -> Shown:
    """The page ``slug`` in ``language``, else in English; 404 when neither exists."""
    found = {
        t.language: t
        for t in Translation.objects.select_related("page").filter(
            page__slug=slug, language__in={language, DEFAULT_LANGUAGE}
        )
    }
    if language in found:
        return Shown(found[language], language, fallback=False)
    if DEFAULT_LANGUAGE in found:
        return Shown(found[DEFAULT_LANGUAGE], language, fallback=True)
    raise Http404


def index_in(language: str) -> list[Shown]:
    """Every page, each in ``language`` where it exists, else in English."""
    chosen: dict[str, Translation] = {}
    fallback: dict[str, bool] = {}
    for t in Translation.objects.select_related("page").filter(
        language__in={language, DEFAULT_LANGUAGE}
    ):
        if t.language == language or t.page.slug not in chosen:
            chosen[t.page.slug] = t
            fallback[t.page.slug] = t.language != language
    pages = Page.objects.order_by("position", "slug").values_list("slug", flat=True)
    return [Shown(chosen[s], language, fallback[s]) for s in pages if s in chosen]


def languages_of(slug: str) -> list[tuple[str, str]]:
    """(code, name) of the languages page ``slug`` exists in, in the alerts' order."""
    have = set(Translation.objects.filter(page__slug=slug).values_list("language", flat=True))
    return [(code, name) for code, name in LANGUAGES.items() if code in have]


def get_translation_for_user(user: Any, slug: str, language: str) -> Translation:
    """A translation an editor may change; 404 for everyone else and for what does not
    exist (a new language of an existing page is created by ``edit_translation``)."""
    if not may_edit(user) or language not in LANGUAGES:
        raise Http404
    translation = (
        Translation.objects.select_related("page").filter(page__slug=slug, language=language)
    ).first()
    if translation is None:
        page = Page.objects.filter(slug=slug).first()
        if page is None:
            raise Http404
        return Translation(page=page, language=language, version=0)
    return translation


def missing_translations() -> list[tuple[str, str]]:
    """(slug, language) of pages that every installation must have but this one lacks."""
    from vecinos.library.pages import EVERY_LANGUAGE

    have = set(Translation.objects.values_list("page__slug", "language"))
    wanted = [(slug, code) for slug in EVERY_LANGUAGE for code in LANGUAGES]
    wanted += [
        (slug, code)
        for slug in Page.objects.values_list("slug", flat=True)
        for code in COMPLETE_LANGUAGES
    ]
    return sorted({pair for pair in wanted if pair not in have})
