"""Fifty live consoles: Server-Sent-Events connections to ``/console/stream`` held open
through ``vecinos serve`` while reports arrive at a steady rate.

Each report opens or joins an incident, and every such change is announced to every
open console. The figure is the time from the event's row being written (its
``created_at``, before the commit) to its arrival at each console, over every
(event, console) pair; the baseline is the same with one console, measured in the same
run on the same server. Memory is the resident set of every process of the server (its
process group: gunicorn's arbiter, its workers, the buffering front and the report
writer: on SQLite the worker's own, on PostgreSQL the one the workers share), sampled
while the consoles are open, beside the same server idle.

Goals: p99 under 1 s with 50 consoles and 50 reports/s, every report answered 201, and
the web processes within the memory budget of docs/operations.md.
"""

from __future__ import annotations

import json
import os
import random
import selectors
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import urllib3

from benchmarks import common

CONSOLES = int(os.environ.get("BENCH_CONSOLES", "50"))
RATE = float(os.environ.get("BENCH_CONSOLE_REPORT_RATE", "50"))
SECONDS = int(os.environ.get("BENCH_CONSOLE_SECONDS", "20"))
# The memory budget docs/operations.md gives a web process (arbiter and front aside).
BUDGET_MB_PER_WORKER = 150.0
WORKERS_ON_POSTGRES = 3


def _setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "vecinos.settings"
    import django

    django.setup()


def _session_cookie() -> str:
    """A signed-in dispatcher's session cookie (a session row, as the sign-in makes)."""
    from django.conf import settings
    from django.test import Client

    from vecinos.accounts.models import Role, User

    user = User.objects.create_user(
        username="bench-dispatcher", password=None, role=Role.DISPATCHER
    )
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@dataclass
class Console:
    sock: socket.socket
    buffer: bytes = b""
    connected: bool = False
    arrivals: list[tuple[str, str, float]] = field(default_factory=list)


class Consoles:
    """``count`` SSE connections read by one thread, each event stamped on arrival. A
    console answered 503 (its process's streams are all taken) tries again 1 to 3 s
    later, as console.js does, and so most likely reaches another process."""

    def __init__(self, host: str, port: int, cookie: str, count: int) -> None:
        self.selector = selectors.DefaultSelector()
        self.address = (host, port)
        self.request = (
            f"GET /console/stream HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n"
            "Accept: text/event-stream\r\n\r\n"
        ).encode()
        self.consoles = [Console(self._connect()) for _ in range(count)]
        for console in self.consoles:
            self.selector.register(console.sock, selectors.EVENT_READ, console)
        self.retries = 0
        self.waiting: list[tuple[float, Console]] = []
        self.random = random.Random(7)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(self.address)
        sock.sendall(self.request)
        sock.setblocking(False)
        return sock

    def _read(self) -> None:
        while not self.stopping.is_set():
            now = time.monotonic()
            for due, console in [item for item in self.waiting if item[0] <= now]:
                self.waiting.remove((due, console))
                console.sock, console.buffer = self._connect(), b""
                self.selector.register(console.sock, selectors.EVENT_READ, console)
            for key, _ in self.selector.select(timeout=0.1):
                console: Console = key.data
                try:
                    chunk = console.sock.recv(65536)
                except BlockingIOError:
                    continue
                now = time.time()
                if not chunk:
                    self.selector.unregister(console.sock)
                    continue
                if not console.buffer and chunk.startswith(b"HTTP/1.1 503"):
                    self.selector.unregister(console.sock)
                    console.sock.close()
                    self.retries += 1
                    self.waiting.append((time.monotonic() + self.random.uniform(1, 3), console))
                    continue
                console.buffer += chunk
                for block in self._blocks(console):
                    if ": connected" in block:
                        console.connected = True
                    data = [line[6:] for line in block.splitlines() if line.startswith("data: ")]
                    if "event: incident" in block and data:
                        event = json.loads(data[0])
                        console.arrivals.append((event["incident"], event["type"], now))

    @staticmethod
    def _blocks(console: Console) -> Iterator[str]:
        while b"\n\n" in console.buffer:
            block, console.buffer = console.buffer.split(b"\n\n", 1)
            yield block.decode("utf-8", "replace")

    def wait_connected(self, seconds: float = 30) -> int:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if all(console.connected for console in self.consoles):
                break
            time.sleep(0.1)
        return sum(console.connected for console in self.consoles)

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        for console in self.consoles:
            console.sock.close()


