"""The seizure drill for detention cases: a case is seeded with known names, an A-number
and a family number through the public form and through the case workers' console
(hotline form, note, locator check, hearing and its reminder, family update). Then
everything a seized server holds is searched for them in plain text: the SQLite file
and its WAL (or a ``pg_dump`` on PostgreSQL), the task queue (a real SQLite queue file
here, not the test suite's immediate mode), every log record, standard output and
error, and the data directory. None may appear."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from tests.conftest import give_totp, make_user, signed_in, unavailable
from vecinos.accounts.models import Role
from vecinos.cases import actions
from vecinos.cases.models import Case, Facility, FacilityKind
from vecinos.delivery import outbox

PUBLIC = {
    "person_name": "Wenceslao Tlatelolco Ixtab",
    "a_number": "A271828182",
    "family_name": "Marisela Tlatelolco",
    "family_contact": "+13105550187",
    "dependents": "two girls at Lorena Street Elementary",
}
CONSOLE = {
    "person_name": "Fortunata Quetzalcoatl Ramírez",
    "a_number": "A314159265",
    "family_name": "Eusebio Quetzalcoatl",
    "family_contact": "+12135550163",
    "medical_needs": "insulin twice a day",
}
NOTE = "Tía Remedios recoge a las niñas"

SECRETS = [
    *PUBLIC.values(),
    *CONSOLE.values(),
    NOTE,
    "271828182",
    "314159265",
    "3105550187",
    "2135550163",
    "Tlatelolco",
    "Quetzalcoatl",
]


@pytest.fixture
def queue_file(tmp_path: Path) -> Iterator[Path]:
    """Tasks go to a SQLite queue file, as under `vecinos worker`, not run inline."""
    path = tmp_path / "queue.sqlite3"
    storage = SqliteStorage(name="drill", filename=str(path))
    saved = HUEY._immediate, HUEY.storage
    HUEY._immediate, HUEY.storage = False, storage
    try:
        yield path
    finally:
        HUEY._immediate, HUEY.storage = saved


def _seed(queue_file: Path) -> Case:
    answer = Client().post(
        reverse("cases:detained"),
        {**PUBLIC, "family_channel": "sms", "family_language": "es", "family_updates": "on",
         "person_language": "es"},
    )  # fmt: skip
    assert answer.status_code == 303
    lucia = make_user("lucia", Role.CASE_WORKER)
    give_totp(lucia)
    client = signed_in(lucia)
    answer = client.post(
        reverse("cases:new"),
        {**CONSOLE, "family_channel": "sms", "family_language": "es", "family_updates": "on",
         "person_language": "es"},
    )  # fmt: skip
    assert answer.status_code == 303
    case = Case.objects.get(source="hotline")
    public = Case.objects.get(source="public")
    assert client.post(reverse("cases:take", args=[public.pk])).status_code == 303
    facility = Facility.objects.create(
        name="Desert View Annex", kind=FacilityKind.PROCESSING_CENTER
    )
    for each in (case, public):
        client.post(reverse("cases:note", args=[each.pk]), {"text": NOTE})
        client.post(
            reverse("cases:locator", args=[each.pk]), {"facility": facility.pk, "result": "found"}
        )
        client.post(reverse("cases:update", args=[each.pk]), {"template": "located", "note": NOTE})
        at = timezone.localtime() + timedelta(days=3)
        hearing = {"kind": "check_in", "at": at.strftime("%Y-%m-%dT%H:%M"), "place": "300 N Main"}
        client.post(reverse("cases:hearing", args=[each.pk]), hearing)
        assert client.get(reverse("cases:detail", args=[each.pk])).status_code == 200
        assert client.get(reverse("cases:export", args=[each.pk])).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=2, hours=2)):
        actions.remind_hearings()
    assert queue_file.exists() and HUEY.storage.queue_size() > 0
    # The worker's half: the messages are sent from the outbox (console transport).
    for channel in outbox.CHANNELS:
        outbox.drain(channel=channel)
    return case


def _found_in(data: bytes) -> list[str]:
    return [secret for secret in SECRETS if secret.encode() in data]


def _database_bytes() -> bytes:
    if connection.vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        return b"".join(p.read_bytes() for p in (name, Path(f"{name}-wal")) if p.exists())
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        unavailable("pg_dump is missing: apt-get install -y postgresql-client")
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return subprocess.run(
        [pg_dump, "-h", str(db["HOST"] or "127.0.0.1"), "-p", str(db["PORT"] or 5432),
         "-U", str(db["USER"]), "--no-owner", str(db["NAME"])],
        env=env, capture_output=True, check=True, timeout=120,
    ).stdout  # fmt: skip


def test_nothing_of_a_case_is_readable_anywhere_on_a_seized_server(
    transactional_db: None, queue_file: Path, caplog: pytest.LogCaptureFixture, capfd
) -> None:
    caplog.set_level("DEBUG")
    case = _seed(queue_file)
    assert case.person_name == CONSOLE["person_name"]  # the application still reads it

    database = _database_bytes()
    assert b"cases_case" in database or b"CREATE TABLE" in database  # the real file
    assert _found_in(database) == []

    assert _found_in(queue_file.read_bytes()) == []
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records  # the drill did log (requests, deliveries)
    assert _found_in(logged.encode()) == []
    out, err = capfd.readouterr()
    assert _found_in((out + err).encode()) == []

    for path in Path(settings.DATA_DIR).rglob("*"):
        if path.is_file() and path.stat().st_size < 50_000_000:
            assert _found_in(path.read_bytes()) == [], path


def test_the_drill_would_see_plain_text(transactional_db: None, queue_file: Path) -> None:
    """The search can fail: a name written in clear to a column is found in the file."""
    from vecinos.committees.models import Committee

    Committee.objects.create(name=PUBLIC["person_name"], slug="drill", kind="neighborhood")
    assert PUBLIC["person_name"] in _found_in(_database_bytes())
