"""Group commit for reports (SQLite, and PostgreSQL below).

On a raid day reports arrive in bursts from many phones at once. SQLite lets one
writer commit at a time, and with ``synchronous=FULL`` every commit waits for the disk
(benchmarks/results/reports_http.json), so one transaction per report caps intake,
and threads queueing on SQLite's lock sleep in its busy handler's growing steps (up to
100 ms), which is what a reporter waits for at the tail.

So in each web process one writer thread takes the reports that are waiting and stores
them in ONE transaction:

1. A request validates its input, cleans its photo, and hands the arguments of
   ``submit_report`` to the writer; then it waits (``REPORT_WRITE_TIMEOUT`` seconds).
2. The writer takes the first waiting job and every other already queued, up to
   ``MAX_BATCH``; stores them with ``actions.submit_reports``, whose transaction is
   the batch's one transaction (a refused report fails alone); commits once.
3. Only after the commit — the reports are on disk — does it wake the requests, which
   answer 201. A failed commit fails every job in the batch: nothing is acknowledged
   that was not stored, and each answers 503 saying the report may or may not be
   stored (``WriterLost``), since a commit lost with its connection may have
   taken effect.

Cost per batch: one indexed clustering query; the writes (new incidents, reports,
joined incidents' summaries, timeline rows) are one statement on PostgreSQL and four
on SQLite, plus a row lock and one aggregate when the batch joins stored incidents;
and one fsync per batch instead of per report. On PostgreSQL that is two round trips
a batch, three when it joins (``actions.submit_reports``), on a connection the writer
keeps while reports keep coming. The writer is
the one place where reports are written, so its Python time per report is what caps
intake (the ORM compiling five statements per report cost about as much as
everything else). Clustering stays exact: ``submit_reports`` decides in order, so a
report sees the incidents the previous ones opened, even within the batch.

The writer process. Under ``vecinos serve`` on SQLite the writer is not a thread of
the web process but a process of its own (``vecinos reportwriter --fd``, one per web
process, started by it and stopped when its socket closes): a thread shares the web process's
GIL with every request thread, and under load it waited for the GIL more than it
worked, so intake stopped at what one core could do for requests and writes
together. As a process, it writes on the other core while requests are parsed. The
contract is the same: a request hands over its report (arguments, photo already
cleaned) over a socket pair and waits; the writer stores a batch in one transaction
and only after the commit answers, per report, its ids or the exception that refused
it, together with the batch's live updates, which the web process publishes to its
consoles (without Redis the writer process has no listeners of its own). If the
writer process dies, the reports waiting on it answer 503 saying they may or may not
be stored (``WriterLost``; a resend with the same idempotency key is recognised), and
the next report starts a new one. "503, nothing was stored" (``WriterBusy``) is said
only when it is true: each report carries a deadline, and the writer drops a report
still waiting at its deadline instead of storing it after its request gave up, while
a request whose report the writer already took waits for the end of that batch.

On PostgreSQL what a report costs is not the commit but the Python work of its
statements and round trips (the clustering query, the lock and sums of a joined
incident, the write), which a batch pays once for all its reports; the bigger the
batches, the less each report costs. So under ``vecinos serve`` the web workers share
ONE writer process (``SharedWriter``, ``vecinos reportwriter --listen``, started by
``serve`` before it forks the workers and started again if it ends): it takes the
reports waiting from every worker, so a batch holds what the whole server received
while the previous one was written (about 4.6 reports under load on 2 cores, against
1 to 2 for a writer thread in each worker), and it writes on the other core while the
workers parse requests. The contract is that of the writer process above; a worker
connects to its socket, in a directory only the server's user can enter, and a worker
whose writer ended answers the reports it was waiting on 503 "may or may not be
stored" and connects again. The writer ends after the last worker: each holds the
write end of a pipe whose closing it waits for. Outside ``vecinos serve`` (tests,
management commands) the writer is a thread of the process. A caller already inside
a transaction must see its report in that transaction, so it calls
``actions.submit_report`` directly, on either database. Measurements:
benchmarks/results/postgres/reports_http_notes.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import itertools
import logging
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import BinaryIO, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from vecinos.core import live
from vecinos.reports import actions, photos
from vecinos.reports.models import Report

logger = logging.getLogger(__name__)

MAX_BATCH = 64
# Seconds without a report after which the writer thread gives its connection back:
# under load reports come milliseconds apart, and a quiet writer holds none.
IDLE_SECONDS = 0.1
# Seconds a request waits, past its deadline, for the writer process's answer (the
# end of the batch it is writing) before answering that it cannot tell (WriterLost).
ANSWER_GRACE = 30


class WriterBusy(Exception):
    """The writer did not store the report, and never will (the request answers 503:
    nothing was stored, send it again)."""


class WriterLost(WriterBusy):
    """The writer process ended after taking the report and before answering: it may
    or may not be stored (the request answers 503 saying so; a resend carrying the
    same idempotency key is recognised)."""


class StoredReport(NamedTuple):
    """What the writer process answers for a stored report: its ids."""

    id: uuid.UUID
    incident_id: uuid.UUID


class _Job:
    """One report waiting for the writer. ``taken`` (under ``lock``) is set when the
    writer takes it into a batch; a request that gives up waiting first sets
    ``cancelled`` instead, and the writer skips it: so a "not stored" answer is true."""

    __slots__ = ("cancel", "cancelled", "done", "error", "lock", "report", "result", "taken")

    def __init__(self, report: actions.NewReport) -> None:
        self.report = report
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.taken = False
        self.cancelled = False
        self.result: Report | StoredReport | None = None
        self.error: BaseException | None = None
        # What to do once waiting is over, for the writer process's jobs (wait for that
        # process's own answer); None: the in-process writer, which checks ``cancelled``.
        self.cancel: Callable[[_Job], None] | None = None

    def take(self) -> bool:
        """The writer takes the job into a batch, unless its request gave up."""
        with self.lock:
            if self.cancelled:
                return False
            self.taken = True
            return True

    def outcome(self) -> Report | StoredReport:
        """Wait for the writer (``REPORT_WRITE_TIMEOUT`` seconds); the stored report,
        or the error that refused it, or ``WriterBusy`` if it took too long: then the
        job is cancelled, so it is never stored later. A job the writer already took
        is waited for to the end of its batch (a commit takes milliseconds), so the
        answer says what happened to it."""
        if not self.done.wait(timeout=settings.REPORT_WRITE_TIMEOUT):
            if self.cancel is not None:
                self.cancel(self)  # the writer process's own answer, or WriterLost
            else:
                with self.lock:
                    if not self.taken:
                        self.cancelled = True
                        raise WriterBusy
            self.done.wait()
        if self.error is not None:
            raise self.error
        assert self.result is not None  # noqa: S101 - set with done when no error
        return self.result


# None in the queue asks the writer thread to stop (``stop``).
_jobs: queue.Queue[_Job | None] = queue.Queue()
_start_lock = threading.Lock()
_thread: threading.Thread | None = None


def submit_report(report: actions.NewReport) -> Report | StoredReport:
    """Store a report durably and return it (or, from the writer process, its ids);
    the same contract as ``actions.submit_report``, batched with concurrent reports."""
    if not settings.REPORT_GROUP_COMMIT or connection.in_atomic_block:
        return actions.submit_report(report)
    if _use_process:
        return _writer_process().submit(_with_clean_photo(report)).outcome()
    if connection.vendor != "sqlite":
        # The writer thread serves the whole process: re-encoding a photo is the
        # request's own work, not something every report of the batch waits for.
        report = _with_clean_photo(report)
    job = _Job(report)
    _ensure_writer()
    _jobs.put(job)
    return job.outcome()


def _ensure_writer() -> None:
    global _thread
    if _thread is not None and _thread.is_alive():
        return
    with _start_lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="report-writer", daemon=True)
            _thread.start()


def stop(timeout: float = 10.0) -> None:
    """Stop the writer thread once the reports handed to it before are written, and
    close its database connection; the next report starts a new one. For the end of a
    process or of a test session: a database being dropped must not have the writer's
    connection open (it keeps one for ``IDLE_SECONDS`` after a report)."""
    global _thread
    with _start_lock:
        thread, _thread = _thread, None
    if thread is not None and thread.is_alive():
        _jobs.put(None)
        thread.join(timeout)


def _run() -> None:
    stopping = False
    while not stopping:
        try:
            first = _jobs.get(timeout=IDLE_SECONDS)
        except queue.Empty:
            # Quiet for a moment: the connection goes back to the pool (cheap), so an
            # idle writer holds none, and a database can be closed or dropped under it.
            _release_connection()
            first = _jobs.get()
        batch: list[_Job] = []
        job = first
        while True:
            if job is None:
                stopping = True
            else:
                batch.append(job)
            if stopping or len(batch) >= MAX_BATCH:
                break
            try:
                job = _jobs.get_nowait()
            except queue.Empty:
                break
        batch = [job for job in batch if job.take()]
        if batch:
            _write(batch)
    connection.close()


def _pooled() -> bool:
    return bool(connection.settings_dict.get("OPTIONS", {}).get("pool"))


def _release_connection() -> None:
    if _pooled():
        connection.close()


def _write(batch: list[_Job]) -> None:
    # A pooled connection is kept from batch to batch while reports keep coming
    # (taking one from the pool costs the round trip of its check, every batch) and
    # checked only after an error; any other is closed here once past its age.
    if not _pooled() or connection.errors_occurred:
        close_old_connections()
    try:
        # Outside any transaction: submit_reports's own is the batch's one transaction
        # (no savepoint), committed before it returns. A refused report fails alone;
        # the others are stored. A failed commit raises, and fails the whole batch.
        outcomes = actions.submit_reports([job.report for job in batch])
        for job, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):
                job.error = outcome
            else:
                job.result = outcome
    except Exception as error:
        # Most often the COMMIT itself (the database went away): whether it took
        # effect cannot be told from here, so each request answers 503 saying so, and
        # a resend carrying the same idempotency key is recognised.
        logger.exception("a batch of %d reports failed to commit", len(batch))
        for job in batch:
            if job.error is None:
                lost = WriterLost()
                lost.__cause__ = error
                job.result, job.error = None, lost
        connection.close()
    finally:
        for job in batch:
            job.done.set()


# The writer process ------------------------------------------------------------------------

_use_process = False
_process: _WriterProcess | None = None
_process_lock = threading.Lock()


_shared_path: str | None = None
# Where ``vecinos serve`` tells its web workers the shared writer listens (PostgreSQL).
SHARED_SOCKET_ENV = "VECINOS_REPORT_WRITER_SOCKET"


def start_for_server() -> Callable[[], None] | None:
    """``hooks.server_starting`` (``vecinos serve``, before it forks its web workers):
    on PostgreSQL, start the writer process the workers share, tell them where it
    listens, and return how to stop it."""
    if connection.vendor == "sqlite" or not settings.REPORT_GROUP_COMMIT:
        return None
    shared = SharedWriter()
    os.environ[SHARED_SOCKET_ENV] = shared.path
    return shared.stop


def start_for_web_worker(worker: object) -> None:
    """``hooks.web_worker_started`` (``vecinos serve``'s web workers): on SQLite, this
    worker's reports go through a writer process of its own; on PostgreSQL, through
    the writer process that ``vecinos serve`` shares among its workers."""
    if not settings.REPORT_GROUP_COMMIT:
        return
    if connection.vendor == "sqlite":
        use_process()
    elif path := os.environ.get(SHARED_SOCKET_ENV):
        use_process(shared=path)


def use_process(shared: str | None = None) -> None:
    """From now on, store this process's reports through a writer process: its own
    (``vecinos serve`` calls this in each web worker on SQLite), or the one listening
    on the socket ``shared``; and connect now so that the first report does not wait."""
    global _use_process, _shared_path
    _use_process = True
    _shared_path = shared
    _writer_process()


def _writer_process() -> _WriterProcess:
    global _process
    with _process_lock:
        if _process is None or not _process.alive():
            _process = _WriterProcess(_shared_path)
        return _process


def _with_clean_photo(report: actions.NewReport) -> actions.NewReport:
    """``report`` with the photo cleaned, for the writer process: an upload cannot
    cross to it, and re-encoding the photo is request work. The writer stores the clean
    bytes, and deletes them if the report is refused."""
    photo = report.photo
    if photo is None or isinstance(photo, photos.CleanPhoto):
        return report
    return dataclasses.replace(report, photo=photos.clean_photo(photo))


class _WriterProcess:
    """The web process's end of its writer process: a socket pair, and a thread that
    reads the writer's answers and wakes the requests waiting for them."""

    def __init__(self, shared: str | None = None) -> None:
        self.send_lock = threading.Lock()
        self.waiting: dict[int, _Job] = {}
        self.waiting_lock = threading.Lock()
        self.keys = itertools.count()
        self.open = True
        self.closed = False
        self.close_lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.reader: threading.Thread | None = None
        if shared is None:
            ours, theirs = socket.socketpair()
            with theirs:
                self.process = subprocess.Popen(  # noqa: S603 - our own command, no shell
                    [
                        sys.executable,
                        *("-m", "vecinos", "reportwriter", "--fd", str(theirs.fileno())),
                    ],
                    pass_fds=(theirs.fileno(),),
                    stdin=subprocess.DEVNULL,
                    env=os.environ.copy(),
                )
        else:
            ours = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                ours.connect(shared)
            except OSError:
                # Not listening (being restarted by ``vecinos serve``): this report is
                # answered "not stored", and the next one connects again.
                logger.warning("the shared report writer is not listening")
                ours.close()
                self.open, self.closed = False, True
                return
        # Kept for ``shutdown``, which wakes the reader of a shared writer's socket.
        self.socket = socket.socket(fileno=os.dup(ours.fileno()))
        self.connection = Connection(ours.detach())
        self.reader = threading.Thread(target=self._read, name="report-writer-answers", daemon=True)
        self.reader.start()

    def alive(self) -> bool:
        return self.open and (self.process is None or self.process.poll() is None)

    def close(self) -> None:
        """Close our end of the socket once, whoever asks first (the reader thread when
        the writer is gone, or the owner when done): a second close of one descriptor
        fails with EBADF, or worse closes whatever file took its number meanwhile. While
        the reader thread reads, the owner only shuts the socket down: the reader hears
        the end, answers what was waiting and closes it (a descriptor closed under a
        read fails that read, or reads whatever file took its number)."""
        reader = self.reader
        if reader is not None and reader is not threading.current_thread() and reader.is_alive():
            with contextlib.suppress(OSError):
                self.socket.shutdown(socket.SHUT_RDWR)
            reader.join(5)
            if reader.is_alive():
                return
        with self.close_lock:
            if not self.closed:
                self.closed = True
                self.connection.close()
                self.socket.close()

    def submit(self, report: actions.NewReport) -> _Job:
        """Hand a report to the writer process with a deadline: a report still waiting
        at its deadline is dropped by the writer (answered "not stored") instead of
        being stored after the request gave up, so the request waits for the writer's
        own answer (``_wait_for_answer``), which says what happened."""
        job = _Job(report)
        job.cancel = self._wait_for_answer
        key = next(self.keys)
        deadline = time.monotonic() + settings.REPORT_WRITE_TIMEOUT
        with self.waiting_lock:
            if not self.open:
                job.error = WriterBusy()  # never sent: certainly not stored
                job.done.set()
                return job
            self.waiting[key] = job
        try:
            with self.send_lock:
                self.connection.send((key, report, deadline))
        except (OSError, ValueError):
            self._lost(close=False)
        return job

    def _wait_for_answer(self, job: _Job) -> None:
        """Past the deadline the writer answers at the latest when its current batch is
        written (and drops the job if it had not started it). A writer that does not
        answer even then is hung: the report may or may not be stored."""
        if not job.done.wait(timeout=ANSWER_GRACE):
            raise WriterLost

    def _read(self) -> None:
        try:
            while True:
                answers, events = self.connection.recv()
                for channel, payload in events:
                    live.deliver(channel, payload)
                for key, result, error in answers:
                    with self.waiting_lock:
                        job = self.waiting.pop(key, None)
                    if job is not None:
                        job.result, job.error = result, error
                        job.done.set()
        except (EOFError, OSError):
            self._lost(close=True)

    def _lost(self, *, close: bool) -> None:
        """The writer process is gone: whatever it had not answered may or may not be
        stored, so each such request answers 503 saying so (``WriterLost``).

        Called by a request thread whose send failed and by the reader thread when
        the socket ends, possibly both at once. Only the reader closes the socket
        (``close``), once: a second close of the same descriptor fails with EBADF,
        or worse closes whatever file took its number meanwhile. A failed send kills
        the process instead, so that the reader sees the end and closes."""
        with self.waiting_lock:
            self.open = False
            waiting, self.waiting = self.waiting, {}
        if waiting:
            logger.error("the report writer process ended with %d reports waiting", len(waiting))
        for job in waiting.values():
            job.error = WriterLost()
            job.done.set()
        if close:
            self.close()
        elif self.process is None:
            with contextlib.suppress(OSError):
                self.socket.shutdown(socket.SHUT_RDWR)
        elif self.process.poll() is None:
            self.process.kill()


def serve_process(fd: int) -> None:
    """The writer process's loop (``vecinos reportwriter``): take the reports waiting
    on the socket, up to ``MAX_BATCH``, store them with ``_write`` in one transaction,
    answer each with its ids or its error, with the batch's live updates. Ends when the
    web process closes its end."""
    peer = Connection(fd)
    events: list[tuple[str, str]] = []
    live.forward_to(lambda channel, payload: events.append((channel, payload)))
    turn = _writers_turn()
    while True:
        try:
            batch = [peer.recv()]
            while len(batch) < MAX_BATCH and peer.poll():
                batch.append(peer.recv())
        except (EOFError, OSError):
            return
        fcntl.flock(turn, fcntl.LOCK_EX)
        try:
            # After waiting for our turn: a report whose request has given up (its
            # deadline passed) is not stored now; it is answered "not stored".
            answers = _store(batch)
        finally:
            fcntl.flock(turn, fcntl.LOCK_UN)
        try:
            peer.send((answers, list(events)))
        except (OSError, ValueError):
            return
        events.clear()


_Sent = tuple[int, actions.NewReport, float]


def _store(batch: list[_Sent]) -> list[tuple[int, StoredReport | None, BaseException | None]]:
    """Store the reports handed over (key, report, deadline) in one transaction and
    return each one's answer. A report whose request has given up (its deadline
    passed) is not stored now; it is answered "not stored"."""
    now = time.monotonic()
    jobs = [_Job(report) for _, report, _ in batch]
    for job, (_, _, deadline) in zip(jobs, batch, strict=True):
        if deadline <= now:
            job.error = WriterBusy()
    if timely := [job for job in jobs if job.error is None]:
        _write(timely)
    return [(key, *_answer(job)) for (key, _, _), job in zip(batch, jobs, strict=True)]


def serve_shared(listening: int, lifeline: int) -> None:
    """The shared writer process's loop (``vecinos reportwriter --listen``, PostgreSQL):
    every web worker of a ``vecinos serve`` connects to the socket ``listening``; the
    writer takes the reports waiting from all of them, up to ``MAX_BATCH``, stores them
    in one transaction and answers each worker its own. With all of a server's reports
    in one queue, a batch holds what arrived while the previous one was written, so
    the cost of a transaction is shared by more reports the busier the server is.
    Ends, after the batch in hand, when ``lifeline`` closes (``vecinos serve`` and
    every web worker it forked have ended)."""
    server = socket.socket(fileno=listening)
    server.setblocking(False)
    peers: list[Connection] = []
    events: list[tuple[str, str]] = []
    live.forward_to(lambda channel, payload: events.append((channel, payload)))
    while True:
        ready = wait([lifeline, server, *peers], timeout=IDLE_SECONDS)
        if not ready:
            _release_connection()
            continue
        if lifeline in ready:
            break
        if server in ready:
            with contextlib.suppress(BlockingIOError, InterruptedError):
                accepted, _ = server.accept()
                accepted.setblocking(True)
                peers.append(Connection(accepted.detach()))
        batch: list[_Sent] = []
        senders: dict[int, Connection] = {}
        for peer in [peer for peer in peers if peer in ready]:
            try:
                while len(batch) < MAX_BATCH and peer.poll():
                    sent = peer.recv()
                    senders[len(batch)] = peer
                    batch.append(sent)
            except (EOFError, OSError):
                peers.remove(peer)
                peer.close()
        if not batch and not events:
            continue
        answers = _store(batch) if batch else []
        replies: dict[Connection, list[tuple[int, StoredReport | None, BaseException | None]]]
        replies = {peer: [] for peer in peers} if events else {}
        for index, answer in enumerate(answers):
            replies.setdefault(senders[index], []).append(answer)
        for peer, own in replies.items():
            try:
                peer.send((own, events))
            except (OSError, ValueError):
                with contextlib.suppress(ValueError):
                    peers.remove(peer)
                peer.close()
        events.clear()
    server.close()


class SharedWriter:
    """``vecinos serve``'s end of the shared writer process (PostgreSQL): the socket its
    web workers connect to (in a directory only this user can enter), the process, and
    a thread that starts a new one if it ends. A worker whose writer ended answers the
    reports it was waiting on 503 "may or may not be stored" and connects again; while
    the new process starts, connections wait in the socket's backlog."""

    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="vecinos-writer-")
        self.path = os.path.join(self.directory, "socket")
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(128)
        # Forked web workers inherit the write end: the writer ends once the server
        # and every worker are gone, whatever way they end.
        self.lifeline, self.keep_alive = os.pipe()
        self.stopping = threading.Event()
        self.process = self._start()
        threading.Thread(target=self._watch, name="report-writer-watch", daemon=True).start()

    def _start(self) -> subprocess.Popen[bytes]:
        fds = (self.server.fileno(), self.lifeline)
        return subprocess.Popen(  # noqa: S603 - our own command, no shell
            [
                sys.executable,
                *("-m", "vecinos", "reportwriter", "--listen", str(fds[0])),
                *("--lifeline", str(fds[1])),
            ],
            pass_fds=fds,
            stdin=subprocess.DEVNULL,
            env=os.environ.copy(),
        )

    def _watch(self) -> None:
        while not self.stopping.is_set():
            code = self.process.wait()
            if self.stopping.is_set():
                return
            logger.error("the shared report writer ended (%s); starting another", code)
            self.stopping.wait(0.2)
            self.process = self._start()

    def stop(self, timeout: float = 30) -> None:
        """Let the writer finish the batch in hand and end (after the web workers)."""
        if self.stopping.is_set():
            return
        self.stopping.set()
        with contextlib.suppress(OSError):
            os.close(self.keep_alive)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.server.close()
        os.close(self.lifeline)
        shutil.rmtree(self.directory, ignore_errors=True)


def _writers_turn() -> BinaryIO:
    """A lock file beside the database that the writer processes of several web workers
    (``vecinos serve --workers N`` on SQLite) take in turn around each batch. Waiting
    for it, a writer sleeps in the kernel and wakes the moment the other commits;
    waiting for SQLite's own lock, it would poll in growing sleeps of up to 100 ms,
    which is what a reporter waited for at the tail with two workers."""
    database = Path(str(connection.settings_dict["NAME"]))
    return (database.parent / f"{database.name}.report-writers").open("ab")


def _answer(job: _Job) -> tuple[StoredReport | None, BaseException | None]:
    if job.error is not None:
        error = job.error
        if not isinstance(error, (ValidationError, actions.ActionRefused, WriterBusy)):
            # What the request may raise: refusals as they are, anything else as the
            # 503 of a failed write (an arbitrary exception may not pickle).
            error = WriterBusy()
        return None, error
    assert job.result is not None  # noqa: S101 - set with done when no error
    return StoredReport(job.result.id, job.result.incident_id), None
