"""Writes to reports and incidents. Every function here runs under
``transaction.atomic``, records a timeline row per state change (``events.record_event``)
and leaves side effects (live updates) to ``transaction.on_commit``.

The reporting half (submitting a report) comes first; dispatch, verification and the
console's actions follow below it.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vecinos.accounts.access import Forbidden, require_role
from vecinos.accounts.models import Role, User
from vecinos.core import bulk, crypto, geo, service_area
from vecinos.reports import clustering, photos, queries
from vecinos.reports.events import record_event, record_events
from vecinos.reports.models import (
    Agency,
    Availability,
    Channel,
    Dispatch,
    DispatchStatus,
    Incident,
    IncidentEvent,
    IncidentStatus,
    Kind,
    Outcome,
    Report,
    Verification,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Reporting ---------------------------------------------------------------------------------

MAX_PLACE = 200
MAX_DESCRIPTION = 2000
MAX_LANGUAGE = 16
MAX_VEHICLES = 200
MAX_OFFICERS = 500
MAX_AGE = timedelta(hours=24)
MAX_AHEAD = timedelta(minutes=5)
# ``Kind.values`` builds a new list on every access; this is read per report.
KINDS = tuple(Kind.values)
SOURCE_TAG_PURPOSE = "reports.Report.source_tag"
IDEMPOTENCY_PURPOSE = "reports.Report.idempotency_key"
# What a client may send as an idempotency key: a UUID, a ULID, random base64url...
IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9._:~+/=-]{8,128}$")
# Control characters other than tab and newlines, and lone surrogates: neither
# database stores them faithfully (PostgreSQL refuses NUL outright).
_FORBIDDEN_CHARS = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f"}


def source_tag(*, channel: str, client_key: str) -> str:
    """A short keyed hash saying "same client or not" and nothing else. ``client_key``
    is already a day-scoped pseudonym (or, for SMS, whatever the channel uses to tell
    senders apart), so the same person on another day counts as a new source."""
    return crypto.keyed_hash(f"{channel}\x00{client_key}", purpose=SOURCE_TAG_PURPOSE)[:16]


def text_problem(value: str) -> str | None:
    if any(ch in _FORBIDDEN_CHARS or "\ud800" <= ch <= "\udfff" for ch in value):
        return _("Remove the control characters from this text.")
    return None


def check_report(
    *,
    kind: str,
    lat: float | None,
    lng: float | None,
    place: str,
    description: str,
    observed_at: datetime,
    agencies: Iterable[str],
    vehicles: int | None,
    officers: int | None,
    language: str,
    channel: str,
    needs_location: bool,
    now: datetime,
) -> None:
    """Raise ``ValidationError`` (a dict naming each field) unless the report obeys the
    domain rules. The API and the form check shapes first; this is the last word."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if kind not in KINDS:
        refuse("kind", _("Choose what you saw."))
    if channel not in Channel.values:
        refuse("channel", _("Unknown channel."))
    if (lat is None) != (lng is None):
        refuse("lat" if lat is None else "lng", _("Give both latitude and longitude."))
    elif lat is None or lng is None:
        if not needs_location:
            refuse("lat", _("Give a location."))
    elif not geo.valid_point(lat, lng) or isinstance(lat, bool) or isinstance(lng, bool):
        refuse("lat", _("The location is not a point on Earth."))
    for field, value, limit in (
        ("place", place, MAX_PLACE),
        ("description", description, MAX_DESCRIPTION),
        ("language", language, MAX_LANGUAGE),
    ):
        if not isinstance(value, str):
            refuse(field, _("Enter text."))
        elif len(value) > limit:
            refuse(
                field,
                _("Use at most %(limit)s characters.") % {"limit": limit},
            )
        elif problem := text_problem(value):
            refuse(field, problem)
    if not isinstance(observed_at, datetime) or timezone.is_naive(observed_at):
        refuse("observed_at", _("Give a date and time with a time zone."))
    elif observed_at < now - MAX_AGE:
        refuse("observed_at", _("Report only what you saw in the last 24 hours."))
    elif observed_at > now + MAX_AHEAD:
        refuse("observed_at", _("That time is in the future."))
    if any(agency not in Agency.values for agency in agencies):
        refuse("agencies", _("Choose agencies from the list."))
    for field, count, limit in (
        ("vehicles", vehicles, MAX_VEHICLES),
        ("officers", officers, MAX_OFFICERS),
    ):
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= limit
        ):
            refuse(field, _("Enter a number from 0 to %(limit)s.") % {"limit": limit})
    if errors:
        raise ValidationError(errors)


def idempotency_hash(key: str | None) -> str | None:
    """The keyed hash stored for a client's idempotency key (``None`` without one).
    The key itself is never stored: only equality with a resend is needed."""
    if not key:
        return None
    if not isinstance(key, str) or not IDEMPOTENCY_KEY_RE.match(key):
        raise ValidationError(
            {
                "idempotency_key": _(
                    "The idempotency key must be 8 to 128 letters, digits or . _ : ~ + / = -"
                    " (a UUID is a good choice)."
                )
            }
        )
    return crypto.keyed_hash(key, purpose=IDEMPOTENCY_PURPOSE)


def _already_stored(key_hash: str | None) -> Report | None:
    if key_hash is None:
        return None
    return Report.objects.filter(idempotency_hash=key_hash).first()


def submit_report(
    *,
    kind: str,
    lat: float | None,
    lng: float | None,
    place: str = "",
    description: str = "",
    observed_at: datetime | None = None,
    agencies: Iterable[str] = (),
    vehicles: int | None = None,
    officers: int | None = None,
    language: str = "",
    channel: str,
    client_key: str,
    photo: Any = None,
    needs_location: bool = False,
    idempotency_key: str = "",
    now: datetime | None = None,
) -> Report:
    """Store one report and put it into an incident.

    0. With an ``idempotency_key`` (a client's resend of the same report: the
       offline queue, a retry after a 503 or a lost answer), a report already
       stored under that key is returned as it is, and nothing new is stored.

    1. Check the domain rules (``check_report``) and clean the photo (decode, strip
       every piece of metadata, re-encode) before touching the database.
    2. In one transaction: find the open incident it joins (``clustering``: one
       indexed query) or open a new one; a report without a location (an SMS that
       names no place we can map) opens its own incident marked ``needs_location``.
    3. Insert the report, then refresh the incident from its reports in one
       aggregate query: centroid, first/last seen, report and source counts,
       confidence, agencies; record ``opened`` or ``report_added`` on its timeline.
    4. Commit. When this returns, the report is durably stored (SQLite runs in WAL
       mode with synchronous=FULL; PostgreSQL commits are durable), so the API may
       acknowledge it. The live update to the consoles goes out after the commit.

    The photo file is written before the commit and removed again if the transaction
    fails; a file orphaned by an outer transaction rolling back is swept up by the
    retention job.
    """
    earlier = _already_stored(idempotency_hash(idempotency_key))
    if earlier is not None:
        return earlier
    prepared = _prepare_report(
        kind=kind,
        lat=lat,
        lng=lng,
        place=place,
        description=description,
        observed_at=observed_at,
        agencies=agencies,
        vehicles=vehicles,
        officers=officers,
        language=language,
        channel=channel,
        client_key=client_key,
        photo=photo,
        needs_location=needs_location,
        idempotency_key=idempotency_key,
        now=now,
    )
    try:
        with transaction.atomic():
            report = _store_report(**prepared.store_kwargs())
    except IntegrityError:
        photos.delete_photo(prepared.photo_name)
        # The same key committed by a concurrent request (PostgreSQL) since we looked.
        earlier = _already_stored(prepared.key_hash)
        if earlier is None:
            raise
        return earlier
    except BaseException:
        photos.delete_photo(prepared.photo_name)
        raise
    return report


