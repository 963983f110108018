"""On PostgreSQL, `vecinos serve`'s web workers share one report writer process
(``vecinos.reports.writer.SharedWriter``): each worker gets the answers to its own
reports, a refused report fails alone, a dead writer is replaced while reports go on,
and stopping the server leaves no writer behind.

The writer's own loop does not depend on the database, so most tests here run it on
the migrated SQLite directory of the suite, in both legs of CI; the whole server on
PostgreSQL runs in the PostgreSQL leg."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.conftest import process_env
from tests.test_report_writer_process import children, command_line, post, report, wait_for
from tests.test_serve_command import start_server, stop

pytestmark = pytest.mark.slow


@pytest.fixture
def shared(
    migrated_data_dir: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> Iterator[Any]:
    """A shared writer on the suite's migrated SQLite directory, as `vecinos serve`
    starts it, with this process in the place of its web workers."""
    from vecinos.reports import writer

    for key, value in process_env(migrated_data_dir).items():
        monkeypatch.setenv(key, value)
    for key in ("DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(key, raising=False)
    settings.REDIS_URL = ""
    running = writer.SharedWriter()
    yield running
    running.stop()


def new_report(key: str, **fields: Any) -> Any:
    from vecinos.reports.actions import NewReport

    return NewReport(
        **{"kind": "raid", "lat": 34.05, "lng": -118.21, "channel": "api", "client_key": key}
        | fields
    )


def stored_count(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "vecinos.sqlite3") as db:
        return int(db.execute("SELECT COUNT(*) FROM reports_report").fetchone()[0])


def test_two_workers_share_one_writer_and_each_hears_only_its_own_reports(
    shared: Any, migrated_data_dir: Path
) -> None:
    from vecinos.reports import writer

    first, second = writer._WriterProcess(shared.path), writer._WriterProcess(shared.path)
    try:

        def send(args: tuple[Any, int]) -> Any:
            worker, number = args
            lat = 200.0 if number == 7 else 34.05  # one refused report, on the second
            return worker.submit(new_report(f"k{number}", lat=lat))

        work = [(first if number % 2 else second, number) for number in range(40)]
        with ThreadPoolExecutor(max_workers=16) as pool:
            jobs = list(pool.map(send, work))
        for job in jobs:
            assert job.done.wait(60)

        refused = jobs[7]
        assert refused.result is None
        assert "lat" in str(refused.error)
        answered = [job for number, job in enumerate(jobs) if number != 7]
        assert all(job.error is None for job in answered)
        ids = {job.result.id for job in answered}
        assert len(ids) == 39
        # Nothing left waiting on either side: each answer went to the worker that asked.
        assert first.waiting == {} and second.waiting == {}
        assert stored_count(migrated_data_dir) == 39
        # One place, one moment: one incident, whichever worker the reports came through.
        assert len({job.result.incident_id for job in answered}) == 1
        # A worker done with the writer: its reader thread hears the end and closes.
        first.close()
        assert not first.reader.is_alive() and first.closed
    finally:
        first.close()
        second.close()


def test_without_redis_the_live_updates_of_a_batch_reach_every_worker(shared: Any) -> None:
    """Each worker delivers them to its own consoles (with Redis the writer publishes
    them itself)."""
    from vecinos.core import live
    from vecinos.reports import writer
    from vecinos.reports.events import LIVE_CHANNEL

    worker = writer._WriterProcess(shared.path)
    try:
        with live.subscribe(LIVE_CHANNEL, timeout=30) as events:
            job = worker.submit(new_report("a"))
            assert job.done.wait(60) and job.error is None
            event = json.loads(next(event for event in events if event is not None))
        assert (event["incident"], event["type"]) == (str(job.result.incident_id), "opened")
    finally:
        worker.close()


def test_a_dead_shared_writer_is_replaced_and_reports_go_on(
    shared: Any, migrated_data_dir: Path
) -> None:
    from vecinos.reports import writer

    worker = writer._WriterProcess(shared.path)
    job = worker.submit(new_report("a"))
    assert job.done.wait(60) and job.error is None
    dead = shared.process.pid

    os.kill(dead, signal.SIGKILL)
    # The worker hears its writer end: whatever it had handed over "may or may not" be
    # stored, and it connects again for the next report.
    wait_for(lambda: not worker.alive())
    wait_for(lambda: shared.process.pid != dead and shared.process.poll() is None)
    again = writer._WriterProcess(shared.path)
    try:
        job = again.submit(new_report("b"))
        assert job.done.wait(60)
        assert job.error is None
        assert stored_count(migrated_data_dir) == 2
    finally:
        again.close()


def test_a_worker_whose_writer_is_not_listening_answers_not_stored(
    shared: Any, tmp_path: Path
) -> None:
    from vecinos.reports import writer

    nowhere = writer._WriterProcess(str(tmp_path / "no-socket"))
    job = nowhere.submit(new_report("a"))

    assert job.done.is_set()
    assert type(job.error) is writer.WriterBusy  # never sent: certainly not stored
    assert not nowhere.alive()


def test_stopping_ends_the_shared_writer_and_removes_its_socket(shared: Any) -> None:
    process, directory = shared.process, Path(shared.directory)
    assert (directory / "socket").is_socket()
    # Only this user may connect: the directory is the socket's guard.
    assert directory.stat().st_mode & 0o777 == 0o700

    shared.stop()

    assert process.wait(30) == 0
    assert not directory.exists()


# The whole server, on PostgreSQL ---------------------------------------------------------


@pytest.fixture
def postgres_data_dir(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A PostgreSQL database of its own (beside this run's test database), migrated, for
    a server the test starts."""
    if connection.vendor != "postgresql":
        pytest.skip("the shared writer serves PostgreSQL: it runs in the PostgreSQL leg")
    import psycopg
    from psycopg import sql

    params = connection.get_connection_params()
    admin = {key: params[key] for key in ("host", "port", "user") if params.get(key)}
    name = f"{connection.settings_dict['NAME']}_serve"
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    host = params.get("host") or "127.0.0.1"
    url = (
        f"postgres://{params.get('user') or 'postgres'}@{host}:{params.get('port') or 5432}/{name}"
    )
    data = tmp_path / "data"
    subprocess.run(
        [sys.executable, "-m", "vecinos", "migrate", "--no-input", "-v", "0"],
        env=process_env(data, DATABASE_URL=url),
        check=True,
        timeout=300,
    )
    yield data, url
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def shared_writers(pid: int) -> list[int]:
    return [child for child in children(pid) if "reportwriter --listen" in command_line(child)]


