"""The writer stores a batch of reports at once (``actions.submit_reports``) with the
same result as storing them one by one (``submit_report``, a batch of one each): the
same incidents, counts, centroids, confidence and timelines; a report joins an incident
another report of the same batch opened; a refused report fails alone; nobody is
answered before the batch commits."""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from tests.factories import BOYLE_HEIGHTS, JEFFERSON_HIGH, SANTEE_ALLEY, moved, submit
from vecinos.reports import actions, clustering, writer
from vecinos.reports.actions import intake
from vecinos.reports.models import Channel, Incident, IncidentEvent, Kind, Report

pytestmark = pytest.mark.django_db


def job(
    label: str,
    *,
    kind: str = Kind.RAID,
    at: tuple[float, float] | None = BOYLE_HEIGHTS,
    client_key: str = "client-a",
    agencies: tuple[str, ...] = (),
    now: datetime | None = None,
    observed_at: datetime | None = None,
) -> actions.NewReport:
    """One report; ``place`` carries the label to find it again."""
    lat, lng = at if at is not None else (None, None)
    return actions.NewReport(
        kind=kind,
        lat=lat,
        lng=lng,
        place=label,
        observed_at=observed_at,
        agencies=agencies,
        channel=Channel.API,
        client_key=client_key,
        needs_location=at is None,
        now=now,
    )


def mixed_batch(now: datetime) -> list[actions.NewReport]:
    """Opens, joins within the batch, an incident of kind ``other`` taking the kind of
    a later report, a report without a location, a join to an incident stored before
    the batch, and a second report from the same client."""
    minutes = [now - timedelta(minutes=m) for m in (30, 25, 20, 15, 10, 8, 5, 2, 1)]
    return [
        job("raid", observed_at=minutes[0], agencies=("ice",), now=now),
        job(
            "other nearby",
            kind=Kind.OTHER,
            at=moved(*BOYLE_HEIGHTS, north_m=300),
            client_key="client-b",
            agencies=("police",),
            observed_at=minutes[1],
            now=now,
        ),
        job("checkpoint", kind=Kind.CHECKPOINT, client_key="client-c", observed_at=minutes[2]),
        job("other downtown", kind=Kind.OTHER, at=SANTEE_ALLEY, observed_at=minutes[3], now=now),
        job(
            "arrest downtown",
            kind=Kind.ARREST,
            at=moved(*SANTEE_ALLEY, east_m=200),
            client_key="client-d",
            observed_at=minutes[4],
            now=now,
        ),
        job("no location", kind=Kind.PATROL, at=None, observed_at=minutes[5], now=now),
        job(
            "joins stored",
            at=moved(*JEFFERSON_HIGH, north_m=-150),
            client_key="client-e",
            observed_at=minutes[6],
            now=now,
        ),
        job(
            "checkpoint again",
            kind=Kind.CHECKPOINT,
            at=moved(*BOYLE_HEIGHTS, east_m=100),
            client_key="client-c",
            observed_at=minutes[7],
            now=now,
        ),
        job(
            "raid third",
            at=moved(*BOYLE_HEIGHTS, north_m=150),
            client_key="client-f",
            agencies=("cbp", "ice"),
            observed_at=minutes[8],
            now=now,
        ),
    ]


def snapshot() -> list[tuple[Any, ...]]:
    """Every incident as (its reports' labels, summary fields, timeline)."""
    rows = []
    for incident in Incident.objects.all():
        labels = tuple(
            Report.objects.filter(incident=incident)
            .order_by("observed_at")
            .values_list("place", flat=True)
        )
        events = tuple(
            (event.type, Report.objects.get(pk=event.data["report"]).place, event.data["channel"])
            for event in incident.events.order_by("created_at", "id")
        )
        rows.append(
            (
                labels,
                incident.kind,
                incident.status,
                round(incident.lat or 0, 9),
                round(incident.lng or 0, 9),
                incident.cell,
                incident.needs_location,
                incident.first_seen_at,
                incident.last_seen_at,
                incident.report_count,
                incident.source_count,
                incident.confidence,
                incident.agencies,
                events,
            )
        )
    return sorted(rows)


