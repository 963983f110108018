"""Under `vecinos serve` on SQLite, reports are written by a writer process of each web
worker's own (``vecinos.reports.writer``): a 201 still means stored, refusals still
name the field, live updates still reach the consoles of the web process, a dead
writer is replaced, and stopping the server leaves no writer behind."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.utils import timezone

from tests.conftest import process_env
from tests.test_serve_command import Server, start_server, stop

pytestmark = pytest.mark.slow

VECINOS = [sys.executable, "-m", "vecinos"]


def report(**fields: Any) -> dict[str, Any]:
    return {"kind": "raid", "lat": 34.0403, "lng": -118.2093, **fields}


def post(server: Server, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{server.url}/api/v1/reports", json=body, timeout=30)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The parent pid is the second field after the parenthesised command name.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def writers(server: Server) -> list[int]:
    """The report writer processes of the server's workers."""
    return [
        child
        for worker in children(server.process.pid)
        for child in children(worker)
        if "reportwriter" in command_line(child)
    ]


def wait_for(condition: Any, seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    pytest.fail("timed out")


def stored_ids(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "vecinos.sqlite3") as db:
        return {row[0] for row in db.execute("SELECT id FROM reports_report")}


@pytest.fixture
def server(tmp_path: Path, migrated_data_dir: Path) -> Iterator[Server]:
    running = start_server(tmp_path, VECINOS_REPORT_RATE="100000/h")
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()


def test_each_worker_has_a_writer_process_and_every_201_is_stored(
    server: Server, migrated_data_dir: Path
) -> None:
    assert len(wait_for(lambda: writers(server))) == 1

    with ThreadPoolExecutor(max_workers=24) as pool:
        responses = list(pool.map(lambda _: post(server, report()), range(96)))

    assert [response.status_code for response in responses] == [201] * 96
    ids = {response.json()["id"] for response in responses}
    assert len(ids) == 96
    assert ids <= {
        # SQLite keeps UUIDs as 32 hex digits.
        f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
        for value in stored_ids(migrated_data_dir)
    }
    # Reports of one place and moment are one incident, across batches.
    assert len({response.json()["incident_id"] for response in responses}) == 1


def test_with_several_workers_each_has_a_writer_and_they_take_turns(
    tmp_path: Path, migrated_data_dir: Path
) -> None:
    running = start_server(tmp_path, "--workers", "2", VECINOS_REPORT_RATE="100000/h")
    try:
        assert len(wait_for(lambda: len(writers(running)) == 2 and writers(running))) == 2

        with ThreadPoolExecutor(max_workers=24) as pool:
            responses = list(pool.map(lambda _: post(running, report()), range(96)))

        assert [response.status_code for response in responses] == [201] * 96
        assert len(stored_ids(migrated_data_dir)) == 96
        assert (migrated_data_dir / "vecinos.sqlite3.report-writers").exists()
    finally:
        stop(running)


def test_a_report_the_rules_refuse_names_the_field_through_the_writer(server: Server) -> None:
    old = (timezone.now() - timedelta(days=2)).isoformat()

    response = post(server, report(observed_at=old))

    assert response.status_code == 422
    assert "observed_at" in json.dumps(response.json())


def test_a_dead_writer_is_replaced_and_reports_go_on(server: Server) -> None:
    (first,) = wait_for(lambda: writers(server))
    assert post(server, report()).status_code == 201

    os.kill(first, signal.SIGKILL)
    statuses = []
    for _ in range(5):
        response = post(server, report())
        statuses.append(response.status_code)
        if response.status_code != 503:
            break
        # A report handed over as the writer died may or may not be stored: the
        # reporter is told to send it again.
        assert int(response.headers["Retry-After"]) > 0

    # The next report starts a new writer and waits for it (well within its timeout).
    assert statuses[-1] == 201
    assert statuses.count(503) <= 1
    (second,) = wait_for(lambda: writers(server))
    assert second != first


def test_stopping_the_server_leaves_no_writer_behind(
    tmp_path: Path, migrated_data_dir: Path
) -> None:
    running = start_server(tmp_path)
    (writer,) = wait_for(lambda: writers(running))

    assert stop(running) == 0

    wait_for(
        lambda: not Path(f"/proc/{writer}").exists() or "reportwriter" not in command_line(writer)
    )


def test_live_updates_of_the_writer_process_reach_this_process(
    tmp_path: Path, migrated_data_dir: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    from vecinos.core import live
    from vecinos.reports import writer
    from vecinos.reports.actions import NewReport
    from vecinos.reports.events import LIVE_CHANNEL

    # The writer process is started with this process's environment: the copy of a
    # migrated data directory, SQLite, no Redis (so its events come back here).
    for key, value in process_env(migrated_data_dir).items():
        monkeypatch.setenv(key, value)
    for key in ("DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(key, raising=False)
    settings.REDIS_URL = ""
    process = writer._WriterProcess()
    try:
        with live.subscribe(LIVE_CHANNEL, timeout=30) as events:
            job = process.submit(
                NewReport(kind="raid", lat=34.05, lng=-118.21, channel="api", client_key="a")
            )
            assert job.done.wait(60)
            assert job.error is None
            assert isinstance(job.result, writer.StoredReport)
            event = json.loads(next(event for event in events if event is not None))
        assert event["incident"] == str(job.result.incident_id)
        assert event["type"] == "opened"

        refused = process.submit(
            NewReport(kind="raid", lat=200.0, lng=0.0, channel="api", client_key="b")
        )
        assert refused.done.wait(60)
        assert "lat" in str(refused.error)

        process.process.kill()
        process.process.wait()
        lost = process.submit(
            NewReport(kind="raid", lat=34.05, lng=-118.21, channel="api", client_key="c")
        )
        assert lost.done.wait(10)
        assert isinstance(lost.error, writer.WriterBusy)
        assert not process.alive()
    finally:
        process.close()
        if process.process.poll() is None:
            process.process.kill()
            process.process.wait()


def test_a_dispatchers_console_sees_a_report_stored_by_the_writer_process(
    tmp_path: Path, migrated_data_dir: Path
) -> None:
    """The whole way under the production server: a report posted to `vecinos serve`
    is stored by the writer process, and the live update reaches the console stream
    of a dispatcher signed in to the web process."""
    password = "a long dispatcher passphrase"
    subprocess.run(
        [*VECINOS, "createuser", "dani", "--role", "dispatcher", "--password-stdin"],
        input=password + "\n",
        text=True,
        env=process_env(migrated_data_dir),
        check=True,
        timeout=120,
    )
    running = start_server(tmp_path, VECINOS_REQUIRE_MFA="false")
    try:
        console = requests.Session()
        console.get(f"{running.url}/accounts/login/", timeout=10)
        signed = console.post(
            f"{running.url}/accounts/login/",
            data={
                "login": "dani",
                "password": password,
                "csrfmiddlewaretoken": console.cookies["csrftoken"],
            },
            headers={"Referer": f"{running.url}/accounts/login/"},
            timeout=10,
        )
        assert signed.status_code == 200
        events: list[dict[str, str]] = []
        stream = console.get(f"{running.url}/console/stream", stream=True, timeout=60)
        assert stream.status_code == 200
        lines = stream.iter_lines(decode_unicode=True)
        # The stream listens once its first line is out.
        assert next(lines).startswith("retry:")

        accepted = post(running, report())

        assert accepted.status_code == 201
        deadline = time.monotonic() + 40  # keep-alive lines come every 15 s
        for line in lines:
            if time.monotonic() > deadline:
                break
            if line.startswith("data:"):
                events.append(json.loads(line.removeprefix("data:")))
                if events[-1]["incident"] == accepted.json()["incident_id"]:
                    break
        assert events, "no live update reached the console"
        assert events[-1] == {"incident": accepted.json()["incident_id"], "type": "opened"}
        stream.close()
    finally:
        stop(running)


def test_a_photo_sent_with_the_form_reaches_the_writer_clean(
    server: Server, migrated_data_dir: Path
) -> None:
    from tests.factories import photo_bytes
    from tests.test_report_form import form_data

    reporter = requests.Session()
    page = reporter.get(f"{server.url}/report", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    fields = {**form_data(), "csrfmiddlewaretoken": token.group(1)}
    headers = {"Referer": f"{server.url}/report"}

    stored = reporter.post(
        f"{server.url}/report",
        data=fields,
        files={"photo": ("IMG_0001.jpg", photo_bytes(), "image/jpeg")},
        headers=headers,
        allow_redirects=False,
        timeout=30,
    )
    refused = reporter.post(
        f"{server.url}/report",
        data=fields,
        files={"photo": ("photo.jpg", b"MZ\x90\x00 not a jpeg", "image/jpeg")},
        headers=headers,
        allow_redirects=False,
        timeout=30,
    )

    assert stored.status_code == 303
    with sqlite3.connect(migrated_data_dir / "vecinos.sqlite3") as db:
        (name,) = db.execute("SELECT photo FROM reports_report").fetchone()
    photo = (migrated_data_dir / "media" / name).read_bytes()
    assert b"GPS" not in photo and b"Vecinos Test Phone" not in photo
    assert refused.status_code == 400
    with sqlite3.connect(migrated_data_dir / "vecinos.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM reports_report").fetchone() == (1,)
