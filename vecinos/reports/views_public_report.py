"""The public report form (``/report``) and the thank-you page. Anonymous; works
without JavaScript; rate-limited per client like the API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from vecinos.core import service_area
from vecinos.core.request_size import too_large
from vecinos.core.views import apply_errors, over_rate
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


class _PhotoOverLimit(FileUploadHandler):
    """Reads past a photo over the limit instead of keeping it, so the text that comes
    with it is still read: the report is not lost for its photo."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.skipped = False
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.skipped = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@csrf_exempt  # checked by _report, once the photo's handler is in place
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_form(request, ReportForm())
    # Far over any photo: refused before anything is read (and spooled to disk).
    if too_large(request, 2 * max_request_bytes()):
        return _too_large_page(request)
    over_limit = _PhotoOverLimit(photos.max_bytes())
    request.upload_handlers.insert(0, over_limit)
    return _report(request, over_limit)


def _too_large_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reports/report_too_large.html",
        {"photo_max_mb": photos.max_megabytes()},
        status=413,
    )


@csrf_protect
def _report(request: HttpRequest, over_limit: _PhotoOverLimit) -> HttpResponse:
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        if over_limit.skipped:
            form.add_error("photo", photos.too_large_message())
        return _render_form(request, form, status=400)
    limited = over_rate(
        request, "report", settings.VECINOS_REPORT_RATE, "reports/report_rate_limited.html"
    )
    if limited is not None:
        return limited
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
        apply_errors(form, error)
        return _render_form(request, form, status=400)
    if over_limit.skipped:
        messages.warning(
            request,
            _("Your report was sent without its photo: the photo was larger than %(size)s MB.")
            % {"size": photos.max_megabytes()},
        )
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