@dataclass
class _Prepared:
    """A report that passed the domain rules, its photo stored: ready to insert."""

    kind: str
    lat: float | None
    lng: float | None
    place: str
    description: str
    observed_at: datetime
    agencies: list[str]
    vehicles: int | None
    officers: int | None
    language: str
    channel: str
    tag: str
    photo_name: str
    key_hash: str | None
    now: datetime

    def store_kwargs(self) -> dict[str, Any]:
        return {item.name: getattr(self, item.name) for item in dataclasses.fields(self)}


def _prepare_report(
    *,
    kind: str,
    lat: float | None,
    lng: float | None,
    place: str = "",
    description: str = "",
    observed_at: datetime | None = None,
    agencies: Iterable[str] = (),
    vehicles: int | None = None,
    officers: int | None = None,
    language: str = "",
    channel: str,
    client_key: str,
    photo: Any = None,
    needs_location: bool = False,
    idempotency_key: str = "",
    now: datetime | None = None,
) -> _Prepared:
    """Step 1 of ``submit_report``: normalise, check the domain rules, clean and
    store the photo. No database access; raises ``ValidationError``."""
    now = now or timezone.now()
    key_hash = idempotency_hash(idempotency_key)
    observed_at = observed_at or now
    agencies = sorted(set(agencies))
    place = place.strip() if isinstance(place, str) else place
    description = description.strip() if isinstance(description, str) else description
    check_report(
        kind=kind,
        lat=lat,
        lng=lng,
        place=place,
        description=description,
        observed_at=observed_at,
        agencies=agencies,
        vehicles=vehicles,
        officers=officers,
        language=language,
        channel=channel,
        needs_location=needs_location,
        now=now,
    )
    located = lat is not None and lng is not None
    clean = (
        photo
        if isinstance(photo, photos.CleanPhoto) or photo is None
        else photos.clean_photo(photo)
    )
    photo_name = photos.store_photo(clean) if clean is not None else ""
    return _Prepared(
        kind=kind,
        lat=lat if located else None,
        lng=lng if located else None,
        place=place,
        description=description,
        observed_at=observed_at,
        agencies=agencies,
        vehicles=vehicles,
        officers=officers,
        language=language,
        channel=channel,
        tag=source_tag(channel=channel, client_key=client_key),
        photo_name=photo_name,
        key_hash=key_hash,
        now=now,
    )


def _store_report(
    *,
    kind: str,
    lat: float | None,
    lng: float | None,
    place: str,
    description: str,
    observed_at: datetime,
    agencies: list[str],
    vehicles: int | None,
    officers: int | None,
    language: str,
    channel: str,
    tag: str,
    photo_name: str,
    key_hash: str | None = None,
    now: datetime,
) -> Report:
    incident = None
    cell = None
    if lat is not None and lng is not None:
        cell = geo.cell_for(lat, lng)
        incident = clustering.find_incident(kind=kind, lat=lat, lng=lng, observed_at=observed_at)
    opened = incident is None
    if incident is None:
        incident = _new_incident(
            kind=kind,
            lat=lat,
            lng=lng,
            cell=cell,
            observed_at=observed_at,
            agencies=agencies,
            now=now,
        )
        incident.save(force_insert=True)
    report = Report(
        incident=incident,
        kind=kind,
        lat=lat,
        lng=lng,
        cell=cell,
        place=place,
        description=description,
        observed_at=observed_at,
        received_at=now,
        agencies=agencies,
        vehicles=vehicles,
        officers=officers,
        language=language,
        channel=channel,
        source_tag=tag,
        idempotency_hash=key_hash,
    )
    if photo_name:
        report.photo.name = photo_name
    report.save(force_insert=True)

    if opened:
        record_event(incident, IncidentEvent.Type.OPENED, report=str(report.id), channel=channel)
    else:
        refresh_incident(incident, now=now, new_agencies=agencies, new_kind=kind)
        record_event(
            incident, IncidentEvent.Type.REPORT_ADDED, report=str(report.id), channel=channel
        )
    return report


def _new_incident(
    *,
    kind: str,
    lat: float | None,
    lng: float | None,
    cell: int | None,
    observed_at: datetime,
    agencies: list[str],
    now: datetime,
) -> Incident:
    """The incident a report opens, not yet saved."""
    first = clustering.Tally(reports=1, sources=1, agreeing=1)
    return Incident(
        kind=kind,
        lat=lat,
        lng=lng,
        cell=cell,
        first_seen_at=observed_at,
        last_seen_at=observed_at,
        report_count=1,
        source_count=1,
        agencies=agencies,
        confidence=clustering.confidence(tally=first, last_seen_at=observed_at, now=now),
        needs_location=cell is None,
        outside_service_area=not service_area.covers(lat, lng),
        created_at=now,
        updated_at=now,
    )


# Batches (the SQLite group-commit writer) ---------------------------------------------------

logger = logging.getLogger(__name__)

# The baseline of an existing incident a batch joins: what its centroid and span are
# made of, so that later reports of the batch see it moved as ``refresh_incident`` would.
BASELINE_SQL = (
    "SELECT COUNT(lat), SUM(lat), SUM(lng), MIN(observed_at), MAX(observed_at) "
    "FROM reports_report WHERE incident_id = %s"
)


@dataclass
class _Pending:
    """An incident as the batch has left it so far, before anything is written."""

    pk: uuid.UUID
    incident: Incident | None  # the new instance; an existing one is loaded at the end
    kind: str
    located: int
    lat_sum: float
    lng_sum: float
    first_seen_at: datetime
    last_seen_at: datetime
    cell: int | None = None
    lat: float | None = None
    lng: float | None = None
    joined: int = 0  # reports of the batch that joined it (not the one that opened it)
    agencies: set[str] = dataclasses.field(default_factory=set)
    now: datetime | None = None  # the ``now`` of the last report that joined it

    def add(self, prepared: _Prepared, lat: float, lng: float) -> None:
        """What ``refresh_incident`` does to the summary, kept in memory."""
        if self.kind == Kind.OTHER and prepared.kind != Kind.OTHER:
            self.kind = prepared.kind
        self.located += 1
        self.lat_sum += lat
        self.lng_sum += lng
        self.lat, self.lng = self.lat_sum / self.located, self.lng_sum / self.located
        self.cell = geo.cell_for(self.lat, self.lng)
        self.first_seen_at = min(self.first_seen_at, prepared.observed_at)
        self.last_seen_at = max(self.last_seen_at, prepared.observed_at)
        self.joined += 1
        self.agencies.update(prepared.agencies)
        self.now = prepared.now

    def candidate(self) -> clustering.Candidate:
        return clustering.Candidate(self.pk, self.kind, self.lat, self.lng, self.last_seen_at)


