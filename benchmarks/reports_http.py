"""Reports accepted per second through `vecinos serve` on loopback, under concurrent load,
beside a trivial endpoint (/healthz) of the same server in the same run.

Goals: at least 500 reports/s on these 2 cores, at least 40 % of the trivial
endpoint's rate, p99 under 100 ms. The server runs on its embedded default (one worker
process with its report writer process, SQLite in WAL with synchronous=FULL: every 201
is on disk) with the rate limit lifted, since every request comes from one loopback
client.
"""

from __future__ import annotations

import os
import signal
import sqlite3

from benchmarks import common

SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))


def run() -> common.Result:
    result = common.Result(
        name="reports_http",
        description="POST /api/v1/reports through vecinos serve vs GET /healthz, same server",
    )
    directory = common.data_dir("http")
    env = common.vecinos_env(directory, VECINOS_REPORT_RATE="100000000/h")
    common.vecinos(["migrate", "--no-input", "-v", "0"], env)
    bind = f"127.0.0.1:{common.free_port()}"
    server = common.start_server(bind, env)
    try:
        common.wrk(f"http://{bind}/healthz", seconds=2, connections=CONNECTIONS)  # warm up
        trivial = common.wrk(f"http://{bind}/healthz", seconds=SECONDS, connections=CONNECTIONS)
        reports = common.wrk(
            f"http://{bind}/api/v1/reports",
            seconds=SECONDS,
            connections=CONNECTIONS,
            script=common.ROOT / "benchmarks" / "report_post.lua",
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    with sqlite3.connect(directory / "vecinos.sqlite3") as db:
        stored = db.execute("SELECT COUNT(*) FROM reports_report").fetchone()[0]
    accepted = reports.requests - reports.non_2xx
    result.notes.append(
        f"{reports.requests} report requests, {reports.non_2xx} not 2xx, {stored} rows stored; "
        f"{CONNECTIONS} connections, {SECONDS} s each"
    )
    if reports.non_2xx or stored < accepted:
        result.notes.append("some reports were refused or lost: the rate below is not valid")
    rate = accepted / SECONDS
    result.add(
        common.Figure(
            "reports accepted per second",
            rate,
            "reports/s",
            "GET /healthz per second",
            trivial.rate,
            "≥ 500/s",
            rate >= 500 and reports.non_2xx == 0 and stored >= accepted,
        )
    )
    share = 100 * rate / trivial.rate
    result.add(
        common.Figure(
            "share of the trivial endpoint's rate",
            share,
            "%",
            "GET /healthz per second",
            trivial.rate,
            "≥ 40 %",
            share >= 40,
        )
    )
    result.add(
        common.Figure(
            "p99 latency of a report",
            reports.p99_ms,
            "ms",
            "p99 of GET /healthz (ms)",
            trivial.p99_ms,
            "< 100 ms",
            reports.p99_ms < 100,
        )
    )
    return result
