"""`vecinos run` starts the server and the worker, stops both on SIGTERM, and when one
of them dies it stops the other and fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port, process_env

pytestmark = pytest.mark.slow


def children_of(pid: int) -> dict[str, int]:
    """The `serve` and `worker` processes started by ``pid``, by command."""
    found: dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid and b"vecinos" in argv:
            for command in ("serve", "worker"):
                if command.encode() in argv:
                    found[command] = int(entry.name)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes: it only waits to be reaped.
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start_run(directory: Path, tmp_path: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    output = tmp_path / "run.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "vecinos", "run", "--bind", f"127.0.0.1:{port}"],
            env=process_env(directory),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while f"running on {url}" not in output.read_text() or len(children_of(process.pid)) < 2:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"vecinos run did not start:\n{output.read_text()}")
        time.sleep(0.2)
    return process, url, output


def wait_gone(pids: list[int], seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)


def test_run_serves_and_sigterm_stops_the_server_and_the_worker(
    migrated_data_dir: Path, tmp_path: Path
) -> None:
    process, url, output = start_run(migrated_data_dir, tmp_path)
    children = children_of(process.pid)

    assert requests.get(f"{url}/readyz", timeout=5).status_code == 200
    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=60) == 0
    wait_gone(list(children.values()))
    assert not [name for name, pid in children.items() if alive(pid)], output.read_text()


def test_when_the_worker_dies_run_stops_the_server_and_fails(
    migrated_data_dir: Path, tmp_path: Path
) -> None:
    process, url, output = start_run(migrated_data_dir, tmp_path)
    children = children_of(process.pid)

    os.kill(children["worker"], signal.SIGKILL)

    assert process.wait(timeout=60) == 1
    wait_gone([children["serve"]])
    assert not alive(children["serve"])
    assert "the worker stopped" in output.read_text()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/healthz", timeout=2)
