"""Areas chosen by people, turned into H3 resolution-8 cells (subscribers, committees).

Two ways to choose an area, both resolved offline:

- a US ZIP code: its centroid from the ``zipcodes`` package's data (no network), and
  every cell within ``SUBSCRIPTION_ZIP_RADIUS_KM`` of it;
- a point and a radius (0.5 to 25 km): every cell within the radius.

Only the cells are stored (``SubscriptionCell``), never the point: a seized server
shows that someone wanted alerts for a few square kilometres, not where they live.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from vecinos.core import geo

MIN_RADIUS_KM = 0.5
MAX_RADIUS_KM = 25.0
ZIP_RE = re.compile(r"^\d{5}$")


class AreaError(ValueError):
    """The area cannot be used; ``field`` names the input to blame."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ZipCentroid:
    zip_code: str
    lat: float
    lng: float
    state: str
    city: str


@dataclass(frozen=True)
class Area:
    cells: frozenset[int]
    # For the subscriber's own management page ("ZIP 90033", "2 km around a point").
    label: str
    # The same in no language, to store and say later in the reader's ("zip:90033",
    # "km:2"): ``area_text`` and ``area_phrase``.
    key: str = ""


# Keys, and the labels stored before keys were (in the language of the page then). A
# committee's area may join several parts with ";": "zip:90033,90023;km:2;cells:14".
_ZIP_KEY = re.compile(r"^(?:zip:|ZIP |Código postal )(\d{5}(?:, ?\d{5})*)$")
_KM_KEY = re.compile(r"^(?:km:)?([\d.]+)(?: km around a point| km alrededor de un punto)?$")
_CELLS_KEY = re.compile(
    r"^(?:cells:)?(\d+)(?: cells drawn on the map| celdas dibujadas en el mapa)?$"
)


def area_text(key: str) -> str:
    """A stored area key as a label in the active language: "ZIP 90033"; the parts of a
    committee's area one after another ("ZIP 90033, 90023; 2 km around a point")."""
    if ";" in key:
        return "; ".join(area_text(part.strip()) for part in key.split(";") if part.strip())
    if found := _ZIP_KEY.match(key):
        zips = ", ".join(code.strip() for code in found[1].split(","))
        return _("ZIP %(zip)s") % {"zip": zips}
    if found := _KM_KEY.match(key):
        return _("%(radius)s km around a point") % {"radius": found[1]}
    if found := _CELLS_KEY.match(key):
        count = int(found[1])
        return ngettext(
            "%(count)s cell drawn on the map", "%(count)s cells drawn on the map", count
        ) % {"count": count}
    return key


def area_key(*, zips: list[str], radius_key: str = "", drawn: int = 0) -> str:
    """The key of an area made of ZIP codes, a radius around a point (``Area.key``)
    and/or cells drawn on the map, in no language: "zip:90033,90023;km:2;cells:14"."""
    parts = [f"zip:{','.join(zips)}"] if zips else []
    parts += [radius_key] if radius_key else []
    parts += [f"cells:{drawn}"] if drawn else []
    return ";".join(parts)


def area_phrase(key: str) -> str:
    """A stored area key as words inside a sentence: "your alerts for ZIP code 90033"."""
    if found := _ZIP_KEY.match(key):
        return pgettext("inside a sentence", "ZIP code %(zip)s") % {"zip": found[1]}
    if found := _KM_KEY.match(key):
        return pgettext("inside a sentence", "%(radius)s km around a point") % {"radius": found[1]}
    return key


@lru_cache(maxsize=1)
def _zip_table() -> dict[str, ZipCentroid]:
    """Every active ZIP code with a centroid, read once per process (about 42,000
    entries from the package's bundled data; a dictionary lookup afterwards)."""
    import zipcodes  # loaded on first use: it reads its bundled data on import

    table: dict[str, ZipCentroid] = {}
    for row in zipcodes.list_all():
        try:
            lat, lng = float(row["lat"]), float(row["long"])
        except (KeyError, TypeError, ValueError):
            continue
        if not row.get("active", True) or not geo.valid_point(lat, lng):
            continue
        table[row["zip_code"]] = ZipCentroid(
            zip_code=row["zip_code"],
            lat=lat,
            lng=lng,
            state=str(row.get("state") or ""),
            city=str(row.get("city") or ""),
        )
    return table


def find_zip(value: str) -> ZipCentroid | None:
    """The centroid of a five-digit ZIP code inside the service area, or None."""
    if not isinstance(value, str) or not ZIP_RE.match(value):
        return None
    found = _zip_table().get(value)
    if found is None:
        return None
    states = [s.upper() for s in getattr(settings, "SUBSCRIPTION_ZIP_STATES", ["CA"])]
    if states and found.state.upper() not in states:
        return None
    return found


def zip_codes_starting(prefix: str) -> list[str]:
    """The ZIP codes of the allowed states that start with ``prefix`` (digits), sorted:
    suggestions while a dispatcher types one (a scan of the table, a few milliseconds)."""
    if not prefix.isdigit() or len(prefix) > 5:
        return []
    states = [s.upper() for s in getattr(settings, "SUBSCRIPTION_ZIP_STATES", ["CA"])]
    return sorted(
        code
        for code, centroid in _zip_table().items()
        if code.startswith(prefix) and (not states or centroid.state.upper() in states)
    )


def zip_area(value: str) -> Area:
    """The cells within ``SUBSCRIPTION_ZIP_RADIUS_KM`` of a ZIP code's centroid."""
    if not isinstance(value, str) or not ZIP_RE.match(value.strip()):
        raise AreaError("area.zip", _("Enter a five-digit ZIP code."))
    centroid = find_zip(value.strip())
    if centroid is None:
        raise AreaError("area.zip", _("We do not know this ZIP code in our service area."))
    radius = float(getattr(settings, "SUBSCRIPTION_ZIP_RADIUS_KM", 2.0))
    cells = geo.cells_within(centroid.lat, centroid.lng, radius)
    return Area(
        cells=frozenset(cells),
        label=_("ZIP %(zip)s") % {"zip": centroid.zip_code},
        key=f"zip:{centroid.zip_code}",
    )


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AreaError(name, _("Enter a number."))
    if not math.isfinite(value):
        raise AreaError(name, _("Enter a finite number."))
    return float(value)


def point_area(lat: object, lng: object, radius_km: object) -> Area:
    """The cells within ``radius_km`` (0.5 to 25) of a point."""
    lat_value = _number("area.lat", lat)
    lng_value = _number("area.lng", lng)
    radius = _number("area.radius_km", radius_km)
    if not -90 <= lat_value <= 90:
        raise AreaError("area.lat", _("A latitude is between -90 and 90."))
    if not -180 <= lng_value <= 180:
        raise AreaError("area.lng", _("A longitude is between -180 and 180."))
    if not MIN_RADIUS_KM <= radius <= MAX_RADIUS_KM:
        raise AreaError(
            "area.radius_km",
            _("Choose a radius from %(min)s to %(max)s km.")
            % {"min": MIN_RADIUS_KM, "max": int(MAX_RADIUS_KM)},
        )
    cells = geo.cells_within(lat_value, lng_value, radius)
    return Area(
        cells=frozenset(cells),
        label=_("%(radius)s km around a point") % {"radius": f"{radius:g}"},
        key=f"km:{radius:g}",
    )
