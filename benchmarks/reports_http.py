"""Reports accepted per second through `vecinos serve` on loopback, under concurrent load,
beside a trivial endpoint (/healthz) of the same server in the same run.

Goals: at least 500 reports/s on these 2 cores (SQLite), at least 40 % of the trivial
endpoint's rate, p99 under 100 ms; every 201 committed (rows counted after the run).
The rate limit is lifted, since every request comes from one loopback client.

- SQLite: the embedded default, one worker process with its report writer process,
  WAL with synchronous=FULL (every 201 is on disk).
- PostgreSQL + Redis: ``vecinos serve --workers WORKERS`` (``BENCH_WORKERS``), the
  reports of every web process stored in batches by the server's one writer process.
  The run is made twice, once with each way of holding connections
  (``VECINOS_DATABASE_POOL``: Django's psycopg pool, or persistent connections kept
  ``CONN_MAX_AGE``), each against its own /healthz; the figures are those of the
  setting that vecinos/settings.py chose, the other is a note. With
  ``BENCH_PROFILE=1`` and py-spy installed (the test extra), a third run samples every
  process of the server while reports arrive and writes the heaviest functions to
  benchmarks/results/postgres/reports_http_profile.txt.
"""

from __future__ import annotations

import collections
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks import common

SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
# Web processes on PostgreSQL: two, one per core. Two cores also run PostgreSQL, Redis,
# the front, the shared report writer and wrk, so fewer than the default 2 x cores + 1;
# two and three were measured in turns (benchmarks/results/postgres/reports_http_notes.md).
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
PROFILE_SECONDS = 10
CONNECTIONS_CHOSEN = (
    "Connection handling: vecinos/settings.py uses Django's psycopg pool on PostgreSQL "
    "(VECINOS_DATABASE_POOL=true); persistent connections (false: CONN_MAX_AGE) are "
    "measured beside it above. On this shared machine the gap between the two moved from "
    "run to run (benchmarks/results/postgres/reports_http_notes.md), so the choice rests "
    "on what they hold: "
    "persistent connections are one per thread that ever queried (processes x threads, "
    "40 with the defaults, each a PostgreSQL backend) and a dispatcher console's stream "
    "gives its thread's connection back (vecinos/reports/views_console.py), which then "
    "costs the thread's next request a new connection; a pool is at most "
    "VECINOS_DATABASE_POOL_SIZE per process, lent per request, and giving one back is "
    "not a reconnect. Reports on PostgreSQL touch no connection in the request thread "
    "(the writer thread stores them), so one pooled connection per process serves them."
)


@dataclass
class Run:
    trivial: common.Load
    reports: common.Load
    stored: int
    cpu_trivial_ms: float
    cpu_report_ms: float

    @property
    def accepted(self) -> int:
        return self.reports.requests - self.reports.non_2xx

    @property
    def rate(self) -> float:
        return self.accepted / SECONDS

    @property
    def valid(self) -> bool:
        return self.reports.non_2xx == 0 and self.stored >= self.accepted


def _count(env: dict[str, str], directory: Path) -> int:
    if common.on_postgres():
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as db:
            row = db.execute("SELECT COUNT(*) FROM reports_report").fetchone()
    else:
        with sqlite3.connect(directory / "vecinos.sqlite3") as db:
            row = db.execute("SELECT COUNT(*) FROM reports_report").fetchone()
    return int(row[0]) if row else 0


def _serve(env: dict[str, str]) -> tuple[str, subprocess.Popen[bytes]]:
    bind = f"127.0.0.1:{common.free_port()}"
    extra = ["--workers", str(WORKERS)] if common.on_postgres() else []
    return bind, common.start_server(bind, env, *extra)


def _stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def _post_reports(bind: str, seconds: int = SECONDS) -> common.Load:
    return common.wrk(
        f"http://{bind}/api/v1/reports",
        seconds=seconds,
        connections=CONNECTIONS,
        script=common.ROOT / "benchmarks" / "report_post.lua",
    )


