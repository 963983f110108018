"""Open consoles never hold up reports: each console stream holds a server thread, so
`vecinos serve` keeps some of its threads from the streams. A console beyond that is
told to retry, and a report sent meanwhile is answered at once."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import requests

from tests.factories import report_payload
from tests.test_serve_command import start_server, stop
from vecinos.core import live

pytestmark = pytest.mark.slow

THREADS = 12  # `serve.stream_limit(12)`: 4 streams, 8 threads kept for requests


def _session_cookie(directory: Path) -> str:
    """A dispatcher's session in the server's own database, made as the sign-in would."""
    import subprocess
    import sys

    from tests.conftest import process_env

    code = (
        "import django; django.setup();"
        "from django.conf import settings; from django.test import Client;"
        "from vecinos.accounts.models import Role, User;"
        "user = User.objects.create_user(username='dani', password=None, role=Role.DISPATCHER);"
        "client = Client(); client.force_login(user);"
        "name = settings.SESSION_COOKIE_NAME;"
        "print(name + '=' + client.cookies[name].value)"
    )
    env = process_env(directory / "data", VECINOS_REQUIRE_MFA="false")
    env["DJANGO_SETTINGS_MODULE"] = "vecinos.settings"
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return output.stdout.strip().splitlines()[-1]


def _open_stream(url: str, cookie: str) -> tuple[socket.socket, bytes]:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(
        f"GET /console/stream HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    return sock, head


def test_reports_are_answered_while_more_consoles_are_open_than_streams_allowed(
    tmp_path: Path, migrated_data_dir: Path
) -> None:
    server = start_server(tmp_path, "--threads", str(THREADS), VECINOS_REQUIRE_MFA="false")
    streams: list[socket.socket] = []
    try:
        cookie = _session_cookie(tmp_path)
        statuses = []
        for _ in range(6):
            sock, head = _open_stream(server.url, cookie)
            streams.append(sock)
            statuses.append(int(head.split(b" ", 2)[1]))
        assert statuses == [200, 200, 200, 200, 503, 503]
        started = time.monotonic()
        answer = requests.post(f"{server.url}/api/v1/reports", json=report_payload(), timeout=10)
        assert answer.status_code == 201
        assert time.monotonic() - started < 5
        # A console that closes frees its slot for the next one, once the server next
        # writes to it (a keep-alive comes every live.KEEPALIVE_SECONDS).
        streams[0].close()
        deadline = time.monotonic() + 2 * live.KEEPALIVE_SECONDS + 10
        while True:
            sock, head = _open_stream(server.url, cookie)
            streams.append(sock)
            if head.split(b" ", 2)[1] == b"200" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert head.split(b" ", 2)[1] == b"200"
    finally:
        for sock in streams:
            sock.close()
        assert stop(server) == 0
