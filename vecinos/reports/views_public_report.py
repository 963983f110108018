"""The public report form (``/report``) and the thank-you page. Anonymous; works
without JavaScript; rate-limited per client like the API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from vecinos.core import ratelimit, service_area
from vecinos.core.request_size import too_large
from vecinos.reports import photos, sources, writer
from vecinos.reports.actions import NewReport
from vecinos.reports.forms import ReportForm
from vecinos.reports.models import Channel

# Text and multipart overhead beside the photo.
TEXT_BYTES = 256 * 1024


def max_request_bytes() -> int:
    """A photo of at most ``VECINOS_PHOTO_MAX_BYTES`` and a few KiB of text: anything
    bigger is refused before Django spools it to disk."""
    return photos.max_bytes() + TEXT_BYTES


def _render_form(request: HttpRequest, form: ReportForm, *, status: int = 200) -> HttpResponse:
    leaflet: dict[str, Any] = settings.LEAFLET_CONFIG
    tiles = leaflet.get("TILES") or [("", settings.VECINOS_TILE_URL, {})]
    return render(
        request,
        "reports/report_form.html",
        {
            "form": form,
            "tile_url": settings.VECINOS_TILE_URL,
            "tile_attribution": tiles[0][2].get("attribution", ""),
            "map_center": leaflet.get("DEFAULT_CENTER", (34.05, -118.25)),
            "map_zoom": leaflet.get("DEFAULT_ZOOM", 10),
            "REPORT_RETENTION_DAYS": settings.REPORT_RETENTION,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_form(request, ReportForm())
    if too_large(request, max_request_bytes()):
        return render(
            request,
            "reports/report_too_large.html",
            {"photo_max_mb": photos.max_megabytes()},
            status=413,
        )

    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_form(request, form, status=400)
    verdict = ratelimit.hit(
        "report", getattr(request, "client_key", ""), settings.VECINOS_REPORT_RATE
    )
    if not verdict.allowed:
        response = render(request, "reports/report_rate_limited.html", status=429)
        response["Retry-After"] = str(verdict.retry_after)
        return response
    data = form.cleaned_data
    try:
        writer.submit_report(
            NewReport(
                kind=data["kind"],
                lat=data.get("lat"),
                lng=data.get("lng"),
                place=data.get("place") or "",
                description=data.get("description") or "",
                observed_at=data["observed_at"],
                agencies=data.get("agencies") or [],
                vehicles=data.get("vehicles"),
                officers=data.get("officers"),
                language=get_language() or "",
                channel=Channel.WEB,
                client_key=sources.source_of(request),
                photo=data.get("photo"),
                needs_location=data["needs_location"],
                idempotency_key=data.get("idempotency_key") or "",
            )
        )
    except writer.WriterBusy as busy:
        maybe_stored = isinstance(busy, writer.WriterLost)
        response = render(
            request, "reports/report_busy.html", {"maybe_stored": maybe_stored}, status=503
        )
        response["Retry-After"] = "5"
        return response
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return _render_form(request, form, status=400)
    # Post/redirect/get: a reload does not send the report twice. The thank-you page
    # carries no id: nothing in the address bar or history points at the report.
    thanks = reverse("report_thanks")
    if not service_area.covers(data.get("lat"), data.get("lng")):
        # Says only "outside", never where: nothing in the address points at the report.
        thanks += "?outside=1"
    return HttpResponseRedirect(thanks, status=303)


@require_safe
def report_thanks(request: HttpRequest) -> HttpResponse:
    return render(
        request, "reports/report_thanks.html", {"outside": request.GET.get("outside") == "1"}
    )
