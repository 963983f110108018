"""Helpers shared by the benchmarks: results, loopback servers, a throwaway data dir, and
the backend a benchmark runs on.

Every benchmark runs on two backends (``python -m benchmarks`` runs each module once per
backend, in a process of its own, with ``VECINOS_BENCH_BACKEND`` set):

- ``sqlite``: the embedded default (SQLite, the embedded queue, one process);
- ``postgres``: PostgreSQL with Redis, the scale path. Each data directory gets a
  throwaway database of its own on the server named by ``VECINOS_BENCH_POSTGRES``
  (default ``postgres://postgres@127.0.0.1:5432/postgres``), and every benchmark
  Redis database ``VECINOS_BENCH_REDIS`` (default ``redis://127.0.0.1:6379/12``),
  emptied before each benchmark. ``VECINOS_BENCH_DB_PREFIX`` (default ``vecinos_bench_``)
  names the throwaway databases, all dropped before and after a run.

Results go to ``benchmarks/results/<backend>/<name>.json``.
"""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"

BACKENDS = ("sqlite", "postgres")
BACKEND_NAMES = {"sqlite": "SQLite, embedded queue", "postgres": "PostgreSQL + Redis"}
POSTGRES_ADMIN = os.environ.get(
    "VECINOS_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("VECINOS_BENCH_REDIS", "redis://127.0.0.1:6379/12")
# Several people (or agents) benchmarking on one server each set a prefix of their own.
DATABASE_PREFIX = os.environ.get("VECINOS_BENCH_DB_PREFIX", "vecinos_bench_")


def backend() -> str:
    """The backend this process benchmarks (``VECINOS_BENCH_BACKEND``, default sqlite)."""
    name = os.environ.get("VECINOS_BENCH_BACKEND", "sqlite")
    if name not in BACKENDS:
        raise SystemExit(f"VECINOS_BENCH_BACKEND must be one of {', '.join(BACKENDS)}")
    return name


def on_postgres() -> bool:
    return backend() == "postgres"


def _admin_connection() -> Any:
    import psycopg

    return psycopg.connect(POSTGRES_ADMIN, autocommit=True)


def postgres_url(directory: Path) -> str:
    """The throwaway database that belongs to ``directory`` (created on first use)."""
    from psycopg import sql

    name = DATABASE_PREFIX + re.sub(r"[^a-z0-9_]", "_", directory.name.lower())[:40]
    with _admin_connection() as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base, _, _ = POSTGRES_ADMIN.rpartition("/")
    return f"{base}/{name}"


def drop_postgres_databases() -> None:
    """Drop every throwaway benchmark database (run before and after ``make bench``)."""
    from psycopg import sql

    with _admin_connection() as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [DATABASE_PREFIX + "%"],
            )
        ]
        for name in names:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def empty_redis() -> None:
    """Empty the benchmarks' Redis database (``python -m benchmarks`` does it before
    each benchmark runs on PostgreSQL + Redis)."""
    import redis

    redis.Redis.from_url(REDIS).flushdb()


@dataclass
class Figure:
    metric: str
    value: float
    unit: str
    baseline_metric: str = ""
    baseline_value: float | None = None
    goal: str = ""
    met: bool | None = None


@dataclass
class Result:
    name: str
    description: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        print(f"  {figure.metric}: {figure.value:,.2f} {figure.unit}", end="")
        if figure.baseline_value is not None:
            print(f"  (baseline {figure.baseline_metric}: {figure.baseline_value:,.2f})", end="")
        if figure.goal:
            print(f"  goal {figure.goal}: {'met' if figure.met else 'NOT met'}", end="")
        print(flush=True)
        return figure


def machine() -> dict[str, object]:
    return {
        "backend": backend(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }


def write(result: Result) -> Path:
    folder = RESULTS / backend()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.name}.json"
    path.write_text(
        json.dumps({"machine": machine(), **asdict(result)}, indent=2, ensure_ascii=False) + "\n"
    )
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def data_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"vecinos-bench-{prefix}-"))


def vecinos_env(directory: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "VECINOS_ENV"}
    }
    env.update({"VECINOS_DATA_DIR": str(directory), "VECINOS_DEBUG": "false"})
    if on_postgres():
        env.update({"DATABASE_URL": postgres_url(directory), "REDIS_URL": REDIS})
    env["VECINOS_BENCH_BACKEND"] = backend()
    env.update(extra)
    return env


def vecinos(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "vecinos", *args], env=env, check=True, cwd=ROOT)


def start_server(bind: str, env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "vecinos", "serve", "--bind", bind, *extra],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://{bind}/healthz"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("vecinos serve did not come up")


WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_REQUESTS = re.compile(r"(\d+) requests in")
WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
WRK_ERRORS = re.compile(r"Socket errors:.*")
WRK_P99 = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)


@dataclass
class Load:
    rate: float
    requests: int
    non_2xx: int
    p99_ms: float
    output: str


def wrk(url: str, *, seconds: int, connections: int, script: Path | None = None) -> Load:
    """Drive ``url`` with wrk (Debian's package) from one thread, so most of the two
    cores stay with the server under test."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    p99 = WRK_P99.search(output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return Load(
        rate=float(WRK_RATE.search(output).group(1)),  # type: ignore[union-attr]
        requests=int(WRK_REQUESTS.search(output).group(1)),  # type: ignore[union-attr]
        non_2xx=int(m.group(1)) if (m := WRK_NON2XX.search(output)) else 0,
        p99_ms=float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
        output=output,
    )
