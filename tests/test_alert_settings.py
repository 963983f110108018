"""ALERT_APPROVALS_REQUIRED and ALERT_TTL_HOURS: read from the environment, checked at
start-up. Settings are read once per process, so each case starts ``vecinos`` in a
subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRINT = (
    "from django.conf import settings; "
    "print(settings.ALERT_APPROVALS_REQUIRED, settings.ALERT_TTL_HOURS)"
)


def run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VECINOS_", "DJANGO_", "ALERT_"))
        and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    environment.update(VECINOS_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-m", "vecinos", "shell", "-v", "0", "-c", PRINT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_two_approvals_and_six_hours_by_default(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "6"]


def test_the_one_committee_setting_is_allowed(tmp_path: Path) -> None:
    result = run(tmp_path, ALERT_APPROVALS_REQUIRED="1", ALERT_TTL_HOURS="12")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "12"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ALERT_APPROVALS_REQUIRED", "0"),
        ("ALERT_APPROVALS_REQUIRED", "two"),
        ("ALERT_APPROVALS_REQUIRED", "9"),
        ("ALERT_TTL_HOURS", "0"),
        ("ALERT_TTL_HOURS", "1000"),
    ],
)
def test_a_bad_value_stops_the_process_naming_the_setting(
    tmp_path: Path, name: str, value: str
) -> None:
    result = run(tmp_path, **{name: value})
    assert result.returncode != 0
    assert name in result.stderr
