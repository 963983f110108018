"""H3 helpers. Cells are stored as signed 64-bit integers (an H3 index fits: its top
bit is always 0), so matching is integer equality on an index in SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
from functools import lru_cache

import h3
import h3.api.basic_int as h3_int  # the integer API: no hex strings on the hot path

RESOLUTION = 8  # about 0.74 km² a cell, 460 m edge
EARTH_RADIUS_KM = 6371.0088


def valid_point(lat: float, lng: float) -> bool:
    return (
        isinstance(lat, int | float)
        and isinstance(lng, int | float)
        and math.isfinite(lat)
        and math.isfinite(lng)
        and -90 <= lat <= 90
        and -180 <= lng <= 180
    )


def cell_for(lat: float, lng: float, resolution: int = RESOLUTION) -> int:
    return int(h3_int.latlng_to_cell(lat, lng, resolution))


@lru_cache(maxsize=4096)
def neighbourhood(cell: int, k: int = 1) -> tuple[int, ...]:
    """The cell and every cell within ``k`` steps of it (7 cells for k=1).

    Cached (a tuple, so that no caller can change it): clustering asks for the ring
    of every report, reports of one event come from the same few cells, and H3's
    grid_disk costs about ten times a cache hit. 4,096 rings of 7 cells take about
    2 MB."""
    return tuple(int(c) for c in h3_int.grid_disk(cell, k))


def cell_center(cell: int) -> tuple[float, float]:
    return h3.cell_to_latlng(h3.int_to_str(cell))


def cell_boundary(cell: int) -> list[tuple[float, float]]:
    return list(h3.cell_to_boundary(h3.int_to_str(cell)))


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    return h3.great_circle_distance((lat1, lng1), (lat2, lng2), unit="km")


def cells_within(
    lat: float, lng: float, radius_km: float, resolution: int = RESOLUTION
) -> set[int]:
    """Every cell whose centre lies within ``radius_km`` of the point, plus the point's own.

    1. Take the grid disk around the point's cell wide enough to cover the radius
       (k = radius / centre-to-centre spacing, rounded up).
    2. Keep the cells whose centre is inside the circle.
    Complexity: O(k²) cells, e.g. about 3,000 for 25 km at resolution 8.
    """
    origin = h3.latlng_to_cell(lat, lng, resolution)
    spacing_km = h3.average_hexagon_edge_length(resolution, unit="km") * math.sqrt(3)
    k = max(1, math.ceil(radius_km / spacing_km) + 1)
    cells = {h3.str_to_int(origin)}
    for candidate in h3.grid_disk(origin, k):
        c_lat, c_lng = h3.cell_to_latlng(candidate)
        if h3.great_circle_distance((lat, lng), (c_lat, c_lng), unit="km") <= radius_km:
            cells.add(h3.str_to_int(candidate))
    return cells
