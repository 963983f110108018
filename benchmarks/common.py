"""Helpers shared by the benchmarks: results, loopback servers, a throwaway data dir."""

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

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


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
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }


def write(result: Result) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{result.name}.json"
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
    env.update({"VECINOS_DATA_DIR": str(directory), "VECINOS_DEBUG": "false", **extra})
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
