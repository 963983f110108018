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
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vecinos.core import bulk, crypto, geo, live, service_area
from vecinos.core.text import text_problem
from vecinos.reports import clustering, photos
from vecinos.reports.actions.summary import KINDS, SUMMARY_FIELDS, _as_uuid
from vecinos.reports.events import LIVE_CHANNEL
from vecinos.reports.models import (
    Agency,
    Channel,
    Incident,
    IncidentEvent,
    Kind,
    Report,
)

# Reporting ---------------------------------------------------------------------------------

# The values a report's channel and agencies may take, as sets: the enums' ``values``
# build a list of every choice, labels included, on each access.
CHANNELS = frozenset(Channel.values)
AGENCIES = frozenset(Agency.values)

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
    if not isinstance(report.channel, str) or report.channel not in CHANNELS:
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
    if any(not isinstance(agency, str) or agency not in AGENCIES for agency in report.agencies):
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
    """An incident the batch opens or joins, as the batch has left it so far (what
    later reports of the batch cluster against), and the batch's reports in it."""

    pk: uuid.UUID
    stored: bool  # an incident stored before the batch (else one the batch opens)
    kind: str
    located: int
    lat_sum: float
    lng_sum: float
    first_seen_at: datetime
    last_seen_at: datetime
    now: datetime  # the ``now`` of the last report of the batch in it
    cell: int | None = None
    lat: float | None = None
    lng: float | None = None
    members: list[_Prepared] = dataclasses.field(default_factory=list)

    def add(self, prepared: _Prepared, lat: float, lng: float) -> None:
        """What ``refresh_incident`` does to the centroid, span and kind, in memory."""
        if self.kind == Kind.OTHER and prepared.kind != Kind.OTHER:
            self.kind = prepared.kind
        self.located += 1
        self.lat_sum += lat
        self.lng_sum += lng
        self.lat, self.lng = self.lat_sum / self.located, self.lng_sum / self.located
        self.cell = geo.cell_for(self.lat, self.lng)
        self.first_seen_at = min(self.first_seen_at, prepared.observed_at)
        self.last_seen_at = max(self.last_seen_at, prepared.observed_at)
        self.members.append(prepared)
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
       by one. When a later report of the batch may still cluster against a stored
       incident the batch joined, that incident's baseline (located reports,
       coordinate sums, span) is read in one aggregate query, so that the later
       report sees the centroid moved, the same mean summed in Python.
    3. Per batch (``_write_batch``): the stored incidents the batch joins are locked
       (FOR UPDATE, in key order) and what their reports add up to is read after
       the lock (counts of reports, sources and kinds, coordinate sums, span, which
       of the batch's sources they already have): two statements, only when the
       batch joins one. Each incident's new summary is computed in Python from that
       and the batch's own reports, at the ``now`` of the last report of the batch
       in it: what ``refresh_incident`` would compute from all its reports. Then
       the new incidents, the reports, the joined incidents' summaries and the
       timeline rows are written by ``bulk.write``: ONE statement on PostgreSQL,
       four on SQLite. Each timeline row goes to the consoles after the commit.
    4. If step 2 or 3 fails unexpectedly, both are rolled back (to a savepoint
       inside a caller's transaction) and each report of a larger batch is stored as
       a batch of its own, so one bad report cannot lose the others. A COMMIT of
       our own that fails is raised instead: it may have taken effect, and storing
       the reports again would store them twice.

    Cost on PostgreSQL, called outside a transaction (the writer,
    ``_store_own_transaction``): a batch that only opens incidents is the clustering
    query and one write, two round trips; one that joins stored incidents is three
    (the clustering query; BEGIN, the lock and the sums; the write and COMMIT); no
    model instance but the returned reports
    (benchmarks/results/postgres/reports_http_notes.md).
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
    batch = [prepared for _, prepared in ready]
    stored = _store_own_transaction(batch) if _own_transaction_possible() else _store_atomic(batch)
    for (index, _prepared), outcome in zip(ready, stored, strict=True):
        results[index] = outcome
    for index, first in resends.items():
        results[index] = results[first]
    return [result or RuntimeError("not stored") for result in results]


def _own_transaction_possible() -> bool:
    """Outside any transaction on PostgreSQL, with Django's cursors binding parameters
    on the client (its default), which lets one query carry several statements."""
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and connection.get_autocommit()
        and not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")
    )


def _store_atomic(ready: list[_Prepared]) -> list[Report | Exception]:
    """Steps 2 to 4 of ``submit_reports`` in an atomic block: inside a caller's
    transaction (a savepoint), or as the transaction itself when called outside one
    (the writer on SQLite: no savepoint). Its COMMIT failing then is not a bad
    report: it is raised, and the caller fails the batch."""
    own_transaction = not connection.in_atomic_block
    written = False
    stored: list[Report | Exception] = []
    try:
        with transaction.atomic():
            reports, messages = _store_batch(ready)
            for message in messages:
                transaction.on_commit(partial(live.publish, LIVE_CHANNEL, message))
            stored.extend(reports)
            written = own_transaction
    except Exception as failure:
        if written:
            raise
        return _store_one_by_one(ready, failure)
    except BaseException:
        for prepared in ready:
            photos.delete_photo(prepared.photo_name)
        raise
    return stored


def _store_own_transaction(ready: list[_Prepared]) -> list[Report | Exception]:
    """Steps 2 to 4 of ``submit_reports`` outside any transaction on PostgreSQL (the
    writer): the transaction is ours, written out in fewer round trips than an atomic
    block takes. The clustering query (and any baseline) is read in autocommit, as
    READ COMMITTED would read it inside the transaction; a batch that joins no stored
    incident is then ONE statement, a transaction by itself; one that joins sends
    ``BEGIN``, the lock and the sums as one query and the write with its ``COMMIT`` as
    another (``_Transaction``). Two or three round trips a batch, where the atomic
    block took five or six (benchmarks/results/postgres/reports_http_notes.md).

    What failed decides what follows (``_Transaction.rolled_back``): before the final
    statement, with the transaction still open, or with the database refusing the
    final statement, nothing is stored (what is open is rolled back) and the reports
    are stored one by one as in ``_store_atomic``; a final statement whose answer
    never came (the connection broke) may have committed, and is raised, as a failed
    COMMIT is there."""
    state = _Transaction(connection)
    try:
        reports, messages = _store_batch(ready, state)
    except Exception as failure:
        if not state.rolled_back(failure):
            raise
        return _store_one_by_one(ready, failure)
    except BaseException as interrupted:
        state.rolled_back(interrupted)
        for prepared in ready:
            photos.delete_photo(prepared.photo_name)
        raise
    live.publish_many(LIVE_CHANNEL, messages)
    return list(reports)


def _store_one_by_one(ready: list[_Prepared], failure: Exception) -> list[Report | Exception]:
    """Step 4 of ``submit_reports``: the batch failed and stored nothing; each report
    is stored as a batch of its own, so one bad report cannot lose the others."""
    if len(ready) == 1:
        photos.delete_photo(ready[0].photo_name)
        return [_stored_meanwhile(ready[0], failure) or failure]
    logger.exception("a batch of %d reports failed; storing them one by one", len(ready))
    stored: list[Report | Exception] = []
    for prepared in ready:
        try:
            with transaction.atomic():
                reports, messages = _store_batch([prepared])
                for message in messages:
                    transaction.on_commit(partial(live.publish, LIVE_CHANNEL, message))
                stored.extend(reports)
        except Exception as error:
            photos.delete_photo(prepared.photo_name)
            stored.append(_stored_meanwhile(prepared, error) or error)
    return stored


class _Transaction:
    """A batch's own transaction on PostgreSQL, sent as text with the statements it
    goes with (``_store_own_transaction``): ``begin`` is put before the lock, ``COMMIT``
    after the write. Django's connection stays in autocommit throughout; this knows
    whether the transaction is open and whether its final statement was sent."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.began = False
        self.final_sent = False

    def begin(self) -> str:
        self.began = True
        return "BEGIN; "

    def final(self) -> bool:
        """Called just before the write: True when the write must also COMMIT."""
        self.final_sent = True
        return self.began

    def rolled_back(self, error: BaseException | None = None) -> bool:
        """After ``error``: roll back what is open; True when nothing of the batch is
        stored. False when that cannot be known: the final statement was sent, and
        nothing says it did not take effect (its answer was lost with the connection,
        or something failed after it)."""
        from psycopg import pq

        raw = self.db.connection
        if raw is None or raw.closed or raw.broken:
            # Gone with its connection: the server rolls back what was open, but a
            # final statement sent before may have taken effect (a refusal that ends
            # the connection, the server shutting down, may come after the COMMIT).
            self.db.close()
            return not self.final_sent
        status = raw.info.transaction_status
        if status in (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR):
            # Still open, so our COMMIT did not run: nothing is stored.
            try:
                raw.rollback()
            except Exception:
                self.db.close()  # the server ends a transaction whose connection is gone
            return True
        if status != pq.TransactionStatus.IDLE:  # a statement still running
            self.db.close()
            return not self.final_sent
        # Idle, nothing open: before the final statement nothing was written; after it,
        # only the database's refusal (of an autocommit write, or of a COMMIT, which
        # PostgreSQL rolls back) says it did not take effect.
        return not self.final_sent or _refused_by_database(error)


def _refused_by_database(error: BaseException | None) -> bool:
    """Whether ``error`` is the database's answer refusing a statement (it carries an
    SQLSTATE), as opposed to a connection lost or a failure on our side."""
    while error is not None:
        if getattr(error, "sqlstate", None):
            return True
        error = error.__cause__
    return False


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


def _store_batch(
    batch: list[_Prepared], own: _Transaction | None = None
) -> tuple[list[Report], list[dict[str, Any]]]:
    """Steps 2 and 3 of ``submit_reports``: the stored reports, and the live updates
    to send once they are committed. ``own``: the batch's own transaction on
    PostgreSQL (``_store_own_transaction``); None: inside an atomic block."""
    pending: dict[uuid.UUID, _Pending] = {}
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
    placed: list[tuple[_Prepared, int | None, _Pending]] = []
    touched: dict[uuid.UUID, _Pending] = {}
    for index, (prepared, cell) in enumerate(zip(batch, cells, strict=True)):
        lat, lng = prepared.lat, prepared.lng
        joins: _Pending | None = None
        if lat is not None and lng is not None and cell is not None:
            later = index + 1 < len(batch)
            joins = _cluster_in_batch(prepared, lat, lng, cell, stored, pending, later=later)
        if joins is None:
            joins = _Pending(
                pk=uuid.uuid4(),
                stored=False,
                kind=prepared.kind,
                located=1 if cell is not None else 0,
                lat_sum=lat or 0.0,
                lng_sum=lng or 0.0,
                first_seen_at=prepared.observed_at,
                last_seen_at=prepared.observed_at,
                now=prepared.now,
                cell=cell,
                lat=lat,
                lng=lng,
                members=[prepared],
            )
            if cell is not None:
                # A report without a location opens an incident of its own, which no
                # other report joins.
                pending[joins.pk] = joins
        touched[joins.pk] = joins
        placed.append((prepared, cell, joins))
    return _write_batch(placed, list(touched.values()), own)


# The incident columns a batch reads under its row lock before updating them.
LOCKED_SQL = (
    "SELECT id, kind, agencies, lat, lng, cell, needs_location FROM reports_incident "
    "WHERE id IN ({ids}) ORDER BY id"
)
# What the stored reports of the incidents a batch joins add up to, read under the
# incidents' row lock (so nothing joins them meanwhile): the counts of reports, of
# sources and of each kind, the coordinate sums, the span, and which of the batch's
# source tags each incident already has (a resend from the same source adds no source).
STORED_SUMMARY_SQL = (
    "SELECT incident_id, COUNT(*), COUNT(DISTINCT source_tag), COUNT(lat), SUM(lat), "
    "SUM(lng), MIN(observed_at), MAX(observed_at){kinds}{tags} FROM reports_report "
    "WHERE incident_id IN ({ids}) GROUP BY incident_id"
)


@dataclass
class _Stored:
    """An incident stored before the batch, as its row and its reports are under the
    row lock: what the batch's reports are added to."""

    kind: str
    agencies: list[str]
    lat: float | None
    lng: float | None
    cell: int | None
    needs_location: bool
    reports: int = 0
    sources: int = 0
    located: int = 0
    lat_sum: float = 0.0
    lng_sum: float = 0.0
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None
    kinds: dict[str, int] = dataclasses.field(default_factory=dict)
    tags: set[str] = dataclasses.field(default_factory=set)


