"""Known places a dispatcher can pick to locate an incident whose reports gave only
words: the network's ZIP codes, the public labels of earlier incidents that have a
point, and committee areas. Everything is read from data the server already holds
(the ``zipcodes`` package's bundled table, the database); no geocoding service is
asked, so nothing a dispatcher types leaves the building.

A place's key ("zip:90033", "incident:<uuid hex>", "committee:<id>") names it in a
choice list, so the dispatcher's pick resolves to the same point it was offered with.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from vecinos.committees.models import Committee
from vecinos.core import areas, geo, service_area
from vecinos.core.text import has_control_characters
from vecinos.reports.models import Incident

MAX_QUERY = 100
MIN_QUERY = 2
LIMIT = 8
# Earlier incidents looked at per search: the newest labels are the likeliest picks,
# and the bound keeps a search one indexed read however long the network has run.
LABEL_SCAN = 200
ZIP_IN_TEXT = re.compile(r"(?<!\d)(\d{5})(?!\d)")
ZIP_PREFIX = re.compile(r"^\d{3,5}$")


class PlaceQueryError(ValueError):
    """The text cannot be searched (too long, control characters); ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class KnownPlace:
    key: str
    kind: str  # "zip", "incident" or "committee"
    label: str  # what the dispatcher sees and may type back
    name: str  # the words a public page may use for it (the public label)
    lat: float
    lng: float


def clean_query(text: object) -> str:
    """The search text with its spaces collapsed; refuses what no search can hold."""
    if not isinstance(text, str):
        raise PlaceQueryError(_("Type the name of a place or a ZIP code."))
    if has_control_characters(text, lines=False):
        raise PlaceQueryError(_("Remove the control characters from the place."))
    if len(text) > MAX_QUERY:
        raise PlaceQueryError(
            _("A place can be at most %(max)s characters long.") % {"max": MAX_QUERY}
        )
    return " ".join(text.split())


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _zip_place(centroid: areas.ZipCentroid) -> KnownPlace:
    name = _("ZIP %(zip)s") % {"zip": centroid.zip_code}
    label = f"{name} ({centroid.city.title()})" if centroid.city else name
    return KnownPlace(
        key=f"zip:{centroid.zip_code}",
        kind="zip",
        label=label,
        name=name,
        lat=centroid.lat,
        lng=centroid.lng,
    )


def _zips(query: str) -> list[KnownPlace]:
    """A ZIP code written anywhere in the text ("90033", "ZIP 90033 (Los Angeles)");
    or, for the suggestions while one is typed, the network's codes starting so."""
    found = {m.group(1) for m in ZIP_IN_TEXT.finditer(query)}
    centroids = [c for code in sorted(found) if (c := areas.find_zip(code)) is not None]
    if not centroids and ZIP_PREFIX.match(query):
        centroids = [
            c
            for code in sorted(areas.zip_codes_starting(query))[: LIMIT * 4]
            if (c := areas.find_zip(code)) is not None
        ]
    return [_zip_place(c) for c in centroids if service_area.covers(c.lat, c.lng)][:LIMIT]


def _labels(query: str, *, exclude: Incident | None) -> list[KnownPlace]:
    """Distinct public labels of earlier incidents with a point, newest first."""
    rows = (
        Incident.objects.filter(lat__isnull=False, lng__isnull=False)
        .exclude(public_label="")
        .filter(public_label__icontains=query)
        .order_by("-last_seen_at")
        .values_list("pk", "public_label", "lat", "lng")
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    places: dict[str, KnownPlace] = {}
    for pk, label, lat, lng in rows[:LABEL_SCAN]:
        if lat is None or lng is None or not geo.valid_point(lat, lng):
            continue
        if _fold(label) not in places:
            places[_fold(label)] = KnownPlace(
                key=f"incident:{pk.hex}", kind="incident", label=label, name=label, lat=lat, lng=lng
            )
    return list(places.values())


def _committee_place(committee: Committee) -> KnownPlace | None:
    """A committee area by its public words, at the mean of its cells' centres (the
    cell nearest that mean, so a ring-shaped area is not placed in its hole)."""
    cells = [c for c in committee.area_cells if isinstance(c, int) and not isinstance(c, bool)]
    if not cells:
        return None
    try:
        centres = [geo.cell_center(c) for c in cells]
    except (ValueError, TypeError):
        return None
    mean = (sum(p[0] for p in centres) / len(centres), sum(p[1] for p in centres) / len(centres))
    lat, lng = min(centres, key=lambda p: geo.distance_km(p[0], p[1], *mean))
    name = committee.area_text or committee.name
    return KnownPlace(
        key=f"committee:{committee.pk}",
        kind="committee",
        label=_("%(area)s (area of %(committee)s)") % {"area": name, "committee": committee.name}
        if committee.area_label
        else name,
        name=name,
        lat=lat,
        lng=lng,
    )


def _committees(query: str) -> list[KnownPlace]:
    committees = Committee.objects.filter(
        Q(area_label__icontains=query) | Q(name__icontains=query)
    ).order_by("name")
    places = [_committee_place(c) for c in committees[:LIMIT]]
    return [p for p in places if p is not None]


def search(text: object, *, exclude: Incident | None = None) -> list[KnownPlace]:
    """The known places matching ``text``, best first: one whose words are exactly the
    text, then those starting with it, then those containing it; at most ``LIMIT``."""
    query = clean_query(text)
    if len(query) < MIN_QUERY:
        return []
    found = _zips(query) + _labels(query, exclude=exclude) + _committees(query)
    folded = _fold(query)

    def rank(place: KnownPlace) -> int:
        words = _fold(place.label), _fold(place.name)
        if folded in words:
            return 0
        return 1 if any(w.startswith(folded) for w in words) else 2

    unique: dict[str, KnownPlace] = {}
    for place in sorted(found, key=rank):
        unique.setdefault(_fold(place.label), place)
    return list(unique.values())[:LIMIT]


def pick(text: object, *, exclude: Incident | None = None) -> list[KnownPlace]:
    """The place ``text`` names without doubt as a one-item list (a ZIP code, the exact
    words of one place, or the only place that matches), else every candidate."""
    found = search(text, exclude=exclude)
    folded = _fold(clean_query(text))
    exact = [p for p in found if folded in {_fold(p.label), _fold(p.name)}]
    if len(exact) == 1:
        return exact
    if ZIP_IN_TEXT.fullmatch(folded):
        return [p for p in found if p.kind == "zip"] or found
    return found


def by_key(key: object) -> KnownPlace | None:
    """The place a choice list offered under ``key``, or None if it is gone or forged."""
    if not isinstance(key, str) or len(key) > 64 or ":" not in key:
        return None
    kind, _sep, value = key.partition(":")
    if kind == "zip":
        centroid = areas.find_zip(value)
        if centroid is None or not service_area.covers(centroid.lat, centroid.lng):
            return None
        return _zip_place(centroid)
    if kind == "incident":
        try:
            pk = uuid.UUID(hex=value)
        except ValueError:
            return None
        row = (
            Incident.objects.filter(pk=pk, lat__isnull=False, lng__isnull=False)
            .exclude(public_label="")
            .values_list("public_label", "lat", "lng")
            .first()
        )
        label, lat, lng = row if row is not None else ("", None, None)
        if lat is None or lng is None:
            return None
        return KnownPlace(key=key, kind=kind, label=label, name=label, lat=lat, lng=lng)
    if kind == "committee" and value.isdigit() and len(value) < 12:
        committee = Committee.objects.filter(pk=int(value)).first()
        return _committee_place(committee) if committee is not None else None
    return None
