"""Public pages, no account needed: the map of confirmed incidents and rumor control.

They show only what responders checked, coarsened to the H3 resolution-8 cell, with
staff-written labels; never a report's point, place text or description. Both work
without JavaScript (a list); on the map page, JavaScript adds a Leaflet map whose
only third-party requests are tiles from ``VECINOS_TILE_URL``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from vecinos.reports import queries

# Shared caches may keep a public page this long (a signed-in page is never stored).
PUBLIC_MAX_AGE = 60


@require_safe
@cache_control(max_age=PUBLIC_MAX_AGE)
def public_map(request: HttpRequest) -> HttpResponse:
    items = [queries.public_view(incident) for incident in queries.public_confirmed()]
    return render(
        request,
        "reports/public_map.html",
        {"items": items, "tile_url": settings.VECINOS_TILE_URL, "now": timezone.now()},
    )


@require_safe
@cache_control(max_age=PUBLIC_MAX_AGE)
def rumors(request: HttpRequest) -> HttpResponse:
    items = [queries.public_view(incident) for incident in queries.rumor_control()]
    return render(request, "reports/rumors.html", {"items": items, "now": timezone.now()})
