"""Submitting reports: the domain rules, one report or a batch (the SQLite
group-commit writer), each into an incident found by ``clustering``."""

from __future__ import annotations

import dataclasses
import logging
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vecinos.core import bulk, crypto, geo, service_area
from vecinos.core.text import text_problem
from vecinos.reports import clustering, photos
from vecinos.reports.actions.summary import (
    KINDS,
    _as_uuid,
    _refresh_incidents,
)
from vecinos.reports.events import record_events
from vecinos.reports.models import (
    Agency,
    Channel,
    Incident,
    IncidentEvent,
    Kind,
    Report,
)

# Reporting ---------------------------------------------------------------------------------

MAX_PLACE = 200
MAX_DESCRIPTION = 2000
MAX_LANGUAGE = 16
MAX_VEHICLES = 200
MAX_OFFICERS = 500
MAX_AGE = timedelta(hours=24)
MAX_AHEAD = timedelta(minutes=5)
SOURCE_TAG_PURPOSE = "reports.Report.source_tag"
IDEMPOTENCY_PURPOSE = "reports.Report.idempotency_key"
# What a client may send as an idempotency key: a UUID, a ULID, random base64url...
IDEMPOTENCY_KEY_RE = re.compile(r"^[A-Za-z0-9._:~+/=-]{8,128}$")


def source_tag(*, channel: str, client_key: str) -> str:
    """A short keyed hash saying "same source or not" and nothing else. ``client_key``
    is already a day-scoped pseudonym (``vecinos.reports.sources``: of the network, an
    IPv6 /48, or of a trusted reporter's account; for SMS, whatever the channel uses
    to tell senders apart), so the same person on another day counts as a new source.
    The web form and the API share one namespace: one network using both is one
    source."""
    scope = "net" if channel in (Channel.WEB, Channel.API) else channel
    return crypto.keyed_hash(f"{scope}\x00{client_key}", purpose=SOURCE_TAG_PURPOSE)[:16]


@dataclass(frozen=True, kw_only=True)
class NewReport:
    """What a reporter sent, before any rule is applied: the one parameter object of
    ``check_report``, ``submit_report`` and ``submit_reports`` (and what the SQLite
    writer hands its process). ``client_key`` is the day-scoped pseudonym the source
    tag is made from; ``needs_location`` lets a report without a point through (an
    SMS naming no place we can map); ``idempotency_key`` is the client's key for this
    report (a resend with the same key answers the first report and stores nothing);
    ``now`` is for tests and the demo."""

    kind: str
    lat: float | None
    lng: float | None
    place: str = ""
    description: str = ""
    observed_at: datetime | None = None
    agencies: Iterable[str] = ()
    vehicles: int | None = None
    officers: int | None = None
    language: str = ""
    channel: str
    client_key: str
    photo: Any = None
    needs_location: bool = False
    idempotency_key: str = ""
    now: datetime | None = None


def check_report(report: NewReport, *, now: datetime) -> None:
    """Raise ``ValidationError`` (a dict naming each field) unless the report obeys the
    domain rules. The API and the form check shapes first; this is the last word."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    kind, lat, lng, observed_at = report.kind, report.lat, report.lng, report.observed_at
    if kind not in KINDS:
        refuse("kind", _("Choose what you saw."))
    if report.channel not in Channel.values:
        refuse("channel", _("Unknown channel."))
    if (lat is None) != (lng is None):
        refuse("lat" if lat is None else "lng", _("Give both latitude and longitude."))
    elif lat is None or lng is None:
        if not report.needs_location:
            refuse("lat", _("Give a location."))
    elif not geo.valid_point(lat, lng) or isinstance(lat, bool) or isinstance(lng, bool):
        refuse("lat", _("The location is not a point on Earth."))
    for field, value, limit in (
        ("place", report.place, MAX_PLACE),
        ("description", report.description, MAX_DESCRIPTION),
        ("language", report.language, MAX_LANGUAGE),
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
    if any(agency not in Agency.values for agency in report.agencies):
        refuse("agencies", _("Choose agencies from the list."))
    for field, count, limit in (
        ("vehicles", report.vehicles, MAX_VEHICLES),
        ("officers", report.officers, MAX_OFFICERS),
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


def submit_report(report: NewReport) -> Report:
    """Store one report and put it into an incident: ``submit_reports([report])``,
    raising what refused it.

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
    (outcome,) = submit_reports([report])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


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
    now: datetime
    key_hash: str | None = None


def _prepare_report(report: NewReport) -> _Prepared:
    """Step 1 of ``submit_reports``: normalise, check the domain rules, clean and
    store the photo. No database access; raises ``ValidationError``."""
    now = report.now or timezone.now()
    key_hash = idempotency_hash(report.idempotency_key)
    place, description = report.place, report.description
    report = dataclasses.replace(
        report,
        observed_at=report.observed_at or now,
        agencies=sorted(set(report.agencies)),
        place=place.strip() if isinstance(place, str) else place,
        description=description.strip() if isinstance(description, str) else description,
    )
    check_report(report, now=now)
    lat, lng, photo = report.lat, report.lng, report.photo
    located = lat is not None and lng is not None
    clean = (
        photo
        if isinstance(photo, photos.CleanPhoto) or photo is None
        else photos.clean_photo(photo)
    )
    photo_name = photos.store_photo(clean) if clean is not None else ""
    assert report.observed_at is not None  # noqa: S101 - set above
    return _Prepared(
        kind=report.kind,
        lat=lat if located else None,
        lng=lng if located else None,
        place=report.place,
        description=report.description,
        observed_at=report.observed_at,
        agencies=list(report.agencies),
        vehicles=report.vehicles,
        officers=report.officers,
        language=report.language,
        channel=report.channel,
        tag=source_tag(channel=report.channel, client_key=report.client_key),
        photo_name=photo_name,
        now=now,
        key_hash=key_hash,
    )


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