def submit_reports(jobs: list[dict[str, Any]]) -> list[Report | Exception]:
    """``submit_report`` for each of ``jobs`` (its keyword arguments), in order, with
    the same rows, timeline and live updates, written in a few statements per batch
    instead of a few per report. The caller commits (the writer's one transaction);
    result i is job i's report, or the exception that refused it.

    1. Per job, without the database: the domain rules and the photo
       (``_prepare_report``); a refused job fails alone.
    2. The clustering decision, per job in order. Stored incidents near any report
       of the batch come from ONE indexed query (``clustering.candidates_for_batch``);
       each report keeps those ``within_reach`` of it (the test of
       ``clustering.candidates``), minus the ones the batch already touched, plus
       the incidents this batch opened or joined so far, as the batch left them in
       memory (``_Pending``: kind, centroid, cell, span). So a report joins the
       incident an earlier report of the same batch opened, exactly as it would one
       by one. The first report of the batch to join a stored incident reads that
       incident's baseline (located reports, coordinate sums, span) in one aggregate
       query; the centroid used for later decisions is the same mean, summed in
       Python.
    3. Per batch: one INSERT of the new incidents, one of the reports, one of the
       timeline rows (``record_events``: the same live update per row after
       commit), then ``_refresh_incidents`` for every incident reports joined: one
       aggregate query and one UPDATE for all, at the ``now`` of the last report
       that joined each, so the stored summary is the one the last of
       ``submit_report``'s refreshes would write. An incident opened by one report
       and joined by none keeps the summary it was created with, as one by one.
    4. If step 2 or 3 fails unexpectedly, both are rolled back to a savepoint and
       each job is stored on its own (``_store_report`` in its own savepoint), so
       one bad report cannot lose the others.

    Cost: one clustering query and about six statements per batch, plus one small
    aggregate per stored incident joined, instead of about six statements per
    report (five of them compiled by the ORM each time).
    """
    results: list[Report | Exception | None] = [None] * len(jobs)
    resends = _resends(jobs, results)
    ready: list[tuple[int, _Prepared]] = []
    for index, kwargs in enumerate(jobs):
        if results[index] is not None or index in resends:
            continue
        try:
            ready.append((index, _prepare_report(**kwargs)))
        except Exception as error:
            results[index] = error
    stored: list[Report | Exception] = []
    if not ready:
        for index, first in resends.items():
            results[index] = results[first]
        return [result or RuntimeError("not stored") for result in results]
    try:
        with transaction.atomic():
            stored.extend(_store_batch([prepared for _, prepared in ready]))
    except Exception:
        logger.exception("a batch of %d reports failed; storing them one by one", len(ready))
        stored = []
        for _, prepared in ready:
            try:
                with transaction.atomic():
                    stored.append(_store_report(**prepared.store_kwargs()))
            except Exception as error:
                photos.delete_photo(prepared.photo_name)
                earlier = (
                    _already_stored(prepared.key_hash)
                    if isinstance(error, IntegrityError)
                    else None
                )
                stored.append(earlier or error)
    except BaseException:
        for _, prepared in ready:
            photos.delete_photo(prepared.photo_name)
        raise
    for (index, _), outcome in zip(ready, stored, strict=True):
        results[index] = outcome
    for index, first in resends.items():
        results[index] = results[first]
    return [result or RuntimeError("not stored") for result in results]


def _resends(
    jobs: list[dict[str, Any]], results: list[Report | Exception | None]
) -> dict[int, int]:
    """Step 0 of ``submit_reports``: jobs whose idempotency key is already stored get
    that report as their result (one query for the batch); a job repeating the key of
    an earlier job of the same batch is answered with that job's result (returned as
    {index: index of the first}); a malformed key fails its job."""
    hashes: list[str | None] = []
    for index, kwargs in enumerate(jobs):
        try:
            hashes.append(idempotency_hash(kwargs.get("idempotency_key")))
        except ValidationError as error:
            results[index] = error
            hashes.append(None)
    wanted = {key_hash for key_hash in hashes if key_hash is not None}
    if not wanted:
        return {}
    stored = {r.idempotency_hash: r for r in Report.objects.filter(idempotency_hash__in=wanted)}
    first: dict[str, int] = {}
    resends: dict[int, int] = {}
    for index, key_hash in enumerate(hashes):
        if key_hash is None or results[index] is not None:
            continue
        if key_hash in stored:
            results[index] = stored[key_hash]
        elif key_hash in first:
            resends[index] = first[key_hash]
        else:
            first[key_hash] = index
    return resends


def _store_batch(batch: list[_Prepared]) -> list[Report]:
    """Steps 2 and 3 of ``submit_reports``."""
    pending: dict[uuid.UUID, _Pending] = {}
    new_incidents: list[Incident] = []
    reports: list[Report] = []
    events: list[IncidentEvent] = []
    cells = [
        geo.cell_for(p.lat, p.lng) if p.lat is not None and p.lng is not None else None
        for p in batch
    ]
    stored = _Nearby(
        clustering.candidates_for_batch(
            [
                (cell, p.observed_at)
                for p, cell in zip(batch, cells, strict=True)
                if cell is not None
            ]
        )
    )
    for prepared, cell in zip(batch, cells, strict=True):
        lat, lng = prepared.lat, prepared.lng
        joins: _Pending | None = None
        if lat is not None and lng is not None and cell is not None:
            joins = _cluster_in_batch(prepared, lat, lng, cell, stored, pending)
        if joins is None:
            incident = _new_incident(
                kind=prepared.kind,
                lat=lat,
                lng=lng,
                cell=cell,
                observed_at=prepared.observed_at,
                agencies=prepared.agencies,
                now=prepared.now,
            )
            new_incidents.append(incident)
            if lat is not None and lng is not None:
                pending[incident.pk] = _Pending(
                    pk=incident.pk,
                    incident=incident,
                    kind=prepared.kind,
                    located=1,
                    lat_sum=lat,
                    lng_sum=lng,
                    first_seen_at=prepared.observed_at,
                    last_seen_at=prepared.observed_at,
                    cell=cell,
                    lat=lat,
                    lng=lng,
                )
            event_type = IncidentEvent.Type.OPENED
            incident_id = incident.pk
        else:
            event_type = IncidentEvent.Type.REPORT_ADDED
            incident_id = joins.pk
        report = Report(
            incident_id=incident_id,
            kind=prepared.kind,
            lat=lat,
            lng=lng,
            cell=cell,
            place=prepared.place,
            description=prepared.description,
            observed_at=prepared.observed_at,
            received_at=prepared.now,
            agencies=prepared.agencies,
            vehicles=prepared.vehicles,
            officers=prepared.officers,
            language=prepared.language,
            channel=prepared.channel,
            source_tag=prepared.tag,
            idempotency_hash=prepared.key_hash,
        )
        if prepared.photo_name:
            report.photo.name = prepared.photo_name
        reports.append(report)
        events.append(
            IncidentEvent(
                incident_id=incident_id,
                type=event_type,
                data={"report": str(report.id), "channel": prepared.channel},
            )
        )

    bulk.insert(Incident, new_incidents)
    bulk.insert(Report, reports)
    joined = [entry for entry in pending.values() if entry.joined]
    existing_ids = [entry.pk for entry in joined if entry.incident is None]
    incidents = {incident.pk: incident for incident in new_incidents}
    if existing_ids:
        rows = Incident.objects.filter(pk__in=existing_ids).order_by("pk")
        if connection.features.has_select_for_update:
            rows = rows.select_for_update()
        incidents.update((incident.pk, incident) for incident in rows)
    _refresh_incidents(
        [
            (incidents[entry.pk], entry.now or timezone.now(), entry.agencies, entry.kind)
            for entry in joined
        ]
    )
    for report in reports:
        report.incident = incidents[report.incident_id]
    record_events(events)
    return reports


