"""Environment variables follow one scheme: every project setting is VECINOS_*; names
that belong to Django (EMAIL_*, DEFAULT_FROM_EMAIL), Twilio (TWILIO_*), requests
(REQUESTS_CA_BUNDLE) and the usual service URLs stay. An old name still works, with a
warning in the log."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import process_env
from tests.test_docs_operations import environment_variables
from vecinos.core import config

ASIDE = re.compile(
    r"^(EMAIL_\w+|DEFAULT_FROM_EMAIL|TWILIO_\w+|REQUESTS_CA_BUNDLE|DATABASE_URL|REDIS_URL)$"
)


def test_every_project_setting_is_named_vecinos_something() -> None:
    others = sorted(
        name
        for name in environment_variables()
        if not name.startswith("VECINOS_") and not ASIDE.match(name)
    )

    assert others == []


def test_every_old_name_maps_to_a_name_the_settings_read() -> None:
    read = environment_variables()

    assert sorted(new for new in config.RENAMED if new not in read) == []


def test_an_old_name_still_works_and_the_log_says_to_rename_it(tmp_path: Path) -> None:
    script = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.REPORT_RETENTION, settings.SMS_RATE)"
    )
    env = process_env(
        tmp_path, DJANGO_SETTINGS_MODULE="vecinos.settings", REPORT_RETENTION="21", SMS_RATE="2"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )

    assert done.stdout.split() == ["21", "2.0"]
    assert "REPORT_RETENTION is deprecated and will stop working: rename it" in done.stderr
    assert "VECINOS_REPORT_RETENTION" in done.stderr


def test_the_new_name_wins_over_the_old_one(tmp_path: Path) -> None:
    script = "import django; django.setup(); from django.conf import settings;"
    script += "print(settings.REPORT_RETENTION)"
    env = process_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="vecinos.settings",
        REPORT_RETENTION="21",
        VECINOS_REPORT_RETENTION="30",
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )

    assert done.stdout.strip() == "30"
    assert "deprecated" not in done.stderr
