"""Places an SMS report can name, so "REPORTE redada en Boyle Heights" lands on the
map without a geocoder (looking the text up with a third party would tell it what
was reported). A small list of Los Angeles County neighbourhoods, cities and
landmarks with approximate centres; a ZIP code in the text wins over these.

Matching folds case and accents (``Pico-Union``, ``pico union``) and compares whole
words, longest names first, so "Bell Gardens" is not read as another place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vecinos.delivery.keywords import fold


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lng: float


# name, latitude, longitude, other spellings
PLACES: list[tuple[str, float, float, tuple[str, ...]]] = [
    ("Boyle Heights", 34.0339, -118.2053, ()),
    ("East Los Angeles", 34.0239, -118.1720, ("East LA", "Este de Los Angeles")),
    ("Downtown Los Angeles", 34.0407, -118.2468, ("DTLA", "Downtown LA", "Centro de Los Angeles")),
    ("MacArthur Park", 34.0577, -118.2776, ("Parque MacArthur", "McArthur Park")),
    ("Westlake", 34.0569, -118.2779, ()),
    ("Pico-Union", 34.0477, -118.2870, ("Pico Union",)),
    ("Koreatown", 34.0618, -118.3004, ("K-Town",)),
    ("Echo Park", 34.0782, -118.2606, ()),
    ("Highland Park", 34.1114, -118.1922, ()),
    ("Lincoln Heights", 34.0683, -118.2070, ()),
    ("El Sereno", 34.0806, -118.1778, ()),
    ("Cypress Park", 34.0870, -118.2230, ()),
    ("Chinatown", 34.0623, -118.2383, ()),
    ("Union Station", 34.0562, -118.2365, ()),
    ("Mariachi Plaza", 34.0472, -118.2193, ("Plaza del Mariachi",)),
    ("Santee Alley", 34.0373, -118.2540, ("Callejon Santee",)),
    ("Fashion District", 34.0360, -118.2520, ("Distrito de la Moda",)),
    ("Huntington Park", 33.9817, -118.2251, ()),
    ("South Gate", 33.9548, -118.2120, ()),
    ("Bell Gardens", 33.9653, -118.1514, ()),
    ("Maywood", 33.9867, -118.1853, ()),
    ("Cudahy", 33.9606, -118.1853, ()),
    ("Lynwood", 33.9303, -118.2115, ()),
    ("Compton", 33.8958, -118.2201, ()),
    ("Watts", 33.9420, -118.2433, ()),
    ("South Los Angeles", 33.9890, -118.2915, ("South LA", "South Central", "Sur de Los Angeles")),
    ("Inglewood", 33.9617, -118.3531, ()),
    ("Pico Rivera", 33.9831, -118.0967, ()),
    ("Montebello", 34.0165, -118.1138, ()),
    ("Whittier", 33.9792, -118.0328, ()),
    ("El Monte", 34.0686, -118.0276, ()),
    ("Pomona", 34.0551, -117.7500, ()),
    ("Pacoima", 34.2623, -118.4270, ()),
    ("San Fernando", 34.2819, -118.4390, ()),
    ("Sun Valley", 34.2175, -118.3703, ()),
    ("Van Nuys", 34.1899, -118.4514, ()),
    ("North Hollywood", 34.1870, -118.3813, ("NoHo",)),
    ("Canoga Park", 34.2011, -118.5981, ()),
    ("Hollywood", 34.0928, -118.3287, ()),
    ("Santa Monica", 34.0195, -118.4912, ()),
    ("Glendale", 34.1425, -118.2551, ()),
    ("Pasadena", 34.1478, -118.1445, ()),
    ("Long Beach", 33.7701, -118.1937, ()),
    ("Wilmington", 33.7803, -118.2623, ()),
    ("San Pedro", 33.7361, -118.2923, ()),
    ("Palmdale", 34.5794, -118.1165, ()),
    ("Lancaster", 34.6868, -118.1542, ()),
]

_NON_WORD = re.compile(r"[^A-Z0-9]+")


def _words(text: str) -> str:
    """Folded, punctuation to single spaces, padded: ``" PICO UNION "``."""
    return " " + _NON_WORD.sub(" ", fold(text)).strip() + " "


@lru_cache(maxsize=1)
def _index() -> list[tuple[str, Place]]:
    entries: list[tuple[str, Place]] = []
    for name, lat, lng, aliases in PLACES:
        place = Place(name=name, lat=lat, lng=lng)
        for spelling in (name, *aliases):
            entries.append((_words(spelling), place))
    entries.sort(key=lambda entry: -len(entry[0]))  # longest first
    return entries


def find_place(text: str) -> Place | None:
    """The first known place named in ``text`` (longest names tried first).
    O(places * length of the text); the text is at most a few hundred characters."""
    haystack = _words(text or "")
    for needle, place in _index():
        if needle in haystack:
            return place
    return None