def _write_batch(
    placed: list[tuple[_Prepared, int | None, _Pending]],
    incidents: list[_Pending],
    own: _Transaction | None,
) -> tuple[list[Report], list[dict[str, Any]]]:
    """Step 3 of ``submit_reports``: lock the stored incidents the batch joins and read
    what their reports add up to (two statements, only when it joins one), then write
    the new incidents, the reports, the joined incidents' new summaries and the
    timeline rows: ONE statement on PostgreSQL (``bulk.write``). Each summary is what
    ``refresh_incident`` would compute from all the incident's reports, at the
    ``now`` of the last report of the batch in it."""
    db = connections[DEFAULT_DB_ALIAS]
    stored = _lock_stored([entry for entry in incidents if entry.stored], own)
    incident_table = bulk.table(Incident)
    report_table = bulk.table(Report)
    event_table = bulk.table(IncidentEvent)
    new_rows: list[list[Any]] = []
    updates: list[list[Any]] = []
    for entry in incidents:
        summary = _summary(entry, stored.get(entry.pk))
        if entry.stored:
            updates.append(
                [*incident_table.values(SUMMARY_FIELDS, summary, db), _db_pk(entry.pk, db)]
            )
        else:
            new_rows.append(incident_table.row(_opened(entry, summary), db))
    reports: list[Report] = []
    report_rows: list[list[Any]] = []
    event_rows: list[list[Any]] = []
    events: list[tuple[str, str]] = []
    for prepared, cell, entry in placed:
        opens = not entry.stored and entry.members[0] is prepared
        event_type: str = IncidentEvent.Type.OPENED if opens else IncidentEvent.Type.REPORT_ADDED
        values = {
            "id": uuid.uuid4(),
            "incident_id": entry.pk,
            "kind": prepared.kind,
            "lat": prepared.lat,
            "lng": prepared.lng,
            "cell": cell,
            "place": prepared.place,
            "description": prepared.description,
            "photo": prepared.photo_name,
            "observed_at": prepared.observed_at,
            "received_at": prepared.now,
            "agencies": prepared.agencies,
            "vehicles": prepared.vehicles,
            "officers": prepared.officers,
            "language": prepared.language,
            "channel": prepared.channel,
            "source_tag": prepared.tag,
            "idempotency_hash": prepared.key_hash,
        }
        report_rows.append(report_table.row(values, db))
        report = Report(**values)
        report._state.adding = False
        report._state.db = DEFAULT_DB_ALIAS
        reports.append(report)
        event_rows.append(
            event_table.row(
                {
                    "incident_id": entry.pk,
                    "type": event_type,
                    "data": {"report": str(values["id"]), "channel": prepared.channel},
                },
                db,
            )
        )
        events.append((str(entry.pk), event_type))
    keys = bulk.write(
        [(incident_table, new_rows), (report_table, report_rows), (event_table, event_rows)],
        update=bulk.Update(incident_table, SUMMARY_FIELDS, updates),
        commit=own is not None and own.final(),
    )
    messages = [
        {"incident": incident_id, "type": event_type, "event": key}
        for (incident_id, event_type), key in zip(events, keys, strict=True)
    ]
    return reports, messages