def stored_before(now: datetime) -> None:
    submit(
        at=JEFFERSON_HIGH,
        observed_at=now - timedelta(minutes=40),
        client_key="client-z",
        place="stored",
        now=now,
    )


def clear() -> None:
    IncidentEvent.objects.all().delete()
    Report.objects.all().delete()
    Incident.objects.all().delete()


def test_a_batch_stores_exactly_what_the_reports_one_by_one_would() -> None:
    now = timezone.now()
    stored_before(now)
    one_by_one = [actions.submit_report(report) for report in mixed_batch(now)]
    expected = snapshot()
    clear()
    stored_before(now)

    batched = actions.submit_reports(mixed_batch(now))

    assert all(isinstance(report, Report) for report in batched)
    assert snapshot() == expected
    assert len(expected) == 5  # raid, checkpoint, downtown, no location, stored
    assert len({report.incident_id for report in one_by_one}) == 5


def test_a_later_report_joins_the_incident_an_earlier_one_of_the_batch_opened() -> None:
    now = timezone.now()

    first, second, third = actions.submit_reports(
        [
            job("a", client_key="a", now=now),
            job("b", at=moved(*BOYLE_HEIGHTS, north_m=250), client_key="b", now=now),
            job("c", at=moved(*BOYLE_HEIGHTS, east_m=-250), client_key="c", now=now),
        ]
    )

    assert isinstance(first, Report) and isinstance(second, Report) and isinstance(third, Report)
    assert first.incident_id == second.incident_id == third.incident_id
    incident = Incident.objects.get()
    assert (incident.report_count, incident.source_count) == (3, 3)
    assert incident.confidence > 30
    assert list(incident.events.values_list("type", flat=True)) == [
        IncidentEvent.Type.OPENED,
        IncidentEvent.Type.REPORT_ADDED,
        IncidentEvent.Type.REPORT_ADDED,
    ]


def test_a_refused_report_fails_alone_and_the_rest_are_stored() -> None:
    good, bad, also_good = actions.submit_reports(
        [
            job("a", client_key="a"),
            dataclasses.replace(job("b"), kind="tank"),
            job("c", at=SANTEE_ALLEY),
        ]
    )

    assert isinstance(bad, ValidationError)
    assert "kind" in bad.message_dict
    assert isinstance(good, Report) and isinstance(also_good, Report)
    assert set(Report.objects.values_list("place", flat=True)) == {"a", "c"}
    assert Incident.objects.count() == 2