def _cpu_seconds(server: subprocess.Popen[bytes], env: dict[str, str]) -> float:
    """CPU time used so far by the server's processes (front, arbiter, workers) and, on
    PostgreSQL, by the database's backends serving them: on a shared machine, CPU per
    request says more than requests per second (Redis is shared and not counted)."""
    tree = {server.pid}
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    grown = True
    while grown:
        grown = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grown = True
    if common.on_postgres():
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as db:
            name = env["DATABASE_URL"].rpartition("/")[2]
            rows = db.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            ).fetchall()
        tree.update(int(row[0]) for row in rows)
    ticks = 0
    for pid in tree:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _measure(env: dict[str, str], directory: Path) -> Run:
    bind, server = _serve(env)
    try:
        common.wrk(f"http://{bind}/healthz", seconds=2, connections=CONNECTIONS)  # warm up
        _post_reports(bind, seconds=2)  # warm up: every worker's connections open
        start = _cpu_seconds(server, env)
        trivial = common.wrk(f"http://{bind}/healthz", seconds=SECONDS, connections=CONNECTIONS)
        before = _count(env, directory)
        middle = _cpu_seconds(server, env)
        reports = _post_reports(bind)
        end = _cpu_seconds(server, env)
    finally:
        _stop(server)
    return Run(
        trivial,
        reports,
        _count(env, directory) - before,
        cpu_trivial_ms=1000 * (middle - start) / max(1, trivial.requests),
        cpu_report_ms=1000 * (end - middle) / max(1, reports.requests),
    )


