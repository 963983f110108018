"""The library's pages: public reading (no JavaScript needed), printable cards, the
family plan, the offline service worker, and the editors' pages."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_safe

from vecinos.accounts.access import acting_user
from vecinos.library import actions, queries
from vecinos.library.forms import TranslationForm, sections_to_text
from vecinos.library.models import Revision
from vecinos.library.pages import EVERY_LANGUAGE, LABELS, LANGUAGES, PAGES, RTL

PUBLIC_MAX_AGE = 300
SERVICE_WORKER = Path(__file__).resolve().parent / "static" / "library" / "offline-sw.js"


def _visitor_language(request: HttpRequest) -> str:
    from vecinos.alerts.views import visitor_language

    return visitor_language(request)


def _language_links(path_for: object, codes: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    return [(code, name, path_for(code)) for code, name in codes]  # type: ignore[operator]


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """``/rights/``: the library in the visitor's language (``?lang=`` or the browser's)."""
    response = HttpResponseRedirect(reverse("library_language", args=[_visitor_language(request)]))
    # The answer depends on the browser's languages: no cache may keep one for all.
    response["Vary"] = "Accept-Language, Cookie"
    response["Cache-Control"] = "private, no-cache"
    return response


@require_safe
@cache_control(max_age=PUBLIC_MAX_AGE)
def language_index(request: HttpRequest, lang: str) -> HttpResponse:
    shown = queries.index_in(lang)
    return render(
        request,
        "library/index.html",
        {
            "lang": lang,
            "rtl": lang in RTL,
            "language_name": LANGUAGES[lang],
            "pages": shown,
            "languages": _language_links(
                lambda code: reverse("library_language", args=[code]), list(LANGUAGES.items())
            ),
            "has_card": any(
                s.translation.page.slug == "red-card" and not s.fallback for s in shown
            ),
            "committees": _committees_with_hotlines(),
        },
    )


@require_safe
@cache_control(max_age=PUBLIC_MAX_AGE)
def page(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    shown = queries.page_in(slug, lang)
    translation = shown.translation
    return render(
        request,
        "library/page.html",
        {
            "lang": lang,
            "shown": shown,
            "translation": translation,
            "slug": slug,
            "labels": LABELS.get(translation.language, LABELS["en"]),
            "rtl": shown.rtl,
            "languages": _language_links(
                lambda code: reverse("library_page", args=[code, slug]), queries.languages_of(slug)
            ),
            "every_language": slug in EVERY_LANGUAGE,
            "may_edit": queries.may_edit(request.user),
        },
    )


def _committees_with_hotlines() -> list[tuple[str, str]]:
    from vecinos.committees.models import Committee

    return list(
        Committee.objects.filter(hotlines__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )


def _committee(request: HttpRequest) -> str:
    """``?committee=<slug>``: print that committee's hotline instead of the network's."""
    slug = request.GET.get("committee", "")
    return slug if isinstance(slug, str) and len(slug) <= 120 else ""


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    return response


@require_safe
def card_pdf(request: HttpRequest, lang: str) -> HttpResponse:
    """One red card, front (in ``lang``) and back (to the agent, in English)."""
    from vecinos.library import printing

    card = printing.card_for(lang, committee=_committee(request))
    return _pdf(printing.card_pdf(card), f"red-card-{lang}.pdf")


@require_safe
def card_sheet_pdf(request: HttpRequest, lang: str) -> HttpResponse:
    """Cards to cut: ``?paper=letter`` (default) or ``a4``; fronts on odd pages, backs
    on even pages, mirrored for double-sided printing; crop marks at every cut."""
    from vecinos.library import printing

    paper = request.GET.get("paper", "letter")
    if paper not in printing.PAPERS:
        return HttpResponse(
            _("Unknown paper size: choose letter or a4."), status=400, content_type="text/plain"
        )
    card = printing.card_for(lang, committee=_committee(request))
    return _pdf(printing.sheet_pdf(card, paper=paper), f"red-cards-{lang}-{paper}.pdf")


@require_safe
def flyer_pdf(request: HttpRequest, lang: str) -> HttpResponse:
    """The "at the door" page as a one-page flyer."""
    from vecinos.library import printing

    shown = queries.page_in("door", lang)
    pdf = printing.flyer_pdf(shown.translation, committee=_committee(request))
    return _pdf(pdf, f"rights-at-the-door-{lang}.pdf")


@require_safe
def plan(request: HttpRequest) -> HttpResponse:
    """The family plan: written, encrypted and kept in the browser; the server only
    sends the empty page and its script."""
    response = render(request, "library/plan.html", {})
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/rights/sw.js``: the library's offline cache. Its scope is ``/rights/`` only, so
    it sits beside the site's push worker (``/sw.js``) without replacing it."""
    response = HttpResponse(
        SERVICE_WORKER.read_bytes(), content_type="application/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    return response


# Editors ------------------------------------------------------------------------------


@login_required
@require_safe
def edit_list(request: HttpRequest) -> HttpResponse:
    if not queries.may_edit(request.user):
        raise Http404
    from vecinos.library.models import Translation

    rows = list(
        Translation.objects.select_related("page", "updated_by").order_by(
            "page__position", "language"
        )
    )
    for row in rows:
        row.label = PAGES.get(row.page.slug, row.page.slug)  # type: ignore[attr-defined]
    return render(
        request,
        "library/edit_list.html",
        {
            "translations": rows,
            "missing": queries.missing_translations(),
            "pages": PAGES,
            "languages": LANGUAGES,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, slug: str, lang: str) -> HttpResponse:
    user = acting_user(request)
    translation = queries.get_translation_for_user(user, slug, lang)
    if request.method == "POST":
        form = TranslationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            actions.edit_translation(
                translation=translation,
                title=data["title"],
                summary=data["summary"],
                sections=data["body"],
                reviewed=data["reviewed"],
                reviewer=data["reviewer"].strip(),
                reviewed_on=data["reviewed_on"],
                note=data["note"],
                actor=user,
            )
            return HttpResponseRedirect(reverse("library_page", args=[lang, slug]))
        status = 400
    else:
        form = TranslationForm(
            initial={
                "title": translation.title,
                "summary": translation.summary,
                "body": sections_to_text(translation.sections) if translation.sections else "",
                "reviewed": translation.reviewed,
                "reviewer": translation.reviewer,
                "reviewed_on": translation.reviewed_on,
            }
        )
        status = 200
    return render(
        request,
        "library/edit.html",
        {
            "form": form,
            "translation": translation,
            "slug": slug,
            "lang": lang,
            "language_name": LANGUAGES[lang],
            "rtl": lang in RTL,
        },
        status=status,
    )


@login_required
@require_safe
def history(request: HttpRequest, slug: str, lang: str) -> HttpResponse:
    translation = queries.get_translation_for_user(request.user, slug, lang)
    revisions = (
        Revision.objects.filter(translation=translation).select_related("saved_by")
        if translation.pk
        else Revision.objects.none()
    )
    return render(
        request,
        "library/history.html",
        {"translation": translation, "revisions": revisions, "slug": slug, "lang": lang},
    )
