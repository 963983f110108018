"""With ``VECINOS_DATABASE_REPLICA_URL`` the public pages (map data, public alerts,
feeds, short links) read from the replica and nothing else does; without it everything
reads from the primary (tests/test_public_api.py). The replica here is a second
connection to the test database, as a streaming replica is a second server with the
same rows."""

from __future__ import annotations

import copy
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.servers.subscribers import make_subscription
from tests.test_settings_sms_senders import check
from vecinos.accounts.models import User
from vecinos.alerts import messages
from vecinos.alerts import queries as alert_queries
from vecinos.alerts.actions import approve_alert, draft_alert
from vecinos.core import replica
from vecinos.core.replica import REPLICA, public_reads
from vecinos.reports.models import Incident


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup: None) -> Iterator[None]:
    """A "replica" alias, as a replica URL makes one, pointing at the test database;
    in place before each test's database access is set up, so the tests may use it."""
    primary = copy.deepcopy(connections.settings["default"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(django_settings.DATABASES, REPLICA, primary)
        patch.setitem(connections.settings, REPLICA, primary)
        yield
        forget_replica()  # its pool closed, or the test database cannot be dropped


def tables(queries: CaptureQueriesContext) -> str:
    return " ".join(query["sql"] for query in queries.captured_queries)


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_with_a_replica_the_public_pages_read_it_and_the_console_does_not(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    make_subscription()
    alert = approve_alert(
        alert=draft_alert(incident=confirmed_incident, note="Lawyers on the way", actor=dani),
        actor=diego,
    )
    assert public_reads() == REPLICA
    public = Client()
    pages = [
        "/api/v1/public/incidents",
        "/api/v1/public/incidents.geojson",
        "/api/v1/alerts?lang=es",
        "/feeds/alerts.cap",
        "/feeds/alerts.atom",
        f"/feeds/alerts/{alert.pk}.cap",
        f"/a/{messages.short_code(alert.pk)}",
    ]
    for page in pages:
        with (
            CaptureQueriesContext(connections[REPLICA]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            response = public.get(page)
        assert response.status_code in (200, 302), page
        read = tables(on_replica)
        assert "reports_incident" in read or "alerts_alert" in read, page
        assert "reports_incident" not in tables(on_primary), page
        assert "alerts_alert" not in tables(on_primary), page
    # What the replica holds is what the public gets.
    assert str(alert.pk) in public.get("/feeds/alerts.cap").content.decode()

    # A dispatcher's console reads the primary: it must see its own writes at once.
    assert alert_queries.get_alert_for_user(dani, alert.pk) == alert
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        alert_queries.get_alert_for_user(dani, alert.pk)
    assert not on_replica.captured_queries


def test_a_replica_without_a_primary_stops_the_start(tmp_path: Path) -> None:
    alone = check(tmp_path, VECINOS_DATABASE_REPLICA_URL="postgres://replica.internal/vecinos")
    assert alone.returncode != 0
    assert "VECINOS_DATABASE_REPLICA_URL is a replica of DATABASE_URL" in alone.stderr
    wrong = check(
        tmp_path,
        DATABASE_URL="postgres://primary.internal/vecinos",
        VECINOS_DATABASE_REPLICA_URL="mysql://replica.internal/vecinos",
    )
    assert wrong.returncode != 0
    assert "VECINOS_DATABASE_REPLICA_URL must be a postgres:// URL" in wrong.stderr


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_an_unreachable_replica_leaves_the_public_pages_on_the_primary(
    confirmed_incident: Incident, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replica, "_down_until", 0.0)
    unreachable = copy.deepcopy(connections.settings[REPLICA])
    if unreachable["ENGINE"].endswith("postgresql"):
        # Through the pool, as deployed: nothing listens, its wait runs out (1 s here).
        unreachable["PORT"] = str(closed_port())
        unreachable.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "timeout": 1}
    else:
        unreachable["NAME"] = str(tmp_path / "no such directory" / "replica.sqlite3")
    forget_replica()
    monkeypatch.setitem(connections.settings, REPLICA, unreachable)
    try:
        assert public_reads() == "default"
        with CaptureQueriesContext(connections["default"]) as on_primary:
            response = Client().get("/api/v1/public/incidents.geojson")
        assert response.status_code == 200
        assert "reports_incident" in tables(on_primary)
        # The next requests do not wait for the replica again until it is retried.
        tries = []
        monkeypatch.setattr(
            type(connections[REPLICA]), "ensure_connection", lambda self: tries.append(1)
        )
        assert public_reads() == "default" and not tries
        monkeypatch.setattr(replica, "_down_until", time.monotonic() - 1)
        assert public_reads() == REPLICA and tries == [1]
    finally:
        monkeypatch.undo()
        forget_replica()


def forget_replica() -> None:
    """Close the replica's connection and its pool, so the next use builds them anew
    from the settings."""
    connection = connections[REPLICA]
    connection.close()
    if connection.vendor == "postgresql" and connection.pool is not None:
        connection.close_pool()
    del connections[REPLICA]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
