"""Crash: under concurrent report load, the server, its worker and its report writer
are killed with SIGKILL again and again (and the server restarted); every report
answered 201 is in the database afterwards. On SQLite (the writer process), or, when
the run has DATABASE_URL (the PostgreSQL pass of CI), on a PostgreSQL database of its
own (tests/proofs/conftest.py ``child_database``)."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import time
from pathlib import Path

import requests

from tests.proofs.conftest import size, stored_report_ids, write_figures
from tests.test_report_writer_process import children, command_line
from tests.test_serve_command import Server, start_server


def kill_one(server: Server, rng: random.Random) -> str:
    """SIGKILL the web worker, the report writer, or everything (then restart)."""
    workers = [pid for pid in children(server.process.pid) if "front" not in command_line(pid)]
    writers = [c for w in workers for c in children(w) if "reportwriter" in command_line(c)]
    victim = rng.choices(["worker", "writer", "server"], weights=[2, 2, 1])[0]
    if victim == "worker" and workers:
        os.kill(rng.choice(workers), signal.SIGKILL)
    elif victim == "writer" and writers:
        os.kill(rng.choice(writers), signal.SIGKILL)
    else:
        victim = "server"
        for pid in [*writers, *workers, *children(server.process.pid), server.process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.process.wait()
    return victim


def test_every_report_answered_201_survives_repeated_kill_9(
    tmp_path: Path, migrated_data_dir: Path, child_database: dict[str, str]
) -> None:
    seconds = size(25, 300)
    env = {
        "VECINOS_REPORT_RATE": "100000000/h",
        "VECINOS_TRUSTED_PROXIES": "127.0.0.1",
        **child_database,
    }
    holder = {"server": start_server(tmp_path, **env)}
    acknowledged: list[str] = []
    answers: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        session = requests.Session()
        while time.monotonic() < stop_at:
            url = holder["server"].url
            try:
                response = session.post(
                    f"{url}/api/v1/reports",
                    json={"kind": "raid", "lat": 34.0403, "lng": -118.2093},
                    headers={"X-Forwarded-For": f"198.51.100.{n}"},
                    timeout=30,
                )
            except requests.RequestException as error:
                with lock:
                    answers["no answer"] = answers.get("no answer", 0) + 1
                    kind = type(error).__name__
                    answers[kind] = answers.get(kind, 0) + 1

                time.sleep(0.05)
                continue
            with lock:
                answers[str(response.status_code)] = answers.get(str(response.status_code), 0) + 1
                if response.status_code == 201:
                    acknowledged.append(response.json()["id"])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(size(8, 16))]
    for thread in threads:
        thread.start()
    rng = random.Random(9)
    kills: dict[str, int] = {}
    deadline = time.monotonic() + 60
    while not acknowledged and time.monotonic() < deadline:  # the writer is up
        time.sleep(0.1)
    while time.monotonic() < stop_at - 2:
        time.sleep(rng.uniform(1.0, 3.0))
        victim = kill_one(holder["server"], rng)
        kills[victim] = kills.get(victim, 0) + 1
        if victim == "server":
            holder["server"] = start_server(tmp_path, **env)
    for thread in threads:
        thread.join(60)
    server = holder["server"]
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(30)

    stored = stored_report_ids(migrated_data_dir, child_database)
    lost = [i for i in acknowledged if i.replace("-", "") not in stored]
    write_figures(
        "crash_reports",
        {"database": "postgresql" if child_database else "sqlite", "seconds": seconds,
         "acknowledged": len(acknowledged), "lost": len(lost),
         "answers": answers, "kills": kills},
    )  # fmt: skip
    assert acknowledged, answers
    assert sum(kills.values()) >= 3
    assert lost == [], f"{len(lost)} of {len(acknowledged)} reports answered 201 are gone"
