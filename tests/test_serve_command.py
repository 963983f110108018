"""`vecinos serve` runs the real server (gunicorn, threaded workers) on a loopback port:
it answers, it writes no client address anywhere, and SIGTERM stops it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port, process_env

pytestmark = pytest.mark.slow

CLIENT_ADDRESS = "198.51.100.23"
PROXY_ADDRESS = "127.0.0.1"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    output: Path

    def text(self) -> str:
        return self.output.read_text(errors="replace")


def start_server(directory: Path, *options: str, **env: str) -> Server:
    """Start `vecinos serve` (with ``options``) on a free port and wait until /healthz
    answers."""
    port = free_port()
    output = directory / "server.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "vecinos", "serve", "--bind", f"127.0.0.1:{port}", *options],
            env=process_env(directory / "data", **env),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = Server(process=process, url=f"http://127.0.0.1:{port}", output=output)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"vecinos serve exited early:\n{server.text()}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return server
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"vecinos serve did not answer within 60 s:\n{server.text()}")


def stop(server: Server) -> int:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
    return server.process.wait(timeout=30)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    # Everything the server may say, at its most talkative.
    running = start_server(
        tmp_path, VECINOS_TRUSTED_PROXIES=PROXY_ADDRESS, VECINOS_LOG_LEVEL="DEBUG"
    )
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()


def test_the_server_answers_healthz(server: Server) -> None:
    response = requests.get(f"{server.url}/healthz", timeout=5)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_forwarded_client_address_reaches_no_line_the_server_writes(server: Server) -> None:
    forwarded = {"X-Forwarded-For": CLIENT_ADDRESS}
    requests.get(f"{server.url}/healthz", headers=forwarded, timeout=5)
    # A missing page and a forged Host header are both logged by Django.
    requests.get(f"{server.url}/no-such-page", headers=forwarded, timeout=5)
    requests.get(f"{server.url}/healthz", headers={**forwarded, "Host": CLIENT_ADDRESS}, timeout=5)
    deadline = time.monotonic() + 10
    while "Invalid HTTP_HOST header" not in server.text() and time.monotonic() < deadline:
        time.sleep(0.1)

    assert stop(server) == 0
    output = server.text()
    assert "Invalid HTTP_HOST header" in output  # the lines were written, scrubbed
    assert "no-such-page" in output
    assert CLIENT_ADDRESS not in output
    assert PROXY_ADDRESS not in output


def test_sigterm_stops_the_server_and_frees_its_port(tmp_path: Path) -> None:
    server = start_server(tmp_path)

    assert stop(server) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/healthz", timeout=2)
