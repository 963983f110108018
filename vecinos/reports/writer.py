"""Group commit for reports on SQLite.

On a raid day reports arrive in bursts from many phones at once. SQLite lets one
writer commit at a time, and with ``synchronous=FULL`` every commit waits for the disk
(about 2 ms here), so one transaction per report caps intake at a few hundred per
second, and threads queueing on SQLite's lock sleep in its busy handler's growing
steps (up to 100 ms) — the p99 a reporter feels.

So in each web process one writer thread takes the reports that are waiting and stores
them in ONE transaction:

1. A request validates its input, cleans its photo, and hands the arguments of
   ``submit_report`` to the writer; then it waits (``REPORT_WRITE_TIMEOUT`` seconds).
2. The writer takes the first waiting job and every other already queued, up to
   ``MAX_BATCH``; stores them with ``actions.submit_reports`` inside one outer
   transaction (a refused report fails alone); commits once.
3. Only after the commit — the reports are on disk — does it wake the requests, which
   answer 201. A failed commit fails every job in the batch: nothing is acknowledged
   that was not stored.

Cost per report: one indexed clustering query; the inserts (incidents, reports,
timeline rows) are one statement each per batch, plus one refresh per incident the
batch joined, and one fsync per batch instead of per report. The writer thread is
the one place where reports are written, so its Python time per report is what caps
intake (the ORM compiling five statements per report cost about as much as
everything else). Clustering stays exact: ``submit_reports`` decides in order, so a
report sees the incidents the previous ones opened, even within the batch.

PostgreSQL commits concurrent transactions in parallel (with its own group commit),
and a caller already inside a transaction must see its report in that transaction,
so both call ``submit_report`` directly.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from vecinos.reports import actions
from vecinos.reports.models import Report

logger = logging.getLogger(__name__)

MAX_BATCH = 64


class WriterBusy(Exception):
    """The writer did not store the report in time (the request answers 503)."""


class _Job:
    __slots__ = ("done", "error", "kwargs", "result")

    def __init__(self, kwargs: dict[str, Any]) -> None:
        self.kwargs = kwargs
        self.done = threading.Event()
        self.result: Report | None = None
        self.error: BaseException | None = None


_jobs: queue.Queue[_Job] = queue.Queue()
_start_lock = threading.Lock()
_thread: threading.Thread | None = None


def submit_report(**kwargs: Any) -> Report:
    """Store a report durably and return it; the same contract as
    ``actions.submit_report``, batched with concurrent reports on SQLite."""
    if (
        connection.vendor != "sqlite"
        or not settings.REPORT_GROUP_COMMIT
        or connection.in_atomic_block
    ):
        return actions.submit_report(**kwargs)
    job = _Job(kwargs)
    _ensure_writer()
    _jobs.put(job)
    if not job.done.wait(timeout=settings.REPORT_WRITE_TIMEOUT):
        # The job may still be stored later; the reporter is told to try again, and a
        # second copy of the same report only adds a source-less duplicate.
        raise WriterBusy
    if job.error is not None:
        raise job.error
    assert job.result is not None  # noqa: S101 - set with done when no error
    return job.result


def _ensure_writer() -> None:
    global _thread
    if _thread is not None and _thread.is_alive():
        return
    with _start_lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="report-writer", daemon=True)
            _thread.start()


def _run() -> None:
    while True:
        batch = [_jobs.get()]
        while len(batch) < MAX_BATCH:
            try:
                batch.append(_jobs.get_nowait())
            except queue.Empty:
                break
        _write(batch)


def _write(batch: list[_Job]) -> None:
    close_old_connections()
    try:
        with transaction.atomic():
            # A refused report fails alone; the others are stored (submit_reports).
            outcomes = actions.submit_reports([job.kwargs for job in batch])
            for job, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, Exception):
                    job.error = outcome
                else:
                    job.result = outcome
    except Exception as error:
        logger.exception("a batch of %d reports failed to commit", len(batch))
        for job in batch:
            if job.error is None:
                job.result, job.error = None, error
        connection.close()
    finally:
        for job in batch:
            job.done.set()
