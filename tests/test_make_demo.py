"""A newcomer's first minutes: `make demo` on a fresh clone installs everything into a new
virtualenv, loads the demo, serves it with the worker beside it and prints the
sign-ins; Ctrl-C (SIGINT to the terminal's process group) stops everything it started
and frees the port.

It clones the repository's HEAD, so it tests what is committed, not the working tree.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port, process_env

REPO = Path(__file__).resolve().parents[1]
READY_SECONDS = 300


def processes_in_group(group: int) -> dict[int, str]:
    """pid -> command line of every live process of ``group``."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        state, process_group = fields[0], int(fields[2])
        if process_group == group and state != "Z":
            found[int(entry.name)] = command
    return found


def port_is_free(port: int) -> bool:
    """Nobody listens on ``port`` any more."""
    import socket

    with socket.socket() as sock:
        # As servers do: connections of the stopped server may linger in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
        except OSError:
            return False
        return True


def start_demo(
    clone: Path, port: int, env: dict[str, str], output: Path
) -> subprocess.Popen[bytes]:
    """`make demo PORT=port` in its own process group (like a terminal's job), then
    wait until /readyz answers."""
    with output.open("wb") as sink:
        make = subprocess.Popen(
            ["make", "demo", f"PORT={port}"],
            cwd=clone,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + READY_SECONDS
    while True:
        if make.poll() is not None:
            pytest.fail(f"make demo exited ({make.returncode}):\n{output.read_text()}")
        if time.monotonic() > deadline:
            stop_group(make, signal.SIGKILL)
            pytest.fail(f"/readyz did not answer in {READY_SECONDS} s:\n{output.read_text()}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return make
        except requests.ConnectionError:
            pass
        time.sleep(1)


def wait_for_text(output: Path, text: str, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while text not in output.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    return output.read_text()


def stop_group(make: subprocess.Popen[bytes], signum: int) -> None:
    """Send ``signum`` to the whole job, as a terminal does on Ctrl-C, and wait."""
    os.killpg(make.pid, signum)
    make.wait(timeout=60)
    deadline = time.monotonic() + 30
    while processes_in_group(make.pid) and time.monotonic() < deadline:
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.timeout(2 * READY_SECONDS + 180)
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to clone the repository")
def test_make_demo_on_a_fresh_clone_serves_the_demo_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    clone = tmp_path / "vecinos"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    assert not (clone / ".venv").exists()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = process_env(tmp_path / "data")
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # not a sub-make of `make test`
        env.pop(name, None)
    first = tmp_path / "first.log"

    make = start_demo(clone, port, env, first)
    try:
        home = requests.get(f"{url}/", timeout=10)
        assert home.status_code == 200
        assert "Vecinos" in home.text
        printed = wait_for_text(first, f"running on {url}")
        assert f"running on {url}" in printed
        assert "Loaded the demo network" in printed
        assert "vecinos-demo-dani" in printed  # the demo sign-ins
        assert (clone / ".venv" / "bin" / "vecinos").exists()  # installed from nothing
        running = processes_in_group(make.pid)
        assert any(" serve " in f"{command} " for command in running.values()), running
        assert any(" worker " in f"{command} " for command in running.values()), running

        stop_group(make, signal.SIGINT)

        assert processes_in_group(make.pid) == {}
        assert port_is_free(port)
    finally:
        if processes_in_group(make.pid):
            os.killpg(make.pid, signal.SIGKILL)

    # A second run keeps the data: the demo is not loaded twice.
    second = tmp_path / "second.log"
    make = start_demo(clone, port, env, second)
    try:
        printed = wait_for_text(second, f"running on {url}")
        assert "already loaded" in printed
        assert "vecinos-demo-dani" in printed
    finally:
        stop_group(make, signal.SIGINT)
    assert processes_in_group(make.pid) == {}
    assert port_is_free(port)