def _db_pk(pk: uuid.UUID, db: Any) -> Any:
    return Incident._meta.pk.get_db_prep_value(pk, db)


def _lock_stored(entries: list[_Pending], own: _Transaction | None) -> dict[uuid.UUID, _Stored]:
    """The stored incidents of ``entries``, locked for the rest of the transaction (FOR
    UPDATE in primary-key order, so that two batches never wait on each other), with
    what their reports add up to, read after the lock (``STORED_SUMMARY_SQL``): under
    READ COMMITTED each statement sees what was committed before it began, so the
    reports a concurrent batch added before releasing the lock are counted. With
    ``own`` (the batch's own transaction) the two statements go as one query after its
    ``BEGIN``: PostgreSQL still runs them one after the other, the sums with a snapshot
    taken once the lock is held."""
    if not entries:
        return {}
    db = connections[DEFAULT_DB_ALIAS]
    ids = [_db_pk(entry.pk, db) for entry in entries]
    marks = ", ".join(["%s"] * len(ids))
    lock = " FOR UPDATE" if db.features.has_select_for_update else ""
    agencies = Incident._meta.get_field("agencies")
    tags = sorted({member.tag for entry in entries for member in entry.members})
    locked_sql = LOCKED_SQL.format(ids=marks) + lock
    sums_sql = STORED_SUMMARY_SQL.format(
        kinds="".join([", SUM(CASE WHEN kind = %s THEN 1 ELSE 0 END)"] * len(KINDS)),
        tags="".join([", MAX(CASE WHEN source_tag = %s THEN 1 ELSE 0 END)"] * len(tags)),
        ids=marks,
    )
    sums_params = [*KINDS, *tags, *ids]
    found: dict[uuid.UUID, _Stored] = {}
    with db.cursor() as cursor:
        if own is not None:
            cursor.execute(f"{own.begin()}{locked_sql}; {sums_sql}", [*ids, *sums_params])
            cursor.nextset()  # past BEGIN's
        else:
            cursor.execute(locked_sql, ids)
        for pk, kind, listed, lat, lng, cell, needs_location in cursor.fetchall():
            found[_as_uuid(pk)] = _Stored(
                kind=kind,
                # Decoded as the ORM decodes the column (jsonb on PostgreSQL, text on SQLite).
                agencies=agencies.from_db_value(listed, None, db) or [],  # type: ignore[arg-type]
                lat=lat,
                lng=lng,
                cell=cell,
                needs_location=bool(needs_location),
            )
        if own is not None:
            cursor.nextset()
        else:
            cursor.execute(sums_sql, sums_params)
        for (
            pk,
            reports,
            sources,
            located,
            lat_sum,
            lng_sum,
            first,
            last,
            *rest,
        ) in cursor.fetchall():
            row = found[_as_uuid(pk)]
            row.reports, row.sources, row.located = reports, sources, located
            row.lat_sum, row.lng_sum = lat_sum or 0.0, lng_sum or 0.0
            row.first_seen_at = clustering.as_aware(first) if first is not None else None
            row.last_seen_at = clustering.as_aware(last) if last is not None else None
            row.kinds = {kind: count or 0 for kind, count in zip(KINDS, rest, strict=False)}
            row.tags = {tag for tag, has in zip(tags, rest[len(KINDS) :], strict=True) if has}
    missing = [entry.pk for entry in entries if entry.pk not in found]
    if missing:
        raise Incident.DoesNotExist(f"incidents {missing} are gone")
    return found


