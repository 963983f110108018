"""Public feeds of alerts: ``/feeds/alerts.cap`` (Atom listing CAP 1.2 documents),
``/feeds/alerts/<id>.cap`` (one CAP document) and ``/feeds/alerts.atom`` (Atom for
people and feed readers, ``?lang=`` one of the alert languages). Test alerts and
drafts are never in them."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from vecinos.alerts import messages, queries
from vecinos.feeds import cap

FEED_MAX_AGE = 60


@require_safe
@cache_control(max_age=FEED_MAX_AGE)
def alerts_cap_feed(request: HttpRequest) -> HttpResponse:
    body = cap.atom_feed(
        queries.feed_alerts(),
        language="en",
        self_url=f"{settings.VECINOS_PUBLIC_URL}/feeds/alerts.cap",
        title=_("Vecinos alerts (CAP 1.2)"),
        cap_links=True,
    )
    return HttpResponse(body, content_type=cap.ATOM_CONTENT_TYPE)


@require_safe
@cache_control(max_age=FEED_MAX_AGE)
def alert_cap(request: HttpRequest, alert_id: str) -> HttpResponse:
    alert = queries.public_alert(alert_id)
    if alert is None:
        raise Http404
    return HttpResponse(cap.cap_document(alert), content_type=cap.CAP_CONTENT_TYPE)


@require_safe
@cache_control(max_age=FEED_MAX_AGE)
def alerts_atom_feed(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("lang")
    language = messages.normalize_language(raw) if raw else "en"
    if language is None:
        return HttpResponse(
            _("Unknown lang: use one of %(codes)s.")
            % {"codes": ", ".join(code for code, _name in messages.LANGUAGES)},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    suffix = "" if language == "en" else f"?lang={language}"
    body = cap.atom_feed(
        queries.feed_alerts(),
        language=language,
        self_url=f"{settings.VECINOS_PUBLIC_URL}/feeds/alerts.atom{suffix}",
        title=_("Vecinos alerts"),
        cap_links=False,
    )
    response = HttpResponse(body, content_type=cap.ATOM_CONTENT_TYPE)
    return response