def submit_reports(reports: list[NewReport]) -> list[Report | Exception]:
    """Store ``reports`` in order, each into an incident, in a few statements per
    batch rather than a few per report: the one write path of reports (``submit_report``
    is a batch of one). Inside a caller's transaction the caller commits; outside one
    (the writer) the batch is one transaction of its own, committed before this
    returns; result i is report i's row, or the exception that refused it.

    1. Per report, without the database: the domain rules and the photo
       (``_prepare_report``); a refused report fails alone.
    2. The clustering decision, per report in order. Stored incidents near any report
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
    4. If step 2 or 3 fails unexpectedly, both are rolled back (to a savepoint
       inside a caller's transaction) and each report of a larger batch is stored as
       a batch of its own, so one bad report cannot lose the others. A COMMIT of
       our own that fails is raised instead: it may have taken effect, and storing
       the reports again would store them twice.

    Cost: one clustering query and about six statements per batch, plus one small
    aggregate per stored incident joined, instead of about six statements per
    report (five of them compiled by the ORM each time).
    """
    results: list[Report | Exception | None] = [None] * len(reports)
    resends = _resends(reports, results)
    ready: list[tuple[int, _Prepared]] = []
    for index, report in enumerate(reports):
        if results[index] is not None or index in resends:
            continue
        try:
            ready.append((index, _prepare_report(report)))
        except Exception as error:
            results[index] = error
    stored: list[Report | Exception] = []
    if not ready:
        for index, first in resends.items():
            results[index] = results[first]
        return [result or RuntimeError("not stored") for result in results]
    # Called outside any transaction (the writer), the atomic block below is the
    # transaction itself: no savepoint, two statements fewer per batch. Its COMMIT
    # failing then is not a bad report: it is raised, and the caller fails the batch.
    own_transaction = not connection.in_atomic_block
    written = False
    try:
        with transaction.atomic():
            stored.extend(_store_batch([prepared for _, prepared in ready]))
            written = own_transaction
    except Exception as failure:
        if written:
            raise
        if len(ready) == 1:
            photos.delete_photo(ready[0][1].photo_name)
            stored = [_stored_meanwhile(ready[0][1], failure) or failure]
        else:
            logger.exception("a batch of %d reports failed; storing them one by one", len(ready))
            stored = []
            for _, prepared in ready:
                try:
                    with transaction.atomic():
                        stored.extend(_store_batch([prepared]))
                except Exception as error:
                    photos.delete_photo(prepared.photo_name)
                    stored.append(_stored_meanwhile(prepared, error) or error)
    except BaseException:
        for _, prepared in ready:
            photos.delete_photo(prepared.photo_name)
        raise
    for (index, _), outcome in zip(ready, stored, strict=True):
        results[index] = outcome
    for index, first in resends.items():
        results[index] = results[first]
    return [result or RuntimeError("not stored") for result in results]


def _resends(reports: list[NewReport], results: list[Report | Exception | None]) -> dict[int, int]:
    """Step 0 of ``submit_reports``: reports whose idempotency key is already stored
    get that report as their result (one query for the batch); a report repeating the
    key of an earlier one of the same batch is answered with that one's result
    (returned as {index: index of the first}); a malformed key fails its report."""
    hashes: list[str | None] = []
    for index, report in enumerate(reports):
        try:
            hashes.append(idempotency_hash(report.idempotency_key))
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


def _stored_meanwhile(prepared: _Prepared, error: Exception) -> Report | None:
    """The report a concurrent request stored under the same idempotency key since
    step 0 looked (PostgreSQL: the unique index refused our insert)."""
    if isinstance(error, IntegrityError):
        return _already_stored(prepared.key_hash)
    return None


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
        incidents.update((incident.pk, incident) for incident in _locked(existing_ids))
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


def _locked(ids: list[uuid.UUID]) -> list[Incident]:
    """The stored incidents ``ids``, locked for the rest of the transaction (FOR
    UPDATE, in primary-key order so that two batches never wait on each other), as
    the ORM would load them. Raw SQL from the model's own metadata: compiling the
    same query through the ORM cost two and a half times as much, once per batch
    that joins a stored incident (benchmarks/results/postgres/reports_http_notes.md)."""
    prep = Incident._meta.pk.get_db_prep_value
    sql = _locked_sql(len(ids), lock=connection.features.has_select_for_update)
    return list(Incident.objects.raw(sql, [prep(pk, connection) for pk in ids]))


@cache
def _locked_sql(count: int, *, lock: bool) -> str:
    meta = Incident._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in meta.concrete_fields)
    pk = quote(str(meta.pk.column))
    # Names from the model's own metadata; the ids are parameters.
    return (
        f"SELECT {columns} FROM {quote(meta.db_table)} "  # noqa: S608
        f"WHERE {pk} IN ({', '.join(['%s'] * count)}) ORDER BY {pk}"
        + (" FOR UPDATE" if lock else "")
    )


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