def _group_rss_mb(pgid: int) -> float:
    """Resident memory of every process in process group ``pgid``, in MB."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            with open(f"/proc/{entry}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1024


class Sampler:
    def __init__(self, pgid: int) -> None:
        self.pgid, self.peak = pgid, 0.0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.wait(0.25):
            self.peak = max(self.peak, _group_rss_mb(self.pgid))

    def stop(self) -> float:
        self.stopping.set()
        self.thread.join(timeout=5)
        return self.peak


def _report_body(index: int) -> bytes:
    # Points on a grid about 1.1 km apart across the county, so most reports open an
    # incident of their own (each announced), some join a neighbour's.
    lat = 33.80 + (index % 40) * 0.01
    lng = -118.60 + (index // 40 % 60) * 0.01
    return json.dumps(
        {
            "kind": "raid",
            "lat": round(lat, 6),
            "lng": round(lng, 6),
            "place": "benchmark",
            "description": "seen from the bus stop",
        }
    ).encode()


def _post_reports(base: str, rate: float, seconds: float) -> dict[int, int]:
    """POST reports at ``rate`` a second for ``seconds``; statuses counted."""
    pool = urllib3.PoolManager(maxsize=64)
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    total = int(rate * seconds)
    started = time.monotonic()

    def send(index: int) -> None:
        try:
            status = pool.request(
                "POST",
                f"{base}/api/v1/reports",
                body=_report_body(index),
                headers={"Content-Type": "application/json"},
                retries=False,
                timeout=30,
            ).status
        except urllib3.exceptions.HTTPError:
            status = 0  # no answer within 30 s
        with lock:
            statuses[status] = statuses.get(status, 0) + 1

    threads: list[threading.Thread] = []
    for index in range(total):
        delay = started + index / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=send, args=(index,))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return statuses


def _written_at(after: int) -> dict[tuple[str, str], list[float]]:
    """(incident, type) -> when each such event row was made, in order, for the rows
    after pk ``after``; a console hears them in the same order."""
    from vecinos.reports.models import IncidentEvent

    written: dict[tuple[str, str], list[float]] = {}
    for incident, kind, created in (
        IncidentEvent.objects.filter(pk__gt=after)
        .order_by("pk")
        .values_list("incident_id", "type", "created_at")
    ):
        written.setdefault((str(incident), kind), []).append(created.timestamp())
    return written


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _round(
    base: str, host: str, port: int, cookie: str, consoles: int, pgid: int
) -> dict[str, Any]:
    """One round: ``consoles`` open, reports at RATE for SECONDS."""
    from vecinos.reports.models import IncidentEvent

    before = IncidentEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    streams = Consoles(host, port, cookie, consoles)
    connected = streams.wait_connected()
    sampler = Sampler(pgid)
    statuses = _post_reports(base, RATE, SECONDS)
    time.sleep(2)  # the last events on their way
    peak = sampler.stop()
    streams.close()
    written = _written_at(before)
    events = sum(len(times) for times in written.values())
    latencies: list[float] = []
    for console in streams.consoles:
        heard: dict[tuple[str, str], list[float]] = {}
        for incident, kind, at in console.arrivals:
            heard.setdefault((incident, kind), []).append(at)
        for key, times in written.items():
            for made, at in zip(times, heard.get(key, []), strict=False):
                latencies.append(max(0.0, at - made))
    expected = events * consoles
    return {
        "connected": connected,
        "retries": streams.retries,
        "statuses": statuses,
        "events": events,
        "latencies": latencies,
        "expected_pairs": expected,
        "peak_mb": peak,
    }


def run() -> common.Result:
    result = common.Result(
        name="consoles",
        description=(
            f"{CONSOLES} live consoles (SSE) held open through vecinos serve while reports "
            f"arrive at {RATE:g}/s for {SECONDS} s, beside one console on the same server"
        ),
    )
    directory = common.data_dir("consoles")
    env = common.vecinos_env(
        directory, VECINOS_REPORT_RATE="100000000/h", VECINOS_REQUIRE_MFA="false"
    )
    common.vecinos(["migrate", "--no-input", "-v", "0"], env)
    _setup_django(env)
    cookie = _session_cookie()
    host, port = "127.0.0.1", common.free_port()
    extra = ["--workers", str(WORKERS_ON_POSTGRES)] if common.on_postgres() else []
    server = common.start_server(f"{host}:{port}", env, *extra)
    base = f"http://{host}:{port}"
    try:
        time.sleep(1)
        idle_mb = _group_rss_mb(server.pid)
        one = _round(base, host, port, cookie, 1, server.pid)
        many = _round(base, host, port, cookie, CONSOLES, server.pid)
        workers = int(
            subprocess.run(
                ["pgrep", "-g", str(server.pid), "-c", "-f", "vecinos"],
                capture_output=True,
                text=True,
            ).stdout.strip()
            or 0
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    for name, measured in (("1 console", one), (f"{CONSOLES} consoles", many)):
        got = len(measured["latencies"])
        result.notes.append(
            f"{name}: {measured['connected']} connected ({measured['retries']} told to retry "
            f"first); POST statuses {measured['statuses']}; "
            f"{measured['events']} incident events, {got:,} of {measured['expected_pairs']:,} "
            f"(event, console) arrivals matched; peak memory {measured['peak_mb']:.0f} MB"
        )
    shape = (
        f"vecinos serve --workers {WORKERS_ON_POSTGRES}"
        if common.on_postgres()
        else "vecinos serve (one process and its report writer)"
    )
    result.notes.append(
        f"server: {shape}; {workers} processes in its group; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end"
    )
    accepted = many["statuses"].get(201, 0)
    sent = sum(many["statuses"].values())
    every_arrival = len(many["latencies"]) == many["expected_pairs"]
    p99 = _percentile(many["latencies"], 0.99) * 1000
    result.add(
        common.Figure(
            f"p99 from event to each of {CONSOLES} consoles, reports at {RATE:g}/s",
            p99,
            "ms",
            "same, one console (ms)",
            _percentile(one["latencies"], 0.99) * 1000,
            "< 1,000 ms, every event at every console",
            p99 < 1000 and every_arrival and many["connected"] == CONSOLES,
        )
    )
    result.add(
        common.Figure(
            f"reports answered 201 while {CONSOLES} consoles were open",
            100.0 * accepted / max(1, sent),
            "%",
            "reports sent",
            float(sent),
            "100 %",
            accepted == sent,
        )
    )
    # A report writer counts as a web process: on SQLite the one worker's own, on
    # PostgreSQL the one the workers share.
    budget = BUDGET_MB_PER_WORKER * ((WORKERS_ON_POSTGRES if common.on_postgres() else 1) + 1) + 150
    result.add(
        common.Figure(
            f"peak memory of the server's processes with {CONSOLES} consoles",
            many["peak_mb"],
            "MB",
            "same server idle, before any console (MB)",
            idle_mb,
            f"<= {budget:,.0f} MB (docs/operations.md)",
            many["peak_mb"] <= budget,
        )
    )
    return result