class _Nearby:
    """The stored incidents near a batch's reports (``candidates_for_batch``), by
    centroid cell, with their primary keys as UUIDs: each report then looks only at
    the few cells of its own ring, not at every row the batch fetched (which made
    step 2 quadratic in the batch size)."""

    def __init__(self, rows: list[clustering.Nearby]) -> None:
        self.by_cell: dict[int, list[tuple[uuid.UUID, clustering.Nearby]]] = {}
        for nearby in rows:
            self.by_cell.setdefault(nearby.cell, []).append((_as_uuid(nearby.candidate.id), nearby))

    def around(self, ring: Iterable[int]) -> Iterator[tuple[uuid.UUID, clustering.Nearby]]:
        for cell in ring:
            yield from self.by_cell.get(cell, ())


def _cluster_in_batch(
    prepared: _Prepared,
    lat: float,
    lng: float,
    cell: int,
    stored: _Nearby,
    pending: dict[uuid.UUID, _Pending],
) -> _Pending | None:
    """The incident a located report of the batch joins (see ``submit_reports``, step
    2), recorded in ``pending`` as the join leaves it; None: it opens a new one.
    ``stored`` holds the stored incidents near any report of the batch."""
    observed_at = prepared.observed_at
    ring = geo.neighbourhood(cell, clustering.ring_size())
    reach = partial(clustering.within_reach, kind=prepared.kind, ring=ring, observed_at=observed_at)
    found = [
        nearby.candidate
        for pk, nearby in stored.around(ring)
        if pk not in pending
        and reach(
            incident_kind=nearby.candidate.kind,
            cell=nearby.cell,
            first_seen_at=nearby.first_seen_at,
            last_seen_at=nearby.candidate.last_seen_at,
        )
    ]
    found.extend(
        entry.candidate()
        for entry in pending.values()
        if reach(
            incident_kind=entry.kind,
            cell=entry.cell,
            first_seen_at=entry.first_seen_at,
            last_seen_at=entry.last_seen_at,
        )
    )
    best = clustering.nearest(lat=lat, lng=lng, found=found)
    if best is None:
        return None
    pk = _as_uuid(best.id)
    entry = pending.get(pk)
    if entry is None:
        entry = _baseline(pk, best)
        pending[pk] = entry
    entry.add(prepared, lat, lng)
    return entry


def _baseline(pk: uuid.UUID, candidate: clustering.Candidate) -> _Pending:
    """An existing incident as its stored reports make it, before the batch joins it."""
    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL, [Incident._meta.pk.get_db_prep_value(pk, connection)])
        located, lat_sum, lng_sum, first, last = cursor.fetchone()
    last_seen_at = clustering.as_aware(last) if last is not None else candidate.last_seen_at
    return _Pending(
        pk=pk,
        incident=None,
        kind=candidate.kind,
        located=located or 0,
        lat_sum=lat_sum or 0.0,
        lng_sum=lng_sum or 0.0,
        first_seen_at=clustering.as_aware(first) if first is not None else last_seen_at,
        last_seen_at=last_seen_at,
        cell=geo.cell_for(candidate.lat, candidate.lng)
        if candidate.lat is not None and candidate.lng is not None
        else None,
        lat=candidate.lat,
        lng=candidate.lng,
    )


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


# One aggregate over the incident's reports (the reports_report incident_id index). Raw
# SQL because it runs for every report that joins an incident, and compiling the same
# aggregate through the ORM cost several times the query itself.
SUMMARY_SQL = (
    "SELECT COUNT(*), COUNT(DISTINCT source_tag), "
    "SUM(CASE WHEN kind = %s THEN 1 ELSE 0 END), AVG(lat), AVG(lng), "
    "MIN(observed_at), MAX(observed_at) FROM reports_report WHERE incident_id = %s"
)


