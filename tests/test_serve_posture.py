"""`vecinos serve` without VECINOS_ENV says loudly that it runs in development posture;
with VECINOS_ENV set it says nothing of the kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_serve_command import start_server, stop

pytestmark = pytest.mark.slow


def test_without_vecinos_env_the_server_warns_it_runs_in_development_posture(
    tmp_path: Path,
) -> None:
    server = start_server(tmp_path)
    try:
        assert "VECINOS_ENV is not set" in server.text()
        assert "DEVELOPMENT posture" in server.text()
    finally:
        stop(server)


def test_with_vecinos_env_set_there_is_no_such_warning(tmp_path: Path) -> None:
    server = start_server(tmp_path, VECINOS_ENV="development")
    try:
        assert "VECINOS_ENV is not set" not in server.text()
    finally:
        stop(server)


def test_a_process_that_imported_pytest_is_not_in_test_posture(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import process_env

    script = (
        "import pytest, django; django.setup(); from django.conf import settings;"
        "print(settings.TESTING, settings.DELIVERY_CONSOLE_ONLY, settings.HUEY['immediate'])"
    )
    env = process_env(tmp_path, DJANGO_SETTINGS_MODULE="vecinos.settings")
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout

    assert out.split() == ["False", "False", "False"]
