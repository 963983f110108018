"""What the report writer answers is true: "503, nothing was stored" only when the
report is not stored and never will be (a report the writer had already taken is
waited for; one it had not is dropped, never stored after the request gave up), and
"may or may not be stored" when the writer process died holding it. And when the
writer process dies, its socket is closed once, by one thread (a second close of the
same descriptor fails with EBADF, or closes a file that took its number)."""

from __future__ import annotations

import fcntl
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pytest_django import Settings

from tests.conftest import process_env
from vecinos.reports import actions, writer
from vecinos.reports.models import Channel, Report


def job(label: str) -> actions.NewReport:
    return actions.NewReport(
        kind="raid",
        lat=34.0403,
        lng=-118.2093,
        place=label,
        channel=Channel.API,
        client_key=label,
    )


@pytest.mark.django_db(transaction=True)
def test_a_report_answered_not_stored_is_never_stored_and_a_stored_one_is_never_503(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.REPORT_WRITE_TIMEOUT = 1
    real = actions.submit_reports
    slow = threading.Event()

    def slow_first_batch(jobs: list[actions.NewReport]) -> list[Any]:
        if not slow.is_set():
            slow.set()
            time.sleep(2.5)  # the writer is busy past the first request's deadline
        return real(jobs)

    monkeypatch.setattr(actions, "submit_reports", slow_first_batch)
    answers: dict[str, str] = {}

    def send(label: str) -> None:
        # The in-process writer thread (what SQLite uses), on any database.
        pending = writer._Job(job(label))
        writer._ensure_writer()
        writer._jobs.put(pending)
        try:
            pending.outcome()
            answers[label] = "stored"
        except writer.WriterBusy:
            answers[label] = "not stored"

    first = threading.Thread(target=send, args=("taken",))
    first.start()
    assert slow.wait(5)
    second = threading.Thread(target=send, args=("queued",))
    second.start()
    first.join(10)
    second.join(10)
    time.sleep(1.0)  # anything the writer would still store, it has stored by now

    stored = set(Report.objects.values_list("place", flat=True))
    assert answers == {"taken": "stored", "queued": "not stored"}
    assert stored == {"taken"}


def _popen_with(env: dict[str, str], args: list[str] | None = None) -> Any:
    real = subprocess.Popen

    def popen(command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        return real(args or command, **{**kwargs, "env": env})

    return popen


def test_a_report_past_its_deadline_is_dropped_by_the_writer_process_not_stored_later(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, migrated_data_dir: Path
) -> None:
    settings.REPORT_WRITE_TIMEOUT = 1
    monkeypatch.setattr(writer, "ANSWER_GRACE", 10)
    monkeypatch.setattr(writer.subprocess, "Popen", _popen_with(process_env(migrated_data_dir)))
    database = migrated_data_dir / "vecinos.sqlite3"
    process = writer._WriterProcess()
    try:
        # Another writer's turn lasts longer than the request waits.
        with (migrated_data_dir / "vecinos.sqlite3.report-writers").open("ab") as turn:
            fcntl.flock(turn, fcntl.LOCK_EX)
            pending = process.submit(job("late"))
            released = threading.Timer(2.0, fcntl.flock, args=(turn, fcntl.LOCK_UN))
            released.start()
            started = time.monotonic()
            with pytest.raises(writer.WriterBusy) as answer:
                pending.outcome()
            assert not isinstance(answer.value, writer.WriterLost)
            assert time.monotonic() - started >= 1.0
            released.join()
        # And still a report in time is stored.
        assert isinstance(process.submit(job("timely")).outcome(), writer.StoredReport)
    finally:
        process.process.kill()  # it ignores SIGTERM (ends with its web process)
        process.process.wait(10)
    with sqlite3.connect(database) as db:
        places = {row[0] for row in db.execute("SELECT place FROM reports_report")}
    assert places == {"timely"}


def test_a_dead_writer_process_is_closed_once_by_its_reader_and_its_reports_are_unconfirmed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings.REPORT_WRITE_TIMEOUT = 5
    # A writer that takes the socket and dies without answering.
    dies = [sys.executable, "-c", "import time; time.sleep(0.5)"]
    monkeypatch.setattr(writer.subprocess, "Popen", _popen_with(process_env(tmp_path), dies))
    process = writer._WriterProcess()
    closers: list[str] = []
    close = process.connection.close

    def counted_close() -> None:
        closers.append(threading.current_thread().name)
        close()

    process.connection.close = counted_close  # type: ignore[method-assign]
    waiting = process.submit(job("in flight"))

    def broken(_message: object) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    process.connection.send = broken  # type: ignore[method-assign]
    failed = process.submit(job("send failed"))

    for pending in (waiting, failed):
        with pytest.raises(writer.WriterLost):
            pending.outcome()
    deadline = time.monotonic() + 10
    while not closers and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert closers == ["report-writer-answers"]
    assert process.process.wait(10) is not None
    assert not process.alive()
