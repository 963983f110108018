"""`make bench`: run every benchmark (or those named) and write benchmarks/results/."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
from typing import Any

from benchmarks import common

# In order; each module has run() -> common.Result.
MODULES = [
    "reports_http",
    "clustering",
    "fanout",
    "sms_client",
    "delivery",
    "page_weight",
    "reminders",
    "consoles",
]


def backends_of(name: str) -> tuple[str, ...]:
    """The backends benchmark ``name`` runs on: its module's ``BACKENDS`` (both unless
    it says otherwise, e.g. a figure that no database takes part in)."""
    module = importlib.import_module(f"benchmarks.{name}")
    return tuple(getattr(module, "BACKENDS", common.BACKENDS))


def run_one(name: str) -> bool:
    """Run benchmark ``name`` in this process on ``common.backend()`` and write its
    results; True if a goal was not met."""
    module = importlib.import_module(f"benchmarks.{name}")
    print(f"== {name} on {common.BACKEND_NAMES[common.backend()]}", flush=True)
    started = time.monotonic()
    if common.on_postgres():
        common.empty_redis()
    result = module.run()
    path = common.write(result)
    print(f"   {time.monotonic() - started:.0f} s, written to {path.relative_to(common.ROOT)}")
    return any(figure.met is False for figure in result.figures)


def main(arguments: list[str]) -> int:
    if arguments == ["--summary"]:
        write_summary()
        return 0
    backends = list(common.BACKENDS)
    names = []
    for argument in arguments:
        if argument.startswith("--backend="):
            backends = argument.removeprefix("--backend=").split(",")
        else:
            names.append(argument)
    unknown = [name for name in names if name not in MODULES] + [
        backend for backend in backends if backend not in common.BACKENDS
    ]
    if unknown:
        print(
            f"unknown benchmark(s) or backend(s): {', '.join(unknown)}; choose from "
            f"{', '.join(MODULES)} and --backend={','.join(common.BACKENDS)}"
        )
        return 2
    if "VECINOS_BENCH_CHILD" in os.environ:
        return 1 if run_one(names[0]) else 0
    # Each benchmark in a process of its own, once per backend: they configure Django
    # for data directories of their own, and settings can be configured once per process
    # (run together, the later ones silently used the first one's database).
    failed = False
    for name in names or MODULES:
        for backend in backends:
            if backend not in backends_of(name):
                continue
            if backend == "postgres":
                common.drop_postgres_databases()
            env = {**os.environ, "VECINOS_BENCH_BACKEND": backend, "VECINOS_BENCH_CHILD": "1"}
            code = subprocess.run(
                [sys.executable, "-m", "benchmarks", name], cwd=common.ROOT, env=env
            ).returncode
            failed = failed or code != 0
    if "postgres" in backends:
        common.drop_postgres_databases()
    write_summary()
    return 1 if failed else 0


def _cell(figure: dict[str, Any] | None) -> tuple[str, str, str]:
    if figure is None:
        return "", "", ""
    value = f"{figure['value']:,.2f} {figure['unit']}"
    baseline = (
        f"{figure['baseline_value']:,.2f} ({figure['baseline_metric']})"
        if figure["baseline_value"] is not None
        else ""
    )
    verdict = "" if figure["met"] is None else ("met" if figure["met"] else "**not met**")
    return value, baseline, verdict


def write_summary() -> None:
    """benchmarks/results/SUMMARY.md from every benchmark's latest results, not only
    those run now (``python -m benchmarks --summary`` rewrites it alone): each figure on
    SQLite beside the same figure on PostgreSQL + Redis."""
    rows: list[str] = []
    for name in MODULES:
        loaded = {}
        for backend in common.BACKENDS:
            path = common.RESULTS / backend / f"{name}.json"
            if path.exists():
                loaded[backend] = json.loads(path.read_text())
        if not loaded:
            continue
        metrics: list[str] = []
        by_backend: dict[str, dict[str, dict[str, Any]]] = {}
        for backend, data in loaded.items():
            by_backend[backend] = {}
            for figure in data["figures"]:
                by_backend[backend][figure["metric"]] = figure
                if figure["metric"] not in metrics:
                    metrics.append(figure["metric"])
        dates = "; ".join(
            f"{backend} {data['machine']['date']}" for backend, data in loaded.items()
        )
        for metric in metrics:
            cells = [by_backend.get(backend, {}).get(metric) for backend in common.BACKENDS]
            goal = next((figure["goal"] for figure in cells if figure), "")
            row = [f"{name} ({dates})", metric, goal]
            for figure in cells:
                row.extend(_cell(figure))
            rows.append("| " + " | ".join(row) + " |")
    summary = common.RESULTS / "SUMMARY.md"
    machine = common.machine()
    summary.write_text(
        "# Benchmark results\n\n"
        f"Written {machine['date']} on {machine['cpus']} CPUs, Python {machine['python']} "
        f"({machine['platform']}); each row says when its benchmark ran. Every benchmark "
        "runs on the embedded default (SQLite, embedded queue) and on the scale path "
        "(PostgreSQL + Redis, several processes); a figure that no database takes part in "
        "is measured once. Each figure stands beside a baseline measured in the same run; "
        "a baseline is the plain way of doing the same work, checked in the benchmark to "
        "give the same answers and run as many times. Goals are judged on measured "
        "figures only; an estimate carries none. Regenerate with `make bench` (or "
        "`python -m benchmarks NAME [--backend=sqlite|postgres]` for one).\n\n"
        "| benchmark | figure | goal | SQLite | baseline | | PostgreSQL + Redis | baseline | |\n"
        "|---|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )
    print(f"summary: {summary.relative_to(common.ROOT)}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