def test_on_postgresql_every_worker_writes_through_one_shared_writer(
    tmp_path: Path, postgres_data_dir: tuple[Path, str]
) -> None:
    import psycopg

    _, url = postgres_data_dir
    running = start_server(
        tmp_path, "--workers", "3", DATABASE_URL=url, VECINOS_REPORT_RATE="100000/h"
    )
    try:
        (writer_pid,) = wait_for(lambda: shared_writers(running.process.pid))
        # No web worker has a writer of its own.
        assert not [
            child
            for worker in children(running.process.pid)
            for child in children(worker)
            if "reportwriter" in command_line(child)
        ]

        with ThreadPoolExecutor(max_workers=24) as pool:
            responses = list(pool.map(lambda _: post(running, report()), range(96)))

        assert [response.status_code for response in responses] == [201] * 96
        ids = {response.json()["id"] for response in responses}
        with psycopg.connect(url) as db:
            stored = {str(row[0]) for row in db.execute("SELECT id FROM reports_report")}
        assert ids == stored
        assert len({response.json()["incident_id"] for response in responses}) == 1

        os.kill(writer_pid, signal.SIGKILL)
        statuses = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            response = post(running, report())
            statuses.append(response.status_code)
            if response.status_code == 201:
                break
            assert response.status_code == 503
        assert statuses[-1] == 201
        (replaced,) = wait_for(lambda: shared_writers(running.process.pid))
        assert replaced != writer_pid

        assert stop(running) == 0
        wait_for(lambda: "reportwriter" not in command_line(replaced))
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()


@pytest.mark.parametrize(
    "arguments",
    [[], ["--listen", "3"], ["--fd", "3", "--lifeline", "4"], ["--fd", "3", "--listen", "4"]],
)
def test_the_writer_command_refuses_a_socket_it_cannot_serve(arguments: list[str]) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=r"--fd|--listen|--lifeline"):
        call_command("reportwriter", *arguments)
