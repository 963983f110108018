"""GET /api/v1/alerts?lang=: the alerts in force, rendered in one language, for anyone;
never a test alert, never contact data."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.servers.subscribers import make_subscription
from vecinos.accounts.models import User
from vecinos.alerts.actions import approve_alert, draft_alert, retract_alert
from vecinos.alerts.models import Alert
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(confirmed_incident: Incident, dani: User, diego: User) -> Alert:
    return approve_alert(
        alert=draft_alert(incident=confirmed_incident, note="Abogados en camino", actor=dani),
        actor=diego,
    )


def test_anyone_reads_the_alerts_in_force_in_spanish(published: Alert) -> None:
    response = Client().get("/api/v1/alerts?lang=es")
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "es"
    [alert] = body["alerts"]
    assert alert["id"] == str(published.pk)
    assert alert["event"] == "Redada de inmigración"
    assert alert["headline"].startswith("ALERTA")
    assert alert["text"].startswith("Se confirmó una redada de inmigración")
    assert alert["note"] == "Abogados en camino"
    assert alert["url"].endswith(f"/alerts/{published.pk}?lang=es")
    assert alert["area"]["radius_km"] == 2
    assert "max-age=60" in response["Cache-Control"]


def test_english_is_the_default(published: Alert) -> None:
    body = Client().get("/api/v1/alerts").json()
    assert body["language"] == "en"
    assert body["alerts"][0]["headline"].startswith("ALERT:")


def test_a_language_tag_is_understood(published: Alert) -> None:
    assert Client().get("/api/v1/alerts?lang=zh-TW").json()["language"] == "zh-hant"


@pytest.mark.parametrize("lang", ["xx", "pt", "", "e" * 40])
def test_an_unknown_language_is_a_422_naming_the_parameter(lang: str) -> None:
    response = Client().get(f"/api/v1/alerts?lang={lang}")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["lang"]


def test_retractions_come_first_and_the_retracted_alert_is_gone(
    published: Alert, dani: User
) -> None:
    retraction = retract_alert(alert=published, reason="mistake", actor=dani)
    alerts = Client().get("/api/v1/alerts?lang=en").json()["alerts"]
    assert [a["id"] for a in alerts] == [str(retraction.pk)]
    assert alerts[0]["kind"] == "retraction"
    assert alerts[0]["original_id"] == str(published.pk)


def test_drafts_are_not_public(confirmed_incident: Incident, dani: User) -> None:
    draft_alert(incident=confirmed_incident, actor=dani)
    assert Client().get("/api/v1/alerts").json()["alerts"] == []


def test_no_contact_data_and_no_staff_only_fields(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    make_subscription(contact="+12135550123")
    alert = approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)
    retract_alert(alert=alert, reason="STAFF-ONLY-REASON", actor=dani)
    content = Client().get("/api/v1/alerts").content.decode()
    assert "2135550123" not in content
    assert "STAFF-ONLY-REASON" not in content
    assert "dani" not in content and "diego" not in content