def break_batches_of_more_than_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch of two or more reports fails half-written; one report alone is stored."""
    store_batch = intake._store_batch

    def broken(batch: list[Any], own: Any = None) -> Any:
        if len(batch) == 1:
            return store_batch(batch, own)
        if own is not None:  # the batch's own transaction (PostgreSQL, the writer)
            with connection.cursor() as cursor:
                cursor.execute(own.begin() + "SELECT 1")
        Incident.objects.create(
            kind=Kind.RAID, first_seen_at=timezone.now(), last_seen_at=timezone.now()
        )
        raise RuntimeError("disk hiccup")

    monkeypatch.setattr(intake, "_store_batch", broken)


def two_nearby() -> list[actions.NewReport]:
    return [job("a", client_key="a"), job("b", at=moved(*BOYLE_HEIGHTS, north_m=100))]


def test_when_the_batch_insert_fails_each_report_is_stored_on_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    break_batches_of_more_than_one(monkeypatch)

    reports = actions.submit_reports(two_nearby())

    assert all(isinstance(report, Report) for report in reports)
    # The half-written batch was rolled back; the reports joined one incident.
    incident = Incident.objects.get()
    assert incident.report_count == 2
    assert [e.type for e in incident.events.all()] == ["opened", "report_added"]


def test_every_timeline_row_goes_to_the_consoles_after_the_commit(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr("vecinos.core.live.publish", lambda *args: sent.append(args))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.submit_reports(
            [job("a", client_key="a"), job("b", at=moved(*BOYLE_HEIGHTS, north_m=100))]
        )
        assert sent == []
    for callback in callbacks:
        callback()

    events = list(IncidentEvent.objects.order_by("id"))
    assert sent == [
        ("incidents", {"incident": str(e.incident_id), "type": e.type, "event": e.pk})
        for e in events
    ]


@pytest.mark.django_db(transaction=True)
def test_the_writer_answers_only_after_the_batch_committed() -> None:
    seen: list[tuple[bool, int]] = []

    class Answer:
        def set(self) -> None:
            # Still inside the transaction, or already committed?
            seen.append((connection.in_atomic_block, Report.objects.count()))

    jobs = [writer._Job(job(name, client_key=name)) for name in ("a", "b")]
    jobs.append(writer._Job(dataclasses.replace(job("c"), lat=200.0)))
    for pending in jobs:
        pending.done = Answer()  # type: ignore[assignment]

    writer._write(jobs)

    assert seen == [(False, 2)] * 3
    assert isinstance(jobs[0].result, Report) and isinstance(jobs[1].result, Report)
    assert isinstance(jobs[2].error, ValidationError)


def test_a_stored_incident_the_batch_changed_is_judged_as_the_batch_left_it() -> None:
    now = timezone.now()
    stored = submit(kind=Kind.OTHER, client_key="z", now=now)

    raid, checkpoint = actions.submit_reports(
        [
            job("raid", at=moved(*BOYLE_HEIGHTS, north_m=100), client_key="a", now=now),
            # "other" takes any kind, but the raid just made it a raid incident.
            job("checkpoint", kind=Kind.CHECKPOINT, client_key="b", now=now),
        ]
    )

    assert isinstance(raid, Report) and isinstance(checkpoint, Report)
    assert raid.incident_id == stored.incident_id
    assert checkpoint.incident_id != stored.incident_id
    assert Incident.objects.get(pk=stored.incident_id).kind == Kind.RAID


@pytest.mark.django_db(transaction=True)
def test_the_writers_batch_is_one_transaction_without_a_savepoint() -> None:
    from django.test.utils import CaptureQueriesContext

    jobs = [writer._Job(job(name, client_key=name)) for name in ("a", "b")]
    with CaptureQueriesContext(connection) as queries:
        writer._write(jobs)

    assert all(isinstance(pending.result, Report) for pending in jobs)
    assert not [q for q in queries.captured_queries if "SAVEPOINT" in q["sql"].upper()]


@pytest.mark.django_db(transaction=True)
def test_when_the_writers_batch_fails_each_report_is_stored_in_its_own_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    break_batches_of_more_than_one(monkeypatch)
    jobs = [writer._Job(report) for report in two_nearby()]

    writer._write(jobs)

    assert all(isinstance(pending.result, Report) for pending in jobs)
    incident = Incident.objects.get()  # the half-written batch was rolled back
    assert incident.report_count == 2


@pytest.mark.django_db(transaction=True)
def test_a_commit_lost_with_its_connection_is_answered_may_or_may_not_and_not_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import OperationalError, connections

    database = connections["default"]
    lost: list[bool] = []
    if intake._own_transaction_possible():
        # PostgreSQL: the batch's own transaction ends with its write, in one query.
        write = intake.bulk.write

        def write_then_lose_the_answer(*args: Any, **kwargs: Any) -> Any:
            keys = write(*args, **kwargs)  # it took effect, but the answer never came back
            if not lost:
                lost.append(True)
                database.connection.close()
                raise OperationalError("server closed the connection unexpectedly")
            return keys

        monkeypatch.setattr(intake.bulk, "write", write_then_lose_the_answer)
    else:
        commit = database.commit

        def commit_then_lose_the_answer() -> None:
            commit()  # it took effect, but the answer never came back
            if not lost:
                lost.append(True)
                raise OperationalError("server closed the connection unexpectedly")

        monkeypatch.setattr(database, "commit", commit_then_lose_the_answer)
    jobs = [writer._Job(job(name, client_key=name)) for name in ("a", "b")]

    writer._write(jobs)

    # Each reporter hears "may or may not be stored, send it again with the same key";
    # the writer did not store the batch again report by report.
    assert lost
    assert all(isinstance(pending.error, writer.WriterLost) for pending in jobs)
    assert sorted(Report.objects.values_list("place", flat=True)) == ["a", "b"]


def write_a_pair(
    monkeypatch: pytest.MonkeyPatch, first_write: Any, *, joining: bool = True
) -> list[writer._Job]:
    """Two nearby reports, ``joining`` an incident stored before them or opening one,
    written by the writer with ``first_write`` in place of ``bulk.write`` for the batch
    of both (then the real one). On PostgreSQL the batch's own transaction is open
    when it is called if it joins; if not, the write is a transaction by itself."""
    if joining:
        stored_before(timezone.now())
    write = intake.bulk.write
    calls: list[int] = []

    def patched(inserts: Any, **kwargs: Any) -> Any:
        if len(inserts[1][1]) > 1 and not calls:
            calls.append(1)
            return first_write(write, inserts, **kwargs)
        return write(inserts, **kwargs)

    monkeypatch.setattr(intake.bulk, "write", patched)
    jobs = [
        writer._Job(job(name, at=moved(*JEFFERSON_HIGH, north_m=50), client_key=name))
        for name in ("a", "b")
    ]
    writer._write(jobs)
    assert calls
    return jobs


def assert_each_stored_alone(jobs: list[writer._Job], *, joining: bool = True) -> None:
    """Nobody was told "may or may not": both reports were stored one by one in one
    incident (the stored one if ``joining``), and no transaction of ours is left open."""
    assert all(isinstance(pending.result, Report) for pending in jobs), [
        pending.error for pending in jobs
    ]
    stored = ["stored"] if joining else []
    assert Incident.objects.get().report_count == 2 + len(stored)
    assert sorted(Report.objects.values_list("place", flat=True)) == ["a", "b", *stored]
    assert not connection.in_atomic_block
    if connection.vendor == "postgresql":
        from psycopg import pq

        status = connection.connection.info.transaction_status
        assert status == pq.TransactionStatus.IDLE


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("joining", [True, False], ids=["joins", "opens"])
def test_a_write_the_database_refuses_stores_nothing_and_each_report_is_tried_alone(
    monkeypatch: pytest.MonkeyPatch, joining: bool
) -> None:
    # On PostgreSQL the write goes with the batch's own COMMIT (joins) or is a
    # transaction by itself (opens); the database refuses it (a unique key, as a
    # concurrent resend of the same report would): nothing of the batch is stored,
    # and each report is stored on its own.
    def refuse(write: Any, inserts: Any, **kwargs: Any) -> Any:
        incidents, reports, events = inserts
        # The same report row twice: the primary key refuses the second.
        reports = (reports[0], [reports[1][0], reports[1][0], *reports[1][1:]])
        events = (events[0], [events[1][0], *events[1]])
        return write([incidents, reports, events], **kwargs)

    jobs = write_a_pair(monkeypatch, refuse, joining=joining)
    assert_each_stored_alone(jobs, joining=joining)


@pytest.mark.django_db(transaction=True)
def test_a_join_counts_the_reports_another_writer_committed_while_it_waited_for_the_lock() -> None:
    # Another writer (a batch of another web process) holds the incident's row lock and
    # has stored a report in it; ours must wait, then count that report too: the
    # summary it writes is read after the lock, never from before it.
    first = submit(client_key="first", place="first")
    incident_id = first.incident_id
    holding, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def other_writer() -> None:
        try:
            with transaction.atomic():
                Incident.objects.select_for_update().get(pk=incident_id)
                Report.objects.create(
                    incident_id=incident_id,
                    kind=Kind.RAID,
                    lat=BOYLE_HEIGHTS[0],
                    lng=BOYLE_HEIGHTS[1],
                    observed_at=timezone.now(),
                    source_tag="another-writer",
                    channel=Channel.API,
                    place="concurrent",
                )
                holding.set()
                release.wait(10)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)
            holding.set()
        finally:
            connection.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    assert holding.wait(10)
    releaser = threading.Timer(0.3, release.set)
    releaser.start()
    try:
        second = submit(client_key="second", place="second")
    finally:
        release.set()
        thread.join(10)
        releaser.cancel()

    assert not failures
    assert second.incident_id == incident_id
    incident = Incident.objects.get(pk=incident_id)
    assert (incident.report_count, incident.source_count) == (3, 3)
    assert incident.confidence == clustering.confidence(
        tally=clustering.Tally(reports=3, sources=3, agreeing=3),
        last_seen_at=incident.last_seen_at,
        now=incident.updated_at,
    )


def test_a_batch_joining_a_stored_incident_adds_only_sources_it_has_not_seen() -> None:
    now = timezone.now()
    stored_before(now)  # client-z
    stored = Incident.objects.get()

    actions.submit_reports(
        [
            job("again", at=JEFFERSON_HIGH, client_key="client-z", now=now),
            job("new", at=JEFFERSON_HIGH, client_key="client-y", now=now),
            job("new again", at=JEFFERSON_HIGH, client_key="client-y", now=now),
        ]
    )

    incident = Incident.objects.get(pk=stored.pk)
    assert (incident.report_count, incident.source_count) == (4, 2)


@pytest.mark.django_db(transaction=True)
def test_the_writer_keeps_one_pooled_connection_for_a_burst_and_gives_it_back_when_quiet(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Taking a connection from the pool costs the round trip of its check: a burst of
    # batches is written on one, and a quiet writer holds none (PostgreSQL's pool).
    pool: Any = getattr(connection, "pool", None)  # PostgreSQL's backend only
    if connection.vendor != "postgresql" or pool is None:
        pytest.skip("the connection pool is PostgreSQL's (this runs with DATABASE_URL)")
    import time

    settings.REPORT_GROUP_COMMIT = True
    time.sleep(writer.IDLE_SECONDS * 3)  # a writer busy from an earlier test is quiet now
    monkeypatch.setattr(writer, "IDLE_SECONDS", 2.0)  # a loaded machine pauses too
    taken: list[str] = []
    given: list[str] = []
    getconn, putconn = pool.getconn, pool.putconn

    def counted_getconn(*args: Any, **kwargs: Any) -> Any:
        taken.append(threading.current_thread().name)
        return getconn(*args, **kwargs)

    def counted_putconn(conn: Any) -> None:
        given.append(threading.current_thread().name)
        putconn(conn)

    monkeypatch.setattr(pool, "getconn", counted_getconn)
    monkeypatch.setattr(pool, "putconn", counted_putconn)

    for name in ("a", "b", "c", "d"):  # one after the other: four batches
        assert isinstance(writer.submit_report(job(name, client_key=name)), Report)

    assert taken.count("report-writer") == 1
    assert given.count("report-writer") == 0
    deadline = time.monotonic() + 10
    while "report-writer" not in given and time.monotonic() < deadline:
        time.sleep(0.05)
    assert given.count("report-writer") == 1
    assert Report.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_a_batch_failing_on_our_side_before_its_write_is_sent_is_stored_report_by_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # On PostgreSQL the batch's transaction is open (the lock is held) when the write
    # fails before reaching the database: nothing can have been committed, so the
    # reports are stored one by one, not answered "may or may not be stored", and the
    # lock is released.
    def fail(write: Any, inserts: Any, **kwargs: Any) -> Any:
        raise MemoryError("no room to build the statement")

    assert_each_stored_alone(write_a_pair(monkeypatch, fail))


@pytest.mark.django_db(transaction=True)
def test_a_stopped_writer_has_stored_what_it_was_given_and_the_next_report_starts_another(
    settings: Any,
) -> None:
    # The end of a process or of a test session stops the writer thread (and closes
    # its connection): what it had been handed is stored first, and a report after the
    # stop is stored by a new one.
    settings.REPORT_GROUP_COMMIT = True
    answers: list[Any] = []
    senders = [
        threading.Thread(target=lambda n=name: answers.append(writer.submit_report(job(n))))
        for name in ("a", "b", "c")
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=30)
    first = writer._thread
    writer.stop()
    assert first is not None and not first.is_alive()
    assert len(answers) == 3 and all(isinstance(answer, Report) for answer in answers)
    assert isinstance(writer.submit_report(job("d")), Report)
    assert writer._thread is not None and writer._thread is not first
    assert Report.objects.count() == 4