def _summarise_reports(incident: Incident) -> dict[str, Any]:
    pk = Incident._meta.pk.get_db_prep_value(incident.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(SUMMARY_SQL, [incident.kind, pk])
        reports, sources, agreeing, lat, lng, first, last = cursor.fetchone()
    return {
        "reports": reports,
        "sources": sources,
        "agreeing": agreeing or 0,
        "lat": lat,
        "lng": lng,
        "first": clustering.as_aware(first) if first is not None else None,
        "last": clustering.as_aware(last) if last is not None else None,
    }


SUMMARY_FIELDS = (
    "kind",
    "lat",
    "lng",
    "cell",
    "needs_location",
    "first_seen_at",
    "last_seen_at",
    "report_count",
    "source_count",
    "agencies",
    "confidence",
    "updated_at",
)


def refresh_incident(
    incident: Incident,
    *,
    now: datetime,
    new_agencies: Iterable[str] = (),
    new_kind: str | None = None,
) -> Incident:
    """Recompute an incident's summary from its reports in one aggregate query and
    save it: centroid and cell, first/last seen, counts, confidence. Agencies are a
    union (``new_agencies`` are added; none are taken away). An incident of kind
    ``other`` takes ``new_kind`` when that is more specific."""
    _take_kind(incident, new_kind)
    _apply_summary(incident, _summarise_reports(incident), now=now, new_agencies=new_agencies)
    incident.save(update_fields=list(SUMMARY_FIELDS))
    return incident


def _take_kind(incident: Incident, new_kind: str | None) -> None:
    if incident.kind == Kind.OTHER and new_kind and new_kind != Kind.OTHER:
        incident.kind = new_kind


def _apply_summary(
    incident: Incident, summary: dict[str, Any], *, now: datetime, new_agencies: Iterable[str]
) -> None:
    tally = clustering.Tally(
        reports=summary["reports"], sources=summary["sources"], agreeing=summary["agreeing"]
    )
    if summary["lat"] is not None and summary["lng"] is not None:
        incident.lat, incident.lng = summary["lat"], summary["lng"]
        incident.cell = geo.cell_for(incident.lat, incident.lng)
        incident.needs_location = False
    if summary["first"] is not None:
        incident.first_seen_at, incident.last_seen_at = summary["first"], summary["last"]
    incident.report_count = tally.reports
    incident.source_count = tally.sources
    incident.agencies = sorted(set(incident.agencies or []) | set(new_agencies))
    incident.confidence = clustering.confidence(
        tally=tally, last_seen_at=incident.last_seen_at, now=now
    )
    incident.updated_at = now


# ``SUMMARY_SQL`` for several incidents at once, with the count of each kind (the
# incidents' kinds differ, and "agreeing" counts the reports of the incident's kind).
SUMMARY_MANY_SQL = (
    "SELECT incident_id, COUNT(*), COUNT(DISTINCT source_tag), {kinds}, AVG(lat), "
    "AVG(lng), MIN(observed_at), MAX(observed_at) FROM reports_report "
    "WHERE incident_id IN ({ids}) GROUP BY incident_id"
)


def _refresh_incidents(updates: list[tuple[Incident, datetime, set[str], str]]) -> None:
    """``refresh_incident`` for several incidents (incident, now, new agencies, new
    kind): one aggregate query and one UPDATE statement for them all."""
    if not updates:
        return
    kinds = list(KINDS)
    for incident, _now, _agencies, new_kind in updates:
        _take_kind(incident, new_kind)
    prep = Incident._meta.pk.get_db_prep_value
    sql = SUMMARY_MANY_SQL.format(
        kinds=", ".join(["SUM(CASE WHEN kind = %s THEN 1 ELSE 0 END)"] * len(kinds)),
        ids=", ".join(["%s"] * len(updates)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*kinds, *(prep(i.pk, connection) for i, *_ in updates)])
        rows = {_as_uuid(row[0]): row[1:] for row in cursor.fetchall()}
    meta = Incident._meta
    fields = [field for field in meta.concrete_fields if field.name in SUMMARY_FIELDS]
    params = []
    for incident, now, agencies, _kind in updates:
        reports, sources, *by_kind = rows[incident.pk][: 2 + len(kinds)]
        lat, lng, first, last = rows[incident.pk][2 + len(kinds) :]
        summary = {
            "reports": reports,
            "sources": sources,
            "agreeing": by_kind[kinds.index(incident.kind)] or 0,
            "lat": lat,
            "lng": lng,
            "first": clustering.as_aware(first) if first is not None else None,
            "last": clustering.as_aware(last) if last is not None else None,
        }
        _apply_summary(incident, summary, now=now, new_agencies=agencies)
        params.append(
            [
                *(f.get_db_prep_save(getattr(incident, f.attname), connection) for f in fields),
                prep(incident.pk, connection),
            ]
        )
    quote = connection.ops.quote_name
    # Names from the model's own metadata, values as parameters.
    update = "UPDATE {table} SET {columns} WHERE {pk} = %s".format(  # noqa: S608
        table=quote(meta.db_table),
        columns=", ".join(f"{quote(f.get_attname_column()[1] or f.name)} = %s" for f in fields),
        pk=quote(meta.pk.get_attname_column()[1] or "id"),
    )
    with connection.cursor() as cursor:
        cursor.executemany(update, params)


# Dispatch, verification and the console ------------------------------------------------------


class ActionRefused(Exception):
    """A write the rules refuse. ``message`` is translated and safe to show to the user;
    ``status_code`` is what the API answers (409: the state forbids it)."""

    status_code = 409

    def __init__(self, message: StrOrPromise) -> None:
        super().__init__(str(message))
        self.message = message


class InvalidTransition(ActionRefused):
    """The incident's or dispatch's current state does not allow this change."""


class InvalidInput(ActionRefused):
    """The request names something that cannot be used (422)."""

    status_code = 422


# Radius a responder may say they cover, in kilometres.
MIN_RADIUS_KM = 0.5
MAX_RADIUS_KM = queries.MAX_RADIUS_KM
MAX_VERIFICATION_NOTES = 2000
MAX_PUBLIC_LABEL = 120

ACTIVE_DISPATCH = (DispatchStatus.REQUESTED, DispatchStatus.ACKNOWLEDGED)
VERIFIABLE = (IncidentStatus.NEW, IncidentStatus.DISPATCHED)
# Outcomes a dispatcher may correct to once an incident has been checked.
CORRECTIONS: dict[str, frozenset[str]] = {
    IncidentStatus.CONFIRMED: frozenset({IncidentStatus.FALSE}),
    IncidentStatus.UNCONFIRMED: frozenset({IncidentStatus.CONFIRMED, IncidentStatus.FALSE}),
}


def _require_dispatcher(actor: User | None) -> User:
    if actor is None:
        raise Forbidden
    require_role(actor, Role.DISPATCHER)
    return actor


def _locked(incident: Incident) -> Incident:
    """The incident's current row, locked until the transaction ends (PostgreSQL;
    SQLite's immediate transactions already serialise writers)."""
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _status_change(status: str | None) -> dict[str, Any]:
    """Event data for an incident status that changed as a side effect, if it did."""
    return {"status": status} if status else {}


def _status_label(status: str) -> str:
    return str(IncidentStatus(status).label)


# Availability ----------------------------------------------------------------------------


def set_availability(
    *,
    responder: User,
    available: bool,
    lat: float | None = None,
    lng: float | None = None,
    radius_km: float | None = None,
    actor: User,
) -> Availability:
    """Put ``responder`` on or off call, with the area they can cover.

    Only the responder themself (or an admin) changes it. Going on call needs a point
    (the one given, or the last one kept); the radius is 0.5 to 50 km.
    """
    if not actor.is_authenticated or (actor.pk != responder.pk and not actor.is_admin):
        raise Forbidden
    if responder.role != Role.RESPONDER:
        raise Forbidden
    if (lat is None) != (lng is None):
        raise InvalidInput(_("Give both latitude and longitude, or neither."))
    if lat is not None and lng is not None and not geo.valid_point(lat, lng):
        raise InvalidInput(_("That location is not a valid point on the map."))
    if radius_km is not None and not (
        isinstance(radius_km, int | float) and MIN_RADIUS_KM <= radius_km <= MAX_RADIUS_KM
    ):
        raise InvalidInput(
            _("The area you cover must be between %(min)s and %(max)s km.")
            % {"min": MIN_RADIUS_KM, "max": int(MAX_RADIUS_KM)}
        )
    with transaction.atomic():
        availability, _created = Availability.objects.select_for_update().get_or_create(
            responder=responder
        )
        if lat is not None and lng is not None:
            availability.lat, availability.lng = lat, lng
        if radius_km is not None:
            availability.radius_km = float(radius_km)
        if available and (availability.lat is None or availability.lng is None):
            raise InvalidInput(_("Say where you are (or use your location) to go on call."))
        availability.is_available = available
        availability.updated_at = timezone.now()
        availability.save()
    return availability


# Dispatch --------------------------------------------------------------------------------


def dispatch_responders(
    *, incident: Incident, responders: Iterable[User], actor: User
) -> list[Dispatch]:
    """Ask ``responders`` to go and check ``incident``.

    Only dispatchers and admins dispatch, and only people whose role is responder are
    sent. A new incident becomes dispatched. Sending someone who already has a live
    request changes nothing; someone who declined or let it expire is asked again.
    Returns the dispatches that were (re)requested.
    """
    _require_dispatcher(actor)
    people = list({person.pk: person for person in responders}.values())
    if not people:
        raise InvalidInput(_("Choose at least one responder."))
    wrong = sorted(person.username for person in people if person.role != Role.RESPONDER)
    if wrong:
        raise InvalidInput(
            _("Only responders can be dispatched; these are not: %(names)s")
            % {"names": ", ".join(wrong)}
        )
    now = timezone.now()
    acknowledge_by = now + timedelta(minutes=settings.DISPATCH_ACK_MINUTES)
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status not in VERIFIABLE:
            raise InvalidTransition(
                _(
                    "This incident is %(status)s: responders can only be sent to a new "
                    "or dispatched incident."
                )
                % {"status": _status_label(incident.status)}
            )
        existing = {
            d.responder_id: d
            for d in Dispatch.objects.select_for_update().filter(
                incident=incident, responder__in=people
            )
        }
        sent: list[Dispatch] = []
        for person in people:
            dispatch = existing.get(person.pk)
            if dispatch is None:
                dispatch = Dispatch.objects.create(
                    incident=incident,
                    responder=person,
                    dispatched_by=actor,
                    created_at=now,
                    acknowledge_by=acknowledge_by,
                )
            elif dispatch.status in (DispatchStatus.DECLINED, DispatchStatus.EXPIRED):
                dispatch.status = DispatchStatus.REQUESTED
                dispatch.dispatched_by = actor
                dispatch.acknowledge_by = acknowledge_by
                dispatch.acknowledged_at = None
                dispatch.save(
                    update_fields=["status", "dispatched_by", "acknowledge_by", "acknowledged_at"]
                )
            else:
                continue  # already on their way, or already reported back
            record_event(
                incident,
                IncidentEvent.Type.DISPATCHED,
                actor=actor,
                responder=person.pk,
                dispatch=dispatch.pk,
            )
            sent.append(dispatch)
        if sent:
            if incident.status == IncidentStatus.NEW:
                incident.status = IncidentStatus.DISPATCHED
            incident.updated_at = now
            incident.save(update_fields=["status", "updated_at"])
        for dispatch in sent:
            # A failed SMS must not undo a dispatch already committed (robust: logged).
            transaction.on_commit(partial(_notify_responder, dispatch.pk), robust=True)
    return sent


def _notify_responder(dispatch_id: int) -> None:
    """After commit: send the request where the responder chose to get it (SMS, email,
    push; vecinos.delivery). The request is on their page in the app either way."""
    from vecinos.delivery.responders import notify_dispatch

    dispatch = Dispatch.objects.select_related("responder").filter(pk=dispatch_id).first()
    if dispatch is not None and dispatch.status == DispatchStatus.REQUESTED:
        notify_dispatch(dispatch)


def _locked_dispatch(dispatch: Dispatch) -> Dispatch:
    """The dispatch's current row, locked after its incident's (always incident first,
    as every action here does, so two actions never wait on each other in a circle)."""
    Incident.objects.select_for_update().filter(pk=dispatch.incident_id).first()
    return Dispatch.objects.select_for_update().select_related("incident").get(pk=dispatch.pk)


def _after_dispatch_ended(incident: Incident, now: datetime) -> str | None:
    """A dispatched incident nobody is heading to any more goes back to new, so it
    shows up again as needing a responder. Returns the new status, if it changed."""
    incident = _locked(incident)
    still_going = Dispatch.objects.filter(incident=incident, status__in=ACTIVE_DISPATCH).exists()
    if incident.status == IncidentStatus.DISPATCHED and not still_going:
        Incident.objects.filter(pk=incident.pk).update(status=IncidentStatus.NEW, updated_at=now)
        return IncidentStatus.NEW
    Incident.objects.filter(pk=incident.pk).update(updated_at=now)
    return None


def acknowledge_dispatch(*, dispatch: Dispatch, actor: User) -> Dispatch:
    """The responder says they are on their way. Acknowledging twice is harmless."""
    if actor.pk != dispatch.responder_id:
        raise Forbidden
    now = timezone.now()
    with transaction.atomic():
        dispatch = _locked_dispatch(dispatch)
        if dispatch.status == DispatchStatus.ACKNOWLEDGED:
            return dispatch
        if dispatch.status != DispatchStatus.REQUESTED:
            raise InvalidTransition(
                _("This request is %(status)s and can no longer be acknowledged.")
                % {"status": dispatch.get_status_display()}
            )
        if dispatch.incident.status == IncidentStatus.CLOSED:
            raise InvalidTransition(_("This incident has been closed; you need not go."))
        dispatch.status = DispatchStatus.ACKNOWLEDGED
        dispatch.acknowledged_at = now
        dispatch.save(update_fields=["status", "acknowledged_at"])
        Incident.objects.filter(pk=dispatch.incident_id).update(updated_at=now)
        record_event(
            dispatch.incident,
            IncidentEvent.Type.ACKNOWLEDGED,
            actor=actor,
            responder=actor.pk,
            dispatch=dispatch.pk,
        )
    return dispatch


def decline_dispatch(*, dispatch: Dispatch, actor: User) -> Dispatch:
    """The responder cannot go. Declining twice is harmless."""
    if actor.pk != dispatch.responder_id:
        raise Forbidden
    now = timezone.now()
    with transaction.atomic():
        dispatch = _locked_dispatch(dispatch)
        if dispatch.status == DispatchStatus.DECLINED:
            return dispatch
        if dispatch.status not in ACTIVE_DISPATCH:
            raise InvalidTransition(
                _("This request is %(status)s and can no longer be declined.")
                % {"status": dispatch.get_status_display()}
            )
        dispatch.status = DispatchStatus.DECLINED
        dispatch.save(update_fields=["status"])
        status = _after_dispatch_ended(dispatch.incident, now)
        record_event(
            dispatch.incident,
            IncidentEvent.Type.DECLINED,
            actor=actor,
            responder=actor.pk,
            dispatch=dispatch.pk,
            **_status_change(status),
        )
    return dispatch


def expire_dispatch(*, dispatch: Dispatch, now: datetime | None = None) -> bool:
    """Expire a request nobody acknowledged in time (the periodic task calls this).

    Claimed with a conditional update, so running twice, or racing the responder's
    own acknowledgement, does no harm. Returns whether this call expired it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        Incident.objects.select_for_update().filter(pk=dispatch.incident_id).first()
        claimed = Dispatch.objects.filter(
            pk=dispatch.pk, status=DispatchStatus.REQUESTED, acknowledge_by__lt=now
        ).update(status=DispatchStatus.EXPIRED)
        if claimed != 1:
            return False
        dispatch = Dispatch.objects.select_related("incident").get(pk=dispatch.pk)
        status = _after_dispatch_ended(dispatch.incident, now)
        record_event(
            dispatch.incident,
            IncidentEvent.Type.EXPIRED,
            responder=dispatch.responder_id,
            dispatch=dispatch.pk,
            **_status_change(status),
        )
    return True


# Verification ----------------------------------------------------------------------------


def _check_count(value: int | None, maximum: int, field: StrOrPromise) -> None:
    if value is not None and not (isinstance(value, int) and 0 <= value <= maximum):
        raise InvalidInput(
            _("%(field)s must be a whole number from 0 to %(max)s.")
            % {"field": field, "max": maximum}
        )


def verify_incident(
    *,
    incident: Incident,
    outcome: str,
    notes: str = "",
    vehicles: int | None = None,
    officers: int | None = None,
    actor: User,
) -> Verification:
    """Record what was found on the ground: confirmed, unconfirmed or false.

    A responder with a live dispatch to the incident, or a dispatcher, records the
    outcome of a new or dispatched incident. Once checked, only a dispatcher changes
    it, and only as a correction: confirmed to false, or unconfirmed to confirmed or
    false. The responder's dispatch is completed.
    """
    if outcome not in Outcome.values:
        raise InvalidInput(
            _("The outcome must be confirmed, unconfirmed or false, not %(outcome)s.")
            % {"outcome": str(outcome)[:40]}
        )
    notes = (notes or "").strip()
    if len(notes) > MAX_VERIFICATION_NOTES:
        raise InvalidInput(
            _("Notes can be at most %(max)s characters.") % {"max": MAX_VERIFICATION_NOTES}
        )
    _check_count(vehicles, MAX_VEHICLES, _("Vehicles"))
    _check_count(officers, MAX_OFFICERS, _("Officers"))
    if not actor.is_authenticated:
        raise Forbidden
    now = timezone.now()
    with transaction.atomic():
        incident = _locked(incident)
        dispatch = None
        if not actor.is_dispatcher:
            dispatch = (
                Dispatch.objects.select_for_update()
                .filter(incident=incident, responder=actor)
                .exclude(status__in=[DispatchStatus.DECLINED, DispatchStatus.EXPIRED])
                .first()
            )
            if actor.role != Role.RESPONDER or dispatch is None:
                raise Forbidden
        previous = incident.status
        correction = previous not in VERIFIABLE
        if previous == IncidentStatus.CLOSED:
            raise InvalidTransition(
                _("This incident is closed. Reopen it before recording an outcome.")
            )
        if correction and previous == outcome:
            raise InvalidTransition(
                _("This incident is already %(status)s.") % {"status": _status_label(previous)}
            )
        if dispatch is not None and dispatch.status not in ACTIVE_DISPATCH and not correction:
            raise InvalidTransition(_("You already filed an outcome for this incident."))
        if correction and dispatch is not None:
            raise InvalidTransition(
                _(
                    "This incident has already been checked (%(status)s). Tell the "
                    "dispatcher what you see."
                )
                % {"status": _status_label(previous)}
            )
        if correction and outcome not in CORRECTIONS.get(previous, frozenset()):
            raise InvalidTransition(
                _("An incident that is %(status)s cannot be changed to %(outcome)s.")
                % {"status": _status_label(previous), "outcome": _status_label(outcome)}
            )
        verification = Verification.objects.create(
            incident=incident,
            verified_by=actor,
            outcome=outcome,
            notes=notes,
            vehicles=vehicles,
            officers=officers,
            created_at=now,
        )
        incident.status = outcome
        incident.verified_at = now
        incident.updated_at = now
        incident.save(update_fields=["status", "verified_at", "updated_at"])
        if dispatch is not None:
            dispatch.status = DispatchStatus.COMPLETED
            dispatch.completed_at = now
            dispatch.save(update_fields=["status", "completed_at"])
        record_event(
            incident,
            IncidentEvent.Type.VERIFIED,
            actor=actor,
            outcome=outcome,
            previous=previous,
            correction=correction,
            verification=verification.pk,
        )
    return verification


# Closing, merging, splitting, labelling -----------------------------------------------------


def _end_open_dispatches(incident: Incident) -> int:
    return Dispatch.objects.filter(incident=incident, status__in=ACTIVE_DISPATCH).update(
        status=DispatchStatus.EXPIRED
    )


def _close(incident: Incident, *, actor: User | None, now: datetime, reason: str) -> Incident:
    previous = incident.status
    incident.status = IncidentStatus.CLOSED
    incident.closed_at = now
    incident.updated_at = now
    incident.save(update_fields=["status", "closed_at", "updated_at"])
    ended = _end_open_dispatches(incident)
    record_event(
        incident,
        IncidentEvent.Type.CLOSED,
        actor=actor,
        previous=previous,
        reason=reason,
        dispatches_ended=ended,
    )
    return incident


def close_incident(*, incident: Incident, actor: User) -> Incident:
    """A dispatcher closes an incident, whatever it was; open dispatches end."""
    _require_dispatcher(actor)
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status == IncidentStatus.CLOSED:
            raise InvalidTransition(_("This incident is already closed."))
        return _close(incident, actor=actor, now=timezone.now(), reason="dispatcher")


def close_quiet_incident(*, incident: Incident, now: datetime | None = None) -> bool:
    """Close an incident with no report and no change for ``INCIDENT_QUIET_HOURS``
    (the periodic task calls this). The condition is checked again under the lock, so
    a report that arrived meanwhile keeps it open. Returns whether it was closed."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.INCIDENT_QUIET_HOURS)
    with transaction.atomic():
        incident = _locked(incident)
        if (
            incident.status == IncidentStatus.CLOSED
            or incident.last_seen_at >= cutoff
            or incident.updated_at >= cutoff
        ):
            return False
        _close(incident, actor=None, now=now, reason="quiet")
    return True


def reopen_incident(*, incident: Incident, actor: User) -> Incident:
    """A dispatcher reopens a closed incident. It returns to its last outcome if it
    was checked, else to new (dispatches ended when it closed)."""
    _require_dispatcher(actor)
    now = timezone.now()
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status != IncidentStatus.CLOSED:
            raise InvalidTransition(
                _("Only a closed incident can be reopened; this one is %(status)s.")
                % {"status": _status_label(incident.status)}
            )
        if incident.merged_into_id is not None:
            raise InvalidTransition(
                _("This incident was merged into another one; open that one instead.")
            )
        if incident.aggregated_at is not None:
            raise InvalidTransition(
                _("This incident is older than the retention period and cannot be reopened.")
            )
        last = (
            Verification.objects.filter(incident=incident)
            .order_by("-created_at", "-id")
            .values_list("outcome", flat=True)
            .first()
        )
        incident.status = last or IncidentStatus.NEW
        incident.closed_at = None
        incident.updated_at = now
        incident.save(update_fields=["status", "closed_at", "updated_at"])
        record_event(incident, IncidentEvent.Type.REOPENED, actor=actor, status=incident.status)
    return incident


def merge_incidents(*, source: Incident, into: Incident, actor: User) -> Incident:
    """Fold ``source`` into ``into``: the same event, reported twice.

    1. Lock both rows (in a fixed order, so two opposite merges cannot deadlock).
    2. Move every report of ``source`` to ``into``, and ``source``'s live dispatches
       too (unless that responder is already dispatched to ``into``).
    3. Recompute ``into`` (counts, centroid, confidence); ``into`` keeps its status,
       moving from new to dispatched if a live dispatch came with the reports.
    4. Close ``source`` with ``merged_into = into``; earlier merges into ``source``
       now point at ``into``. Both timelines get a row.
    """
    _require_dispatcher(actor)
    if source.pk == into.pk:
        raise InvalidInput(_("An incident cannot be merged into itself."))
    now = timezone.now()
    with transaction.atomic():
        locked = {
            i.pk: i
            for i in Incident.objects.select_for_update()
            .filter(pk__in=[source.pk, into.pk])
            .order_by("pk")
        }
        source, into = locked[source.pk], locked[into.pk]
        for incident in (source, into):
            if incident.status == IncidentStatus.CLOSED:
                raise InvalidTransition(
                    _("Incident %(id)s is closed; reopen it before merging.")
                    % {"id": incident.pk.hex[:8]}
                )
        moved = Report.objects.filter(incident=source).update(incident=into)
        taken = set(Dispatch.objects.filter(incident=into).values_list("responder_id", flat=True))
        live_dispatches = Dispatch.objects.filter(incident=source, status__in=ACTIVE_DISPATCH)
        carried = live_dispatches.exclude(responder_id__in=taken).update(incident=into)
        _end_open_dispatches(source)
        Incident.objects.filter(merged_into=source).update(merged_into=into)
        refresh_incident(into, now=now, new_agencies=source.agencies or [])
        if carried and into.status == IncidentStatus.NEW:
            into.status = IncidentStatus.DISPATCHED
            into.save(update_fields=["status"])
        previous = source.status
        source.merged_into = into
        source.status = IncidentStatus.CLOSED
        source.closed_at = now
        source.report_count = 0
        source.source_count = 0
        source.updated_at = now
        source.save()
        record_event(
            source,
            IncidentEvent.Type.MERGED,
            actor=actor,
            into=str(into.pk),
            reports=moved,
            previous=previous,
        )
        record_event(
            into,
            IncidentEvent.Type.MERGED,
            actor=actor,
            source=str(source.pk),
            reports=moved,
            dispatches=carried,
        )
    return into


def split_report(*, report: Report, actor: User) -> Incident:
    """Move one report out of its incident into a new incident of its own (the
    clustering joined two events that are not one). Both incidents are recomputed
    and both timelines get a row. Returns the new incident."""
    _require_dispatcher(actor)
    now = timezone.now()
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        old = _locked(report.incident)
        if old.status == IncidentStatus.CLOSED:
            raise InvalidTransition(
                _("This incident is closed; reopen it before moving reports out.")
            )
        if Report.objects.filter(incident=old).count() < 2:
            raise InvalidTransition(
                _("This is the incident's only report; there is nothing to split from.")
            )
        new = Incident.objects.create(
            kind=report.kind,
            status=IncidentStatus.NEW,
            lat=report.lat,
            lng=report.lng,
            cell=report.cell,
            needs_location=report.cell is None,
            first_seen_at=report.observed_at,
            last_seen_at=report.observed_at,
            created_at=now,
            updated_at=now,
            is_demo=report.is_demo,
        )
        report.incident = new
        report.save(update_fields=["incident"])
        refresh_incident(new, now=now, new_agencies=report.agencies or [])
        refresh_incident(old, now=now)
        record_event(
            old, IncidentEvent.Type.SPLIT, actor=actor, report=str(report.pk), to=str(new.pk)
        )
        record_event(
            new,
            IncidentEvent.Type.OPENED,
            actor=actor,
            report=str(report.pk),
            split_from=str(old.pk),
        )
    return new


def set_public_label(*, incident: Incident, label: str, actor: User) -> Incident:
    """Set the words the public pages use for the incident's place ("Cesar Chavez Ave &
    Soto St"). Staff write it: reporter text is never published."""
    _require_dispatcher(actor)
    label = " ".join((label or "").split())
    if len(label) > MAX_PUBLIC_LABEL:
        raise InvalidInput(
            _("The public label can be at most %(max)s characters.") % {"max": MAX_PUBLIC_LABEL}
        )
    with transaction.atomic():
        incident = _locked(incident)
        if incident.public_label == label:
            return incident
        incident.public_label = label
        incident.updated_at = timezone.now()
        incident.save(update_fields=["public_label", "updated_at"])
        record_event(incident, IncidentEvent.Type.LABELLED, actor=actor, label=label)
    return incident


def locate_incident(*, incident: Incident, lat: float, lng: float, actor: User) -> Incident:
    """A dispatcher places on the map an incident whose reports gave only words (an SMS
    naming no place we know, a form sent without a map point): its point and cell are
    set and it no longer needs a location, so it can be dispatched to responders
    nearby, shown on the public map once confirmed, and alerted. Also moves an
    incident staff found to be elsewhere. The reports keep what they said."""
    _require_dispatcher(actor)
    for value, low, high, name in ((lat, -90, 90, _("Latitude")), (lng, -180, 180, _("Longitude"))):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not low <= value <= high
        ):
            raise InvalidInput(
                _("%(name)s must be a number from %(low)s to %(high)s.")
                % {"name": name, "low": low, "high": high}
            )
    with transaction.atomic():
        incident = _locked(incident)
        if incident.merged_into_id is not None:
            raise InvalidTransition(
                _("This incident was merged into another one; open that one instead.")
            )
        cell = geo.cell_for(lat, lng)
        incident.lat, incident.lng, incident.cell = float(lat), float(lng), cell
        incident.needs_location = False
        incident.outside_service_area = not service_area.covers(lat, lng)
        incident.updated_at = timezone.now()
        incident.save(
            update_fields=[
                "lat",
                "lng",
                "cell",
                "needs_location",
                "outside_service_area",
                "updated_at",
            ]
        )
        record_event(incident, IncidentEvent.Type.LOCATED, actor=actor, cell=f"{cell:x}")
    return incident
