"""A slowloris does not stop `vecinos serve`: 200 connections sending their headers a
byte at a time hold no worker thread (the buffering front takes each request whole,
with a deadline), and a normal request is answered meanwhile."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.test_serve_command import Server, start_server, stop

pytestmark = pytest.mark.slow

SLOW_CONNECTIONS = 200


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = start_server(tmp_path)
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()


def slowloris(url: str, count: int, stop_at: float) -> list[socket.socket]:
    host, port = url.removeprefix("http://").split(":")
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: vecinos.example.org\r\nX-Slow: ")
        sockets.append(sock)

    def trickle() -> None:
        while time.monotonic() < stop_at:
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b"a")
            time.sleep(0.5)

    threading.Thread(target=trickle, daemon=True).start()
    return sockets


def test_a_normal_request_is_answered_during_a_slowloris_of_200_connections(
    server: Server,
) -> None:
    sockets = slowloris(server.url, SLOW_CONNECTIONS, stop_at=time.monotonic() + 8)
    try:
        time.sleep(1.0)  # every slow connection is open and sending
        for _ in range(5):
            started = time.monotonic()
            response = requests.get(f"{server.url}/healthz", timeout=5)
            assert response.status_code == 200
            assert time.monotonic() - started < 2.0
            time.sleep(0.5)
    finally:
        for sock in sockets:
            sock.close()
    assert stop(server) == 0


def test_a_connection_that_never_finishes_its_headers_is_closed(server: Server) -> None:
    from vecinos.core import front

    (sock,) = slowloris(server.url, 1, stop_at=time.monotonic() + front.HEADER_SECONDS + 5)
    sock.settimeout(front.HEADER_SECONDS + 5)
    started = time.monotonic()
    assert sock.recv(1024) == b""  # closed by the server, nothing answered
    assert time.monotonic() - started <= front.HEADER_SECONDS + 2
    sock.close()
