"""The directory's pages: the public search (no JavaScript), the hotlines, and the
admins' CSV import and export and list of entries to check."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vecinos.accounts.access import acting_user
from vecinos.alerts.phrases import BOOKS
from vecinos.directory import actions, csvio, queries
from vecinos.directory.forms import ImportForm, SearchForm
from vecinos.directory.models import Organization, Service

PUBLIC_MAX_AGE = 300


def _admin(request: HttpRequest) -> None:
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_admin):
        raise Http404


@require_safe
@cache_control(max_age=PUBLIC_MAX_AGE)
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None if form.is_bound else queries.search()
    status = 200
    if form.is_bound:
        if form.is_valid():
            results = queries.search(
                zip_code=form.cleaned_data["zip"],
                language=form.cleaned_data["language"],
                service=form.cleaned_data["service"],
            )
        else:
            status = 400
    return render(
        request,
        "directory/search.html",
        {
            "form": form,
            "results": results,
            "services": dict(Service.choices),
            "language_names": {code: book.name for code, book in BOOKS.items()},
            "committee_hotlines": queries.committee_hotlines(),
        },
        status=status,
    )


@login_required
@require_safe
def manage(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return _manage_page(request, ImportForm())


def _manage_page(
    request: HttpRequest,
    form: ImportForm,
    errors: list[tuple[int, str]] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """The directory's admin page: every organization, the stale ones, the import form
    (with its ``errors`` after a refused file)."""
    context: dict[str, Any] = {
        "organizations": Organization.objects.order_by("name"),
        "stale": queries.stale_organizations(),
        "stale_before": queries.stale_before(),
        "form": form,
        "columns": csvio.COLUMNS,
        "services": Service.values,
    }
    if errors is not None:
        context["errors"] = errors
    return render(request, "directory/manage.html", context, status=status)


@login_required
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    _admin(request)
    response = HttpResponse(
        csvio.export_csv(list(Organization.objects.order_by("name"))),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="legal-aid-{stamp}.csv"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_csv(request: HttpRequest) -> HttpResponse:
    _admin(request)
    if request.method != "POST":
        return HttpResponseRedirect(reverse("directory_manage"))
    form = ImportForm(request.POST, request.FILES)
    errors: list[tuple[int, str]] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > csvio.MAX_BYTES:
            errors = [(0, _("The file is larger than 2 MB."))]
        else:
            try:
                counts = actions.import_organizations(
                    data=upload.read(), actor=acting_user(request)
                )
            except csvio.ImportError_ as error:
                errors = error.errors
            else:
                from django.contrib import messages

                messages.success(
                    request,
                    _("Imported: %(created)s new, %(updated)s updated.") % counts,
                )
                return HttpResponseRedirect(reverse("directory_manage"))
    return _manage_page(request, form, errors, status=400)


@login_required
@require_POST
def mark_checked(request: HttpRequest, slug: str) -> HttpResponse:
    _admin(request)
    organization = queries.get_organization(slug)
    if organization is None:
        raise Http404
    actions.mark_checked(organization=organization, actor=acting_user(request))
    return HttpResponseRedirect(reverse("directory_manage"))
