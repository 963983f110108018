"""The network's service area (``VECINOS_SERVICE_AREA``): where its committees can
send someone to check a report.

A report from outside it is still stored (a person in danger is never turned away),
but its incident is marked ``outside_service_area``: the console keeps it out of the
queue's main view, and the reporter is told the network may not cover that place.

The setting is a list of parts separated by spaces or semicolons, any mix of:

- ``bbox:SOUTH,WEST,NORTH,EAST`` — a box in degrees, e.g. Los Angeles County
  ``bbox:33.70,-118.95,34.82,-117.65``;
- a US ZIP code (``90033``) — every cell within ``SERVICE_AREA_ZIP_KM`` of its
  centroid (the ``zipcodes`` package's data, read offline);
- an H3 cell in hex (``8529a1d7fffffff``) of any resolution up to 8 — everything
  inside it.

Empty (the default): no service area, every report is inside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import h3
import h3.api.basic_int as h3_int
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from vecinos.core import geo

# Around a ZIP code's centroid: ZIP areas in a city are a few kilometres across.
SERVICE_AREA_ZIP_KM = 4.0
ZIP_RE = re.compile(r"^\d{5}$")
CELL_RE = re.compile(r"^[0-9a-fA-F]{15}$")


@dataclass(frozen=True)
class ServiceArea:
    boxes: tuple[tuple[float, float, float, float], ...]
    cells: frozenset[int]
    resolutions: tuple[int, ...]

    def covers(self, lat: float, lng: float) -> bool:
        for south, west, north, east in self.boxes:
            if south <= lat <= north and west <= lng <= east:
                return True
        if not self.cells:
            return False
        cell = geo.cell_for(lat, lng)
        for resolution in self.resolutions:
            parent = (
                cell if resolution == geo.RESOLUTION else h3_int.cell_to_parent(cell, resolution)
            )
            if parent in self.cells:
                return True
        return False


def parse(text: str) -> ServiceArea | None:
    """The service area the setting describes, or None for none; a part that is none
    of the three forms is a configuration error naming it."""
    parts = [part for part in re.split(r"[\s;]+", text or "") if part]
    if not parts:
        return None
    boxes: list[tuple[float, float, float, float]] = []
    cells: set[int] = set()
    for part in parts:
        if part.lower().startswith("bbox:"):
            try:
                south, west, north, east = (float(n) for n in part[5:].split(","))
            except ValueError:
                raise ImproperlyConfigured(
                    f"VECINOS_SERVICE_AREA: {part!r} is not bbox:SOUTH,WEST,NORTH,EAST"
                ) from None
            if not (geo.valid_point(south, west) and geo.valid_point(north, east)):
                raise ImproperlyConfigured(f"VECINOS_SERVICE_AREA: {part!r} is off the globe")
            boxes.append((min(south, north), min(west, east), max(south, north), max(west, east)))
        elif ZIP_RE.match(part):
            import zipcodes

            found = [row for row in zipcodes.matching(part) if row.get("lat")]
            if not found:
                raise ImproperlyConfigured(f"VECINOS_SERVICE_AREA: no ZIP code {part}")
            lat, lng = float(found[0]["lat"]), float(found[0]["long"])
            cells.update(geo.cells_within(lat, lng, SERVICE_AREA_ZIP_KM))
        elif CELL_RE.match(part) and h3.is_valid_cell(part.lower()):
            cell = h3.str_to_int(part.lower())
            if h3_int.get_resolution(cell) > geo.RESOLUTION:
                raise ImproperlyConfigured(
                    f"VECINOS_SERVICE_AREA: {part} is finer than resolution {geo.RESOLUTION}"
                )
            cells.add(cell)
        else:
            raise ImproperlyConfigured(
                f"VECINOS_SERVICE_AREA: {part!r} is not bbox:..., a ZIP code or an H3 cell"
            )
    resolutions = tuple(sorted({h3_int.get_resolution(cell) for cell in cells}))
    return ServiceArea(boxes=tuple(boxes), cells=frozenset(cells), resolutions=resolutions)


@lru_cache(maxsize=4)
def _area(text: str) -> ServiceArea | None:
    return parse(text)


def covers(lat: float | None, lng: float | None) -> bool:
    """Whether the point is inside the service area (always, without one; a report
    without a point is not judged: staff place it)."""
    area = _area(settings.VECINOS_SERVICE_AREA)
    if area is None or lat is None or lng is None:
        return True
    return area.covers(lat, lng)
