"""`make bench`: run every benchmark (or those named) and write benchmarks/results/."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time

from benchmarks import common

# In order; each module has run() -> common.Result.
MODULES = ["reports_http", "clustering", "fanout", "delivery", "page_weight", "reminders"]


def run_one(name: str) -> bool:
    """Run benchmark ``name`` in this process and write its results; True if a goal
    was not met."""
    try:
        module = importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError as error:
        if error.name == f"benchmarks.{name}":
            print(f"== {name}: not present, skipped")
            return False
        raise
    print(f"== {name}", flush=True)
    started = time.monotonic()
    result = module.run()
    path = common.write(result)
    print(f"   {time.monotonic() - started:.0f} s, written to {path.relative_to(common.ROOT)}")
    return any(figure.met is False for figure in result.figures)


def main(names: list[str]) -> int:
    selected = names or MODULES
    unknown = [name for name in selected if name not in MODULES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(MODULES)}")
        return 2
    if len(selected) > 1:
        # Each benchmark in a process of its own: they configure Django for data
        # directories of their own, and settings can be configured once per process
        # (run together, the later ones silently used the first one's database).
        codes = [
            subprocess.run([sys.executable, "-m", "benchmarks", name], cwd=common.ROOT).returncode
            for name in selected
        ]
        failed = any(codes)
    else:
        failed = run_one(selected[0])
    # The summary covers every benchmark's latest results, not only those run now.
    rows: list[str] = []
    for name in MODULES:
        path = common.RESULTS / f"{name}.json"
        if not path.exists():
            continue
        data = json.loads(path.read_text())
        for figure in data["figures"]:
            baseline = (
                f"{figure['baseline_value']:,.2f} ({figure['baseline_metric']})"
                if figure["baseline_value"] is not None
                else ""
            )
            verdict = "" if figure["met"] is None else ("met" if figure["met"] else "**not met**")
            rows.append(
                f"| {name} ({data['machine']['date']}) | {figure['metric']} "
                f"| {figure['value']:,.2f} {figure['unit']} | {baseline} | {figure['goal']} "
                f"| {verdict} |"
            )
    summary = common.RESULTS / "SUMMARY.md"
    machine = common.machine()
    summary.write_text(
        "# Benchmark results\n\n"
        f"Written {machine['date']} on {machine['cpus']} CPUs, Python {machine['python']} "
        f"({machine['platform']}); each row says when its benchmark ran. Each figure stands "
        "beside a baseline measured in the same run. Regenerate with `make bench` "
        "(or `python -m benchmarks NAME` for one).\n\n"
        "| benchmark | figure | value | baseline (same run) | goal | |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )
    print(f"summary: {summary.relative_to(common.ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
