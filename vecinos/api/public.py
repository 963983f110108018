"""The public API, no account needed: confirmed incidents of the last 24 hours,
coarsened to their H3 resolution-8 cell, as JSON and as GeoJSON.

Nothing here reveals a report's point, the incident's centroid, or any text a
reporter wrote: only the kind, the cell (its centre rounded, its outline), times to
the minute, the status and the label staff wrote for the public.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Router, Schema

from vecinos.api.errors import PUBLIC_ERRORS
from vecinos.reports import queries

router = Router(tags=["public"])

PUBLIC_MAX_AGE = 60


class PublicIncidentOut(Schema):
    id: str
    kind: str
    cell: str | None
    lat: float | None
    lng: float | None
    first_seen_at: datetime
    last_seen_at: datetime
    status: str
    public_label: str


@router.get(
    "/public/incidents",
    response={200: list[PublicIncidentOut], **PUBLIC_ERRORS},
    summary="Confirmed incidents of the last 24 hours, coarse",
    url_name="public_incidents",
)
def public_incidents(request: HttpRequest, response: HttpResponse) -> list[PublicIncidentOut]:
    patch_cache_control(response, max_age=PUBLIC_MAX_AGE)
    return [
        PublicIncidentOut(
            id=item.id,
            kind=item.kind,
            cell=item.cell,
            lat=item.lat,
            lng=item.lng,
            first_seen_at=item.first_seen_at,
            last_seen_at=item.last_seen_at,
            status=item.status,
            public_label=item.public_label,
        )
        for item in (queries.public_view(incident) for incident in queries.public_confirmed())
    ]


@router.get(
    "/public/incidents.geojson",
    summary="The same, as a GeoJSON FeatureCollection of cell polygons",
    url_name="public_incidents_geojson",
    response={**PUBLIC_ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "A GeoJSON FeatureCollection (RFC 7946)",
                "content": {"application/geo+json": {"schema": {"type": "object"}}},
            }
        }
    },
)
def public_incidents_geojson(request: HttpRequest) -> HttpResponse:
    items = [queries.public_view(incident) for incident in queries.public_confirmed()]
    collection = queries.public_geojson(items)
    response = HttpResponse(
        json.dumps(collection, separators=(",", ":")), content_type="application/geo+json"
    )
    patch_cache_control(response, max_age=PUBLIC_MAX_AGE)
    return response
