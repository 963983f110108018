"""A report sent again with the same idempotency key (the ``Idempotency-Key`` header of
the API, the hidden field the web form echoes, the phone's offline queue) answers the
first report's result and stores nothing new: through the API, the form, the SQLite
writer (one by one, in one batch, through the writer process) and on PostgreSQL. Only
a keyed hash of the key is stored, and retention erases it with the free text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.conftest import closing_connections
from vecinos.reports import actions
from vecinos.reports.models import Report
from vecinos.reports.retention import purge_reports

KEY = "6f1c2d9e-0b7a-4c1e-9f5d-2a8b3c4d5e6f"
BODY = {"kind": "raid", "lat": 34.0403, "lng": -118.2093, "description": "Two vans"}


def post(client: Client, key: str | None = KEY, body: dict[str, Any] = BODY) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/v1/reports", body, content_type="application/json", headers=headers)


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_a_resend_with_the_first_report_and_stores_nothing_new() -> None:
    client = Client()
    first = post(client)
    again = post(client)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Report.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_another_key_or_no_key_is_another_report() -> None:
    client = Client()
    post(client)
    post(client, key="another-key-0001")
    post(client, key=None)
    post(client, key=None)
    assert Report.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_resends_store_one_report() -> None:
    @closing_connections
    def send(_: int) -> Any:
        return actions.submit_report(
            actions.NewReport(
                kind="raid", lat=34.04, lng=-118.21, channel="api", client_key="a",
                idempotency_key=KEY,
            )
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=4) as pool:
        reports = list(pool.map(send, range(8)))
    assert {report.id for report in reports} == {Report.objects.get().id}


@pytest.mark.django_db
def test_a_malformed_key_is_refused_naming_it() -> None:
    response = post(Client(), key="short")
    assert response.status_code == 422
    assert "idempotency_key" in response.content.decode()
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_one_batch_with_the_same_key_twice_stores_one_report() -> None:
    def job(**extra: Any) -> actions.NewReport:
        return actions.NewReport(
            kind="raid", lat=34.04, lng=-118.21, channel="api", client_key="a", **extra
        )

    earlier = actions.submit_reports([job(idempotency_key="already-stored-1")])[0]
    results = actions.submit_reports(
        [
            job(idempotency_key=KEY),
            job(idempotency_key=KEY),
            job(),
            job(idempotency_key="already-stored-1"),
            job(idempotency_key="bad key!"),
        ]
    )
    assert isinstance(results[0], Report) and results[1] is results[0]
    assert isinstance(results[2], Report) and results[2].id != results[0].id
    assert isinstance(earlier, Report) and results[3].id == earlier.id  # type: ignore[union-attr]
    assert isinstance(results[4], Exception)
    assert Report.objects.count() == 3


@pytest.mark.django_db
def test_only_a_keyed_hash_of_the_key_is_stored() -> None:
    post(Client())
    report = Report.objects.get()
    assert report.idempotency_hash and len(report.idempotency_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reports_report")
        row = " ".join(str(value) for value in cursor.fetchone())
    assert KEY not in row and KEY.replace("-", "") not in row


@pytest.mark.django_db
def test_retention_erases_the_hash_with_the_free_text(settings: Any) -> None:
    post(Client())
    purge_reports(timezone.now() + timedelta(days=settings.REPORT_RETENTION + 1))
    assert Report.objects.get().idempotency_hash is None


@pytest.mark.django_db(transaction=True)
def test_the_form_echoes_its_key_and_a_second_send_is_the_same_report() -> None:
    client = Client()
    html = client.get("/report").content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert key is not None
    assert key.group(1) not in Client().get("/report").content.decode()  # fresh per render
    form = {"kind": "raid", "place": "Soto St", "idempotency_key": key.group(1)}
    form["observed_at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert client.post("/report", form).status_code == 303
    assert client.post("/report", form).status_code == 303
    assert Report.objects.count() == 1


# Through the writer process of `vecinos serve` ------------------------------------------


@pytest.fixture
def server(tmp_path: Path, migrated_data_dir: Path) -> Iterator[Any]:
    from tests.test_serve_command import start_server

    running = start_server(tmp_path, VECINOS_REPORT_RATE="100000/h")
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()


@pytest.mark.slow
def test_the_writer_process_answers_resends_with_the_first_report(
    server: Any, migrated_data_dir: Path
) -> None:
    import sqlite3

    def send(_: int) -> requests.Response:
        return requests.post(
            f"{server.url}/api/v1/reports",
            json=BODY,
            headers={"Idempotency-Key": KEY},
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(send, range(12)))
    assert [r.status_code for r in responses] == [201] * 12
    assert len({r.json()["id"] for r in responses}) == 1
    with sqlite3.connect(migrated_data_dir / "vecinos.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM reports_report").fetchone()[0] == 1
