"""Reads for the dispatcher console, the responder's pages, the staff API and the
public pages. Everything that is more than a line lives here, so each view stays a
parse-authorise-act-render function and each page's query count stays small."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from vecinos.accounts.access import parse_uuid
from vecinos.accounts.models import Role, User
from vecinos.core import geo, hooks
from vecinos.core.replica import public_reads
from vecinos.reports.models import (
    Availability,
    Dispatch,
    DispatchStatus,
    Incident,
    IncidentEvent,
    IncidentStatus,
    Outcome,
    Report,
    Verification,
)

# The widest area a responder may say they cover (the availability form's limit).
MAX_RADIUS_KM = 50.0
QUEUE_PAGE = 50
PUBLIC_WINDOW = timedelta(hours=24)
RUMOR_WINDOW = timedelta(days=7)
PUBLIC_LIMIT = 500
KM_PER_DEGREE_LAT = 111.2

# Console queue orders: the link text says which is which.
QUEUE_SORTS: dict[str, tuple[str, ...]] = {
    "recent": ("-last_seen_at",),
    "confidence": ("-confidence", "-last_seen_at"),
    "age": ("first_seen_at",),
}
DEFAULT_SORT = "recent"


# Console ------------------------------------------------------------------------------------


def console_queue(
    *,
    sort: str = DEFAULT_SORT,
    status: str = "",
    kind: str = "",
    min_sources: int = 0,
    needs_location: bool = False,
    outside: bool = False,
) -> QuerySet[Incident]:
    """Incidents still in play (not closed, not merged away), in the chosen order,
    narrowed by the console's filters (a status, a kind, at least ``min_sources``
    independent sources, only those that need a location). Not cut off: the console
    pages through it (``QUEUE_PAGE`` a page), so a flood cannot push a real incident
    out of reach. One query a page (and one to count); every column the queue shows
    is on the incident row. With ``outside``, those outside the service area instead
    of those inside it."""
    order = QUEUE_SORTS.get(sort, QUEUE_SORTS[DEFAULT_SORT])
    found = (
        Incident.objects.exclude(status=IncidentStatus.CLOSED)
        .filter(merged_into__isnull=True, outside_service_area=outside)
        .annotate(first_place=_first_place())
    )
    if status in IncidentStatus.values:
        found = found.filter(status=status)
    if kind:
        found = found.filter(kind=kind)
    if min_sources > 1:
        found = found.filter(source_count__gte=min_sources)
    if needs_location:
        found = found.filter(needs_location=True)
    return found.order_by(*order, "pk")


def _first_place(incident: str = "pk") -> Subquery:
    """Where the incident (the outer row's field ``incident``) is in words, for a card:
    the place text of its first report that gave one (staff only; the public sees only
    the label staff write)."""
    return Subquery(
        Report.objects.filter(incident=OuterRef(incident))
        .exclude(place="")
        .order_by("received_at", "id")
        .values("place")[:1]
    )


def outside_count() -> int:
    """Incidents in play outside the service area (the queue links to them)."""
    return (
        Incident.objects.exclude(status=IncidentStatus.CLOSED)
        .filter(merged_into__isnull=True, outside_service_area=True)
        .count()
    )


def incident_timeline(incident: Incident) -> QuerySet[IncidentEvent]:
    return (
        IncidentEvent.objects.filter(incident=incident)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def usernames_in(events: list[IncidentEvent]) -> dict[int, str]:
    """Usernames of the responders a timeline names. Event data keeps user ids only
    (nothing personal outlives an account in the audit log): one query for all."""
    ids = {e.data.get("responder") for e in events if isinstance(e.data, dict)}
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return {}
    return dict(User.objects.filter(pk__in=wanted).values_list("pk", "username"))


def incident_reports(incident: Incident) -> QuerySet[Report]:
    return Report.objects.filter(incident=incident).order_by("observed_at", "id")


def incident_dispatches(incident: Incident) -> QuerySet[Dispatch]:
    return Dispatch.objects.filter(incident=incident).select_related("responder")


def incident_verifications(incident: Incident) -> QuerySet[Verification]:
    return Verification.objects.filter(incident=incident).select_related("verified_by")


@dataclass(frozen=True)
class NearbyResponder:
    responder: User
    distance_km: float
    radius_km: float
    dispatch_status: str | None

    @property
    def dispatch_label(self) -> str:
        """The dispatch's state in the reader's language ("" if never sent)."""
        return str(DispatchStatus(self.dispatch_status).label) if self.dispatch_status else ""


def nearest_available_responders(incident: Incident, *, limit: int = 10) -> list[NearbyResponder]:
    """Available responders whose area covers the incident, nearest first.

    1. One query on the (is_available, lat) index: available responders inside the
       band of ±``MAX_RADIUS_KM`` around the incident (latitude, then longitude).
    2. Keep those whose own radius reaches the incident (exact great-circle distance).
    3. One query for the dispatches this incident already has, to mark who was sent.
    Complexity: two queries; work proportional to the responders in the band, never
    to all users.
    """
    if incident.lat is None or incident.lng is None:
        return []
    lat, lng = incident.lat, incident.lng
    band_lat = MAX_RADIUS_KM / KM_PER_DEGREE_LAT
    band_lng = MAX_RADIUS_KM / (KM_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01))
    rows = Availability.objects.filter(
        is_available=True,
        lat__range=(lat - band_lat, lat + band_lat),
        lng__range=(lng - band_lng, lng + band_lng),
        responder__role=Role.RESPONDER,
        responder__is_active=True,
    ).select_related("responder")
    found: list[tuple[float, Availability]] = []
    candidates = list(rows)
    unfit = unfit_for_dispatch([row.responder for row in candidates])
    for row in candidates:
        if row.responder_id in unfit:
            continue
        if row.lat is None or row.lng is None:
            continue
        distance = geo.distance_km(lat, lng, row.lat, row.lng)
        if distance <= row.radius_km:
            found.append((distance, row))
    found.sort(key=lambda item: (item[0], item[1].responder.username))
    found = found[:limit]
    statuses = dict(
        Dispatch.objects.filter(
            incident=incident, responder__in=[row.responder for _, row in found]
        ).values_list("responder_id", "status")
    )
    return [
        NearbyResponder(
            responder=row.responder,
            distance_km=round(distance, 1),
            radius_km=row.radius_km,
            dispatch_status=statuses.get(row.responder_id),
        )
        for distance, row in found
    ]


def unfit_for_dispatch(people: Iterable[User]) -> dict[int, str]:
    """``{person id: reason}`` for those of ``people`` who may not be dispatched, as
    the apps above say (``hooks.dispatch_refusals``: the organizing app refuses
    committee members without a valid responder training)."""
    chosen = list(people)
    refused: dict[int, str] = {}
    if not chosen:
        return refused
    for answer in hooks.dispatch_refusals.call(chosen):
        for pk, reason in answer.items():
            refused.setdefault(pk, reason)
    return refused


def responder_choices() -> QuerySet[User]:
    """Everyone who may be dispatched (for the dispatch form's list): active
    responders, less those a dispatch rule refuses (``hooks.dispatch_refusals``)."""
    people = User.objects.filter(role=Role.RESPONDER, is_active=True).order_by("username")
    unfit = unfit_for_dispatch(people)
    return people.exclude(pk__in=unfit) if unfit else people


# Responder ----------------------------------------------------------------------------------


def responder_dispatches(user: User) -> QuerySet[Dispatch]:
    """A responder's requests: live ones first (newest first), then the last few days'."""
    since = timezone.now() - timedelta(days=3)
    return (
        Dispatch.objects.filter(responder=user)
        .filter(
            Q(status__in=[DispatchStatus.REQUESTED, DispatchStatus.ACKNOWLEDGED])
            | Q(created_at__gte=since)
        )
        .select_related("incident")
        .annotate(first_place=_first_place("incident_id"))
        .order_by("-created_at")[:50]
    )


# Staff API ----------------------------------------------------------------------------------


def staff_incidents(
    user: User, *, statuses: list[str] | None = None, limit: int = 100
) -> QuerySet[Incident]:
    """The incidents ``user`` may see, newest first, optionally of some statuses only."""
    incidents = incidents_visible_to(user)
    if statuses:
        incidents = incidents.filter(status__in=statuses)
    return incidents.order_by("-last_seen_at", "pk")[:limit]


# Periodic work ------------------------------------------------------------------------------


def quiet_incident_ids(now: datetime, *, quiet_hours: int) -> list[Any]:
    """Ids of incidents with no report and no change for ``quiet_hours`` (the
    (status, last_seen_at) index finds them)."""
    cutoff = now - timedelta(hours=quiet_hours)
    return list(
        Incident.objects.exclude(status=IncidentStatus.CLOSED)
        .filter(last_seen_at__lt=cutoff, updated_at__lt=cutoff)
        .values_list("pk", flat=True)[:1000]
    )


def overdue_dispatch_ids(now: datetime) -> list[int]:
    """Ids of requests nobody acknowledged in time (the (status, acknowledge_by) index)."""
    return list(
        Dispatch.objects.filter(
            status=DispatchStatus.REQUESTED, acknowledge_by__lt=now
        ).values_list("pk", flat=True)[:1000]
    )


# Public -------------------------------------------------------------------------------------


def _last_outcome() -> Subquery:
    return Subquery(
        Verification.objects.filter(incident=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("outcome")[:1]
    )


def public_confirmed(now: datetime | None = None) -> QuerySet[Incident]:
    """Incidents confirmed on the ground and active in the last 24 hours, still
    confirmed or since closed (a later correction to false removes them, and so does
    an alert retracted as sent in error, until the incident is confirmed again)."""
    now = now or timezone.now()
    since = now - PUBLIC_WINDOW
    last_checked = Subquery(
        Verification.objects.filter(incident=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    last_withdrawn = Subquery(
        IncidentEvent.objects.filter(incident=OuterRef("pk"), type=IncidentEvent.Type.WITHDRAWN)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    return (
        Incident.objects.using(public_reads())
        .filter(
            status__in=[IncidentStatus.CONFIRMED, IncidentStatus.CLOSED],
            merged_into__isnull=True,
        )
        .filter(Q(last_seen_at__gte=since) | Q(verified_at__gte=since))
        .annotate(
            last_outcome=_last_outcome(),
            last_checked_at=last_checked,
            last_withdrawn_at=last_withdrawn,
        )
        .filter(last_outcome=Outcome.CONFIRMED)
        .filter(Q(last_withdrawn_at__isnull=True) | Q(last_withdrawn_at__lt=F("last_checked_at")))
        .order_by("-last_seen_at", "pk")[:PUBLIC_LIMIT]
    )


def rumor_control(now: datetime | None = None) -> QuerySet[Incident]:
    """Incidents checked in the last week and found false or unconfirmed, newest check
    first."""
    now = now or timezone.now()
    checked = [Outcome.FALSE, Outcome.UNCONFIRMED]
    return (
        Incident.objects.filter(
            status__in=[*checked, IncidentStatus.CLOSED],
            merged_into__isnull=True,
            verified_at__gte=now - RUMOR_WINDOW,
        )
        .annotate(last_outcome=_last_outcome())
        .filter(last_outcome__in=checked)
        .order_by("-verified_at", "pk")[:PUBLIC_LIMIT]
    )


@dataclass(frozen=True)
class PublicIncident:
    """What the public may know about an incident: no point, no reporter text."""

    id: str
    kind: str
    kind_label: str
    status: str
    public_label: str
    cell: str | None
    lat: float | None
    lng: float | None
    boundary: list[tuple[float, float]]
    first_seen_at: datetime
    last_seen_at: datetime
    checked_at: datetime | None
    outcome: str | None

    @property
    def area(self) -> str:
        """The public label, or the cell centre to two decimals (about a kilometre)."""
        if self.public_label:
            return self.public_label
        if self.lat is not None and self.lng is not None:
            return f"{self.lat:.2f}, {self.lng:.2f}"
        return ""


def _to_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def public_view(incident: Incident) -> PublicIncident:
    """Coarsen an incident for the public: its H3 resolution-8 cell (outline and centre,
    rounded), times to the minute, the staff-written label. Never the report points,
    the centroid or anything a reporter wrote."""
    cell = incident.cell
    centre = geo.cell_center(cell) if cell is not None else None
    return PublicIncident(
        id=str(incident.pk),
        kind=incident.kind,
        kind_label=str(incident.get_kind_display()),
        status=incident.status,
        public_label=incident.public_label,
        cell=f"{cell:x}" if cell is not None else None,
        lat=round(centre[0], 4) if centre else None,
        lng=round(centre[1], 4) if centre else None,
        boundary=(
            [(round(a, 6), round(b, 6)) for a, b in geo.cell_boundary(cell)]
            if cell is not None
            else []
        ),
        first_seen_at=_to_minute(incident.first_seen_at),
        last_seen_at=_to_minute(incident.last_seen_at),
        checked_at=_to_minute(incident.verified_at) if incident.verified_at else None,
        outcome=getattr(incident, "last_outcome", None),
    )


def public_geojson(items: list[PublicIncident]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946): one Polygon per incident's cell, rings
    closed and counter-clockwise, coordinates as [longitude, latitude]."""
    features: list[dict[str, Any]] = []
    for item in items:
        geometry: dict[str, Any] | None = None
        if item.boundary:
            ring = [[lng, lat] for lat, lng in item.boundary]
            if _signed_area(ring) < 0:
                ring.reverse()
            ring.append(ring[0])
            geometry = {"type": "Polygon", "coordinates": [ring]}
        features.append(
            {
                "type": "Feature",
                "id": item.id,
                "geometry": geometry,
                "properties": {
                    "kind": item.kind,
                    "kind_label": item.kind_label,
                    "status": item.status,
                    "public_label": item.public_label,
                    "cell": item.cell,
                    "lat": item.lat,
                    "lng": item.lng,
                    "first_seen_at": item.first_seen_at.isoformat(),
                    "last_seen_at": item.last_seen_at.isoformat(),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _signed_area(ring: list[list[float]]) -> float:
    """Twice the signed area of a ring (shoelace); positive when counter-clockwise."""
    return sum(
        ring[i][0] * ring[(i + 1) % len(ring)][1] - ring[(i + 1) % len(ring)][0] * ring[i][1]
        for i in range(len(ring))
    )


def merge_candidates(incident: Incident, *, limit: int = 20) -> list[Incident]:
    """Open incidents this one might be merged into: those within about 20 km, nearest
    first (one query on a latitude band), or the latest ones when it has no location."""
    others = (
        Incident.objects.exclude(status=IncidentStatus.CLOSED)
        .filter(merged_into__isnull=True)
        .exclude(pk=incident.pk)
    )
    if incident.lat is None or incident.lng is None:
        return list(others.order_by("-last_seen_at")[:limit])
    lat, lng = incident.lat, incident.lng
    band = 0.2
    rows = list(
        others.filter(
            lat__range=(lat - band, lat + band), lng__range=(lng - band, lng + band)
        ).order_by("-last_seen_at")[:200]
    )
    rows.sort(key=lambda row: geo.distance_km(lat, lng, row.lat or lat, row.lng or lng))
    return rows[:limit]


# Permission-checked getters ------------------------------------------------------------


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    """Every incident ``user`` may see (the rule behind ``get_incident_for_user``, for
    lists):

    - dispatchers and admins: every incident;
    - responders: only incidents they were dispatched to (not declined, not expired
      before they acknowledged);
    - everyone else: none.
    """
    if not user.is_authenticated:
        return Incident.objects.none()
    if user.is_dispatcher:
        return Incident.objects.all()
    if user.role == Role.RESPONDER:
        return Incident.objects.filter(
            pk__in=Dispatch.objects.filter(
                responder=user,
                status__in=[
                    DispatchStatus.REQUESTED,
                    DispatchStatus.ACKNOWLEDGED,
                    DispatchStatus.COMPLETED,
                ],
            ).values("incident_id")
        )
    return Incident.objects.none()


def get_incident_for_user(user: User, incident_id: object, *, write: bool = False) -> Incident:
    """An incident ``user`` may see (or, with ``write``, act on): see
    ``incidents_visible_to``. For a responder, write means filing the outcome; what
    else a dispatcher may do is decided by the action (``require_role``)."""
    pk = parse_uuid(incident_id)
    try:
        return incidents_visible_to(user).get(pk=pk)
    except Incident.DoesNotExist:
        raise Http404 from None


SHORT_ID_RE = re.compile(r"^[0-9a-f]{6,31}$")


def incidents_by_short_id(user: User, text: str) -> list[Incident]:
    """The incidents ``user`` may see whose id starts with ``text`` (the 8 hex digits
    the console shows everywhere; 6 to 31 of them, dashes ignored), at most two: one
    means found, two means give more of the id. Anything else matches nothing."""
    prefix = text.strip().lower().replace("-", "")
    if not SHORT_ID_RE.match(prefix):
        return []
    if connection.features.has_native_uuid_field:
        # PostgreSQL compares the id's canonical text, with its dashes.
        dashed = "-".join(prefix[a:b] for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32)))
        prefix = dashed.rstrip("-")
    return list(incidents_visible_to(user).filter(pk__startswith=prefix).order_by("pk")[:2])


def get_report_for_user(user: User, report_id: object) -> Report:
    """A report of an incident ``user`` may see (its description and photo are for
    staff on that incident only)."""
    pk = parse_uuid(report_id)
    try:
        return Report.objects.select_related("incident").get(
            pk=pk, incident__in=incidents_visible_to(user)
        )
    except Report.DoesNotExist:
        raise Http404 from None


def get_dispatch_for_responder(user: User, dispatch_id: object) -> Dispatch:
    """A dispatch addressed to ``user`` themself."""
    try:
        pk = int(str(dispatch_id))
        return Dispatch.objects.select_related("incident").get(pk=pk, responder=user)
    except (ValueError, Dispatch.DoesNotExist):
        raise Http404 from None