def _summary(entry: _Pending, stored: _Stored | None) -> dict[str, Any]:
    """The summary ``refresh_incident`` would store for ``entry`` once the batch's
    reports are in it: from its stored reports (``stored``; none for an incident the
    batch opens) and the batch's own."""
    members = entry.members
    base = stored or _Stored(
        kind=entry.kind, agencies=[], lat=None, lng=None, cell=None, needs_location=True
    )
    kind = base.kind
    if stored is None or (kind == Kind.OTHER and entry.kind != Kind.OTHER):
        kind = entry.kind
    located = [member for member in members if member.lat is not None and member.lng is not None]
    count = base.located + len(located)
    lat, lng, cell, needs_location = base.lat, base.lng, base.cell, base.needs_location
    if count:
        lat = (base.lat_sum + sum(m.lat for m in located)) / count  # type: ignore[misc]
        lng = (base.lng_sum + sum(m.lng for m in located)) / count  # type: ignore[misc]
        cell, needs_location = geo.cell_for(lat, lng), False
    seen = [member.observed_at for member in members]
    if base.first_seen_at is not None and base.last_seen_at is not None:
        seen += [base.first_seen_at, base.last_seen_at]
    tally = clustering.Tally(
        reports=base.reports + len(members),
        sources=base.sources + len({m.tag for m in members} - base.tags),
        agreeing=base.kinds.get(kind, 0) + sum(1 for m in members if m.kind == kind),
    )
    last_seen_at = max(seen)
    return {
        "kind": kind,
        "lat": lat,
        "lng": lng,
        "cell": cell,
        "needs_location": needs_location,
        "first_seen_at": min(seen),
        "last_seen_at": last_seen_at,
        "report_count": tally.reports,
        "source_count": tally.sources,
        "agencies": sorted(set(base.agencies).union(*(m.agencies for m in members))),
        "confidence": clustering.confidence(tally=tally, last_seen_at=last_seen_at, now=entry.now),
        "updated_at": entry.now,
    }


