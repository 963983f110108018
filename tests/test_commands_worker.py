"""`vecinos worker` consumes the SQLite task queue, runs what was enqueued (here the
retention task, which deletes an expired session), and stops on SIGTERM."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import process_env

ENQUEUE = """
from datetime import timedelta
from django.contrib.sessions.models import Session
from django.utils import timezone
from vecinos.core.tasks import purge_expired
hour = timedelta(hours=1)
for key, expires in (("expired", timezone.now() - hour), ("current", timezone.now() + hour)):
    Session.objects.create(session_key=key.ljust(40, "x"), session_data="", expire_date=expires)
purge_expired()  # enqueued: the queue is not in immediate mode outside the test run
"""


def session_keys(directory: Path) -> set[str]:
    with sqlite3.connect(directory / "vecinos.sqlite3") as connection:
        return {row[0][:7] for row in connection.execute("SELECT session_key FROM django_session")}


@pytest.mark.slow
def test_the_worker_runs_an_enqueued_task_and_stops_on_sigterm(
    migrated_data_dir: Path, tmp_path: Path
) -> None:
    env = process_env(migrated_data_dir)
    vecinos = [sys.executable, "-m", "vecinos"]
    subprocess.run([*vecinos, "shell", "-c", ENQUEUE], env=env, check=True, timeout=60)
    assert session_keys(migrated_data_dir) == {"expired", "current"}

    output = tmp_path / "worker.log"
    with output.open("wb") as sink:
        worker = subprocess.Popen([*vecinos, "worker"], env=env, stdout=sink, stderr=sink)
    try:
        deadline = time.monotonic() + 60
        while "expired" in session_keys(migrated_data_dir) and time.monotonic() < deadline:
            assert worker.poll() is None, output.read_text()
            time.sleep(0.2)

        assert session_keys(migrated_data_dir) == {"current"}
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=40) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    log = output.read_text()
    assert "vecinos.core.tasks.purge_expired" in log
    assert "sessions_deleted=1" in log
    assert "Consumer exiting" in log


def test_the_worker_refuses_a_queue_in_immediate_mode() -> None:
    # The test run executes tasks inline: a consumer would wait for nothing forever.
    with pytest.raises(CommandError, match="immediate"):
        call_command("worker")
