"""Helpers for making reports and incidents in tests.

- ``submit(...)``: a report through the real action (clustering, counts, timeline),
  with sensible defaults; the way a reporter makes one.
- ``make_incident(...)`` / ``make_report(...)``: rows written directly, for tests that
  need an incident in a given state without going through clustering.
- ``report_payload(...)``: a valid body for ``POST /api/v1/reports``.
- ``photo_bytes(...)``: an image file, optionally with GPS EXIF, for photo tests.
- ``moved(lat, lng, north_m=..., east_m=...)``: a point some metres away.

Places are real Los Angeles spots (the demo city).
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from typing import Any

from django.utils import timezone
from PIL import Image

from vecinos.core import geo
from vecinos.reports import actions
from vecinos.reports.models import Channel, Incident, IncidentStatus, Kind, Report

# Cesar Chavez Ave & Soto St, Boyle Heights
BOYLE_HEIGHTS = (34.0403, -118.2093)
# Mariachi Plaza, Boyle Heights (about 1.2 km from BOYLE_HEIGHTS)
MARIACHI_PLAZA = (34.0470, -118.2197)
# Santee Alley, Fashion District (about 4 km from Boyle Heights)
SANTEE_ALLEY = (34.0384, -118.2545)
# Jefferson High School, South LA (about 5 km away)
JEFFERSON_HIGH = (34.0124, -118.2546)

EARTH_M = geo.EARTH_RADIUS_KM * 1000


def moved(lat: float, lng: float, *, north_m: float = 0, east_m: float = 0) -> tuple[float, float]:
    """The point ``north_m`` metres north and ``east_m`` metres east of (lat, lng)."""
    new_lat = lat + math.degrees(north_m / EARTH_M)
    new_lng = lng + math.degrees(east_m / (EARTH_M * math.cos(math.radians(lat))))
    return new_lat, new_lng


def submit(
    *,
    kind: str = Kind.RAID,
    at: tuple[float, float] | None = BOYLE_HEIGHTS,
    observed_at: datetime | None = None,
    client_key: str = "client-a",
    channel: str = Channel.API,
    now: datetime | None = None,
    **fields: Any,
) -> Report:
    """A report submitted through ``actions.submit_report``."""
    lat, lng = at if at is not None else (None, None)
    return actions.submit_report(
        actions.NewReport(
            kind=kind,
            lat=lat,
            lng=lng,
            place=fields.pop("place", ""),
            description=fields.pop("description", ""),
            observed_at=observed_at,
            agencies=fields.pop("agencies", ()),
            vehicles=fields.pop("vehicles", None),
            officers=fields.pop("officers", None),
            language=fields.pop("language", "en"),
            channel=channel,
            client_key=client_key,
            photo=fields.pop("photo", None),
            needs_location=fields.pop("needs_location", at is None),
            now=now,
            **fields,
        )
    )


def make_incident(
    *,
    kind: str = Kind.RAID,
    at: tuple[float, float] | None = BOYLE_HEIGHTS,
    status: str = IncidentStatus.NEW,
    seen_at: datetime | None = None,
    **fields: Any,
) -> Incident:
    """An incident row as clustering would leave it, without any report."""
    seen_at = seen_at or timezone.now()
    lat, lng = at if at is not None else (None, None)
    values: dict[str, Any] = {
        "kind": kind,
        "status": status,
        "lat": lat,
        "lng": lng,
        "cell": geo.cell_for(lat, lng) if lat is not None and lng is not None else None,
        "first_seen_at": seen_at,
        "last_seen_at": seen_at,
        "report_count": 1,
        "source_count": 1,
        "confidence": 30,
        "needs_location": at is None,
    }
    values.update(fields)
    return Incident.objects.create(**values)


def make_report(
    *,
    incident: Incident | None = None,
    kind: str | None = None,
    at: tuple[float, float] | None = None,
    observed_at: datetime | None = None,
    **fields: Any,
) -> Report:
    """A report row attached to ``incident`` (made if missing), written directly."""
    incident = incident or make_incident(kind=kind or Kind.RAID)
    if at is None and incident.lat is not None and incident.lng is not None:
        at = (incident.lat, incident.lng)
    lat, lng = at if at is not None else (None, None)
    values: dict[str, Any] = {
        "incident": incident,
        "kind": kind or incident.kind,
        "lat": lat,
        "lng": lng,
        "cell": geo.cell_for(lat, lng) if lat is not None and lng is not None else None,
        "observed_at": observed_at or incident.last_seen_at,
        "channel": Channel.WEB,
        "source_tag": actions.source_tag(channel=Channel.WEB, client_key="client-a"),
        "language": "en",
    }
    values.update(fields)
    return Report.objects.create(**values)


def report_payload(**overrides: Any) -> dict[str, Any]:
    """A valid JSON body for ``POST /api/v1/reports``; ``None`` removes a field."""
    payload: dict[str, Any] = {
        "kind": "raid",
        "lat": BOYLE_HEIGHTS[0],
        "lng": BOYLE_HEIGHTS[1],
        "place": "Cesar Chavez Ave & Soto St",
        "description": "Three unmarked vans, agents in vests going door to door.",
        "observed_at": timezone.now().isoformat(timespec="seconds"),
        "agencies": ["ice"],
        "vehicles": 3,
        "officers": 8,
        "language": "es",
    }
    for key, value in overrides.items():
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
    return payload


GPS_IFD = 0x8825


def photo_bytes(
    *,
    format: str = "JPEG",
    size: tuple[int, int] = (64, 48),
    gps: bool = True,
    orientation: int | None = None,
    color: tuple[int, int, int] = (200, 30, 30),
) -> bytes:
    """An image in ``format``; with ``gps`` its EXIF holds a GPS position (Boyle
    Heights) and a camera model, as a phone would write them."""
    image = Image.new("RGB", size, color)
    # A marker pixel in the top-left corner, to tell which way up the image is.
    image.putpixel((0, 0), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0110] = "Vecinos Test Phone"  # Model
    exif[0x0131] = "Camera 1.0"  # Software
    if orientation is not None:
        exif[0x0112] = orientation
    if gps:
        exif[GPS_IFD] = {
            1: "N",
            2: (34.0, 2.0, 25.0),
            3: "W",
            4: (118.0, 12.0, 33.0),
        }
    out = io.BytesIO()
    params: dict[str, Any] = {"exif": exif.tobytes()}
    if format == "PNG":
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "taken at Cesar Chavez Ave & Soto St")
        params["pnginfo"] = info
    image.save(out, format, **params)
    return out.getvalue()
