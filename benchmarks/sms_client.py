"""The SMS transport's HTTP client: CPU per POST with urllib3's connection pool (what
``vecinos.delivery.transports.http`` uses) beside a ``requests`` session with the same
retry policy, against the loopback Twilio server of the test suite, one kept-alive
connection each, ``BENCH_SMS_POSTS`` (2,000) POSTs each, the two alternated three times
and the best of each taken. The client's own CPU time is what a worker spends per SMS
beyond rendering and recording, so it bounds the delivery rate (benchmarks/delivery.py).
"""

from __future__ import annotations

import base64
import os
import resource
import sys
from collections.abc import Callable
from urllib.parse import urlencode

from benchmarks import common

# No database takes part in the SMS client's CPU per request: measured once.
BACKENDS = ("sqlite",)

POSTS = int(os.environ.get("BENCH_SMS_POSTS", "2000"))
ROUNDS = 3


def _thread_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    return usage.ru_utime + usage.ru_stime


def run() -> common.Result:
    sys.path.insert(0, str(common.ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vecinos.settings")
    import django

    django.setup()
    import requests
    from requests.adapters import HTTPAdapter

    from tests.servers.twilio import TwilioServer
    from vecinos.delivery.transports import http

    server = TwilioServer(common.free_port()).start()
    url = f"{server.base_url}/2010-04-01/Accounts/{server.sid}/Messages.json"
    headers = {
        "Authorization": "Basic "
        + base64.b64encode(f"{server.sid}:{server.token}".encode()).decode(),
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
        "User-Agent": http.USER_AGENT,
    }
    bodies = [
        urlencode(
            {"To": f"+1213555{n % 10000:04d}", "From": "+13235550000", "Body": "x" * 120}
        ).encode()
        for n in range(POSTS)
    ]

    def with_urllib3() -> None:
        client = http.Client()
        for body in bodies:
            client.post(url, body, headers)
        client.close()

    def with_requests() -> None:
        with requests.Session() as session:
            session.mount("http://", HTTPAdapter(max_retries=http.RETRY))
            for body in bodies:
                session.post(url, data=body, headers=headers, timeout=http.TIMEOUT)

    def ms_per_post(send: Callable[[], None]) -> float:
        started = _thread_cpu()
        send()
        return 1000 * (_thread_cpu() - started) / POSTS

    best: dict[str, float] = {}
    try:
        for _ in range(ROUNDS):
            for name, send in (("urllib3", with_urllib3), ("requests", with_requests)):
                best[name] = min(best.get(name, float("inf")), ms_per_post(send))
    finally:
        server.stop()
    if len(server.messages) != 2 * ROUNDS * POSTS:
        raise RuntimeError(f"the server took {len(server.messages)} messages")
    result = common.Result(
        name="sms_client",
        description=(
            f"client CPU per SMS POST, {POSTS:,} POSTs each, best of {ROUNDS} alternated runs"
        ),
    )
    result.add(
        common.Figure(
            "urllib3 connection pool (the SMS transport), CPU per POST",
            best["urllib3"],
            "ms",
            "requests session, same retry policy, CPU per POST (ms)",
            best["requests"],
        )
    )
    result.notes.append(
        "Client thread's CPU time only (getrusage RUSAGE_THREAD); the loopback server runs "
        "in other threads of the same process. Both clients keep one connection alive."
    )
    return result