def _opened(entry: _Pending, summary: dict[str, Any]) -> dict[str, Any]:
    """The row of an incident the batch opens: its summary, and what its first report
    set once."""
    first = entry.members[0]
    return {
        **summary,
        "id": entry.pk,
        "outside_service_area": not service_area.covers(first.lat, first.lng),
        "created_at": first.now,
    }


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
    *,
    later: bool,
) -> _Pending | None:
    """The incident a located report of the batch joins (see ``submit_reports``, step
    2), recorded in ``pending`` as the join leaves it; None: it opens a new one.
    ``stored`` holds the stored incidents near any report of the batch; ``later``: more
    reports of the batch follow, which must see a stored incident it joins moved (its
    baseline is read for them)."""
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
        entry = _baseline(pk, best, prepared.now) if later else _unread(pk, best, prepared.now)
        pending[pk] = entry
    entry.add(prepared, lat, lng)
    return entry


def _baseline(pk: uuid.UUID, candidate: clustering.Candidate, now: datetime) -> _Pending:
    """A stored incident as its stored reports make it, before the batch joins it: its
    centroid and span, for the later reports of the batch to cluster against (read
    without the lock; what is written is read again under it, ``_lock_stored``)."""
    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL, [_db_pk(pk, connection)])
        located, lat_sum, lng_sum, first, last = cursor.fetchone()
    last_seen_at = clustering.as_aware(last) if last is not None else candidate.last_seen_at
    return _Pending(
        pk=pk,
        stored=True,
        kind=candidate.kind,
        located=located or 0,
        lat_sum=lat_sum or 0.0,
        lng_sum=lng_sum or 0.0,
        first_seen_at=clustering.as_aware(first) if first is not None else last_seen_at,
        last_seen_at=last_seen_at,
        now=now,
        cell=geo.cell_for(candidate.lat, candidate.lng)
        if candidate.lat is not None and candidate.lng is not None
        else None,
        lat=candidate.lat,
        lng=candidate.lng,
    )


def _unread(pk: uuid.UUID, candidate: clustering.Candidate, now: datetime) -> _Pending:
    """A stored incident joined by the batch's last report: no later report clusters
    against it, so its baseline is not read (``_lock_stored`` reads what is written)."""
    return _Pending(
        pk=pk,
        stored=True,
        kind=candidate.kind,
        located=0,
        lat_sum=0.0,
        lng_sum=0.0,
        first_seen_at=candidate.last_seen_at,
        last_seen_at=candidate.last_seen_at,
        now=now,
    )