def _profile(env: dict[str, str]) -> Path | None:
    """Sample every process of the server (py-spy, without pausing them) while reports
    arrive; write the functions that take the most time, inclusive and own."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        return None
    raw = common.data_dir("profile") / "stacks.txt"
    bind, server = _serve(env)
    try:
        _post_reports(bind, seconds=2)  # warm up
        sampler = subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(server.pid),
                "--subprocesses",
                "--nonblocking",
                "--gil",
                "--format",
                "raw",
                "--rate",
                "200",
                "--duration",
                str(PROFILE_SECONDS),
                "--output",
                str(raw),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        load = _post_reports(bind, seconds=PROFILE_SECONDS)
        sampler.wait(timeout=PROFILE_SECONDS + 60)
    finally:
        _stop(server)
    path = common.RESULTS / "postgres" / "reports_http_profile.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_summarise(raw.read_text(), load))
    return path


def _summarise(stacks: str, load: common.Load) -> str:
    """py-spy's collapsed stacks (``frame;frame;... count``) as two tables: the share
    of samples in which each function is on the stack (inclusive) and on top (own
    time), per process; idle threads (waiting in select, a lock, a queue) left out."""
    idle = (
        "select (",
        "wait (",
        "accept (",
        "_wait_for_tstate_lock",
        "poll (",
        "sleep (",
        "acquire (",
        "get (queue",
        "recv_into (",
        "epoll",
    )
    per_process: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    own: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    totals: collections.Counter[str] = collections.Counter()
    for line in stacks.splitlines():
        frames_text, _, count_text = line.rpartition(" ")
        if not frames_text or not count_text.isdigit():
            continue
        frames = frames_text.split(";")
        # With --subprocesses the first frame names the arbiter; a worker's or the
        # front's samples carry their own process as the second.
        child = frames[1] if frames[1:2] and frames[1].startswith("process ") else ""
        process = (
            "front (vecinos.core.front)"
            if "vecinos.core.front" in child
            else "report writer (vecinos reportwriter, shared by the web workers)"
            if "reportwriter" in child
            else "web workers (gunicorn gthread)"
            if child
            else "gunicorn arbiter"
        )
        frames = [frame for frame in frames if not frame.startswith("process ")]
        if not frames or any(word in frames[-1] for word in idle):
            continue
        count = int(count_text)
        totals[process] += count
        for frame in set(frames):
            per_process[process][frame] += count
        own[process][frames[-1]] += count
    lines = [
        "Where the time of a report goes on PostgreSQL + Redis: py-spy, "
        f"{PROFILE_SECONDS} s of POST /api/v1/reports at {CONNECTIONS} connections through "
        f"`vecinos serve --workers {WORKERS}` ({load.rate:,.0f} reports/s while sampled), "
        "every process sampled 200 times a second without pausing it, counting only "
        "the thread that holds the GIL (py-spy --gil: Python's own CPU work; waiting on "
        "PostgreSQL or Redis is not in it). "
        "Regenerate with BENCH_PROFILE=1 python -m benchmarks reports_http --backend=postgres.",
        "",
    ]
    for process, total in totals.most_common():
        lines.append(f"== {process}: {total} busy samples")
        lines.append("-- inclusive (share of busy samples with the function on the stack)")
        for frame, count in per_process[process].most_common(45):
            lines.append(f"{100 * count / total:6.1f} %  {frame}")
        lines.append("-- own time (share of busy samples with the function on top)")
        for frame, count in own[process].most_common(25):
            lines.append(f"{100 * count / total:6.1f} %  {frame}")
        lines.append("")
    return "\n".join(lines) + "\n"


def run() -> common.Result:
    result = common.Result(
        name="reports_http",
        description="POST /api/v1/reports through vecinos serve vs GET /healthz, same server",
    )
    directory = common.data_dir("http")
    env = common.vecinos_env(directory, VECINOS_REPORT_RATE="100000000/h")
    common.vecinos(["migrate", "--no-input", "-v", "0"], env)
    load_before = os.getloadavg()[0]
    chosen = "default"
    runs: dict[str, Run] = {}
    if common.on_postgres():
        # The pool is vecinos/settings.py's choice for PostgreSQL (the reason is in the
        # notes); persistent connections are measured the same way beside it.
        chosen = "pool"
        for setting in ("pool", "persistent"):
            runs[setting] = _measure(
                {**env, "VECINOS_DATABASE_POOL": "true" if setting == "pool" else "false"},
                directory,
            )
    else:
        runs[chosen] = _measure(env, directory)
    for setting, measured in runs.items():
        where = (
            f"`serve --workers {WORKERS}`, {setting} connections"
            if common.on_postgres()
            else "`serve`"
        )
        result.notes.append(
            f"{where}: {measured.reports.requests} report requests, {measured.reports.non_2xx} "
            f"not 2xx, {measured.stored} rows stored; {measured.rate:,.0f} reports/s against "
            f"{measured.trivial.rate:,.0f} healthz/s "
            f"({100 * measured.rate / measured.trivial.rate:.0f} %), "
            f"p99 {measured.reports.p99_ms:.1f} ms (healthz {measured.trivial.p99_ms:.1f} ms); "
            f"CPU per report {measured.cpu_report_ms:.2f} ms, per healthz "
            f"{measured.cpu_trivial_ms:.2f} ms (server processes and their database backends); "
            f"{CONNECTIONS} connections, {SECONDS} s each"
        )
        if not measured.valid:
            result.notes.append(f"{setting}: some reports were refused or lost: not valid")
    result.notes.append(
        f"load average (1 min) on {os.cpu_count()} CPUs: {load_before:.2f} before the runs, "
        f"{os.getloadavg()[0]:.2f} after"
    )
    if common.on_postgres():
        result.notes.append(CONNECTIONS_CHOSEN)
    main = runs[chosen]
    rate = main.rate
    result.add(
        common.Figure(
            "reports accepted per second",
            rate,
            "reports/s",
            "GET /healthz per second",
            main.trivial.rate,
            "≥ 500/s",
            rate >= 500 and main.valid,
        )
    )
    share = 100 * rate / main.trivial.rate
    result.add(
        common.Figure(
            "share of the trivial endpoint's rate",
            share,
            "%",
            "GET /healthz per second",
            main.trivial.rate,
            "≥ 40 %",
            share >= 40 and main.valid,
        )
    )
    result.add(
        common.Figure(
            "p99 latency of a report",
            main.reports.p99_ms,
            "ms",
            "p99 of GET /healthz (ms)",
            main.trivial.p99_ms,
            "< 100 ms",
            main.reports.p99_ms < 100,
        )
    )
    result.add(
        common.Figure(
            "CPU per report (server processes and their database backends)",
            main.cpu_report_ms,
            "ms",
            "CPU per GET /healthz (ms)",
            main.cpu_trivial_ms,
        )
    )
    result.add(
        common.Figure(
            "share of the trivial endpoint's rate from CPU per request (estimate)",
            100 * main.cpu_trivial_ms / main.cpu_report_ms,
            "%",
            "CPU per GET /healthz (ms)",
            main.cpu_trivial_ms,
        )
    )
    if common.on_postgres() and os.environ.get("BENCH_PROFILE") and (path := _profile(env)):
        result.notes.append(f"profile: {path.relative_to(common.ROOT)}")
    return result
