"""Where a subscriber wants alerts for: the code is vecinos/core/areas.py (ZIP code or
point and radius -> H3 cells), shared with committees, which sit below alerts. Kept so
``from vecinos.alerts import areas`` goes on working."""

from vecinos.core.areas import (
    MAX_RADIUS_KM,
    MIN_RADIUS_KM,
    ZIP_RE,
    Area,
    AreaError,
    ZipCentroid,
    find_zip,
    point_area,
    zip_area,
)

__all__ = [
    "MAX_RADIUS_KM",
    "MIN_RADIUS_KM",
    "ZIP_RE",
    "Area",
    "AreaError",
    "ZipCentroid",
    "find_zip",
    "point_area",
    "zip_area",
]
