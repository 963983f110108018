"""Test mode: separate in the data and in the interface, and never reaches a provider."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import signed_in
from tests.servers.subscribers import make_subscription
from vecinos.accounts.models import User
from vecinos.alerts import queries
from vecinos.alerts.actions import approve_alert, draft_alert, retract_alert
from vecinos.alerts.models import Alert, AlertStatus, Delivery
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db


def publish_test_alert(incident: Incident, dani: User, diego: User) -> Alert:
    alert = draft_alert(incident=incident, test=True, actor=dani)
    return approve_alert(alert=alert, actor=diego)


def test_a_test_alert_is_marked_in_the_data(confirmed_incident: Incident, dani: User) -> None:
    alert = draft_alert(incident=confirmed_incident, test=True, actor=dani)
    assert Alert.objects.get(pk=alert.pk).is_test
    assert alert.events.get().data["test"] is True


def test_a_test_alert_goes_to_the_console_and_never_to_the_sms_provider(
    confirmed_incident: Incident,
    dani: User,
    diego: User,
    twilio_server: Any,
    console_outbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscriber = make_subscription(language="es")
    with django_capture_on_commit_callbacks(execute=True):
        alert = publish_test_alert(confirmed_incident, dani, diego)

    assert alert.status == AlertStatus.PUBLISHED
    assert Delivery.objects.get(alert=alert).subscription == subscriber
    assert twilio_server.messages == []
    assert [sent.text.split(" ")[0] for sent in console_outbox] == ["PRUEBA"]


def test_a_real_alert_does_reach_the_provider_in_the_same_setup(
    confirmed_incident: Incident,
    dani: User,
    diego: User,
    twilio_server: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The control for the test above: the same path, not in test mode, is sent.
    make_subscription(language="es")
    with django_capture_on_commit_callbacks(execute=True):
        approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)
    assert len(twilio_server.messages) == 1
    assert twilio_server.messages[0].body.startswith("ALERTA")


def test_the_retraction_of_a_test_alert_is_a_test_too(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    alert = publish_test_alert(confirmed_incident, dani, diego)
    assert retract_alert(alert=alert, reason="drill over", actor=dani).is_test


def test_test_alerts_are_never_public(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    alert = publish_test_alert(confirmed_incident, dani, diego)
    assert queries.active_public_alerts() == []
    assert queries.feed_alerts() == []
    client = Client()
    assert client.get(f"/alerts/{alert.pk}").status_code == 404
    assert client.get(f"/feeds/alerts/{alert.pk}.cap").status_code == 404
    assert str(alert.pk) not in client.get("/feeds/alerts.cap").content.decode()
    assert client.get("/api/v1/alerts").json()["alerts"] == []


def test_a_dispatcher_sees_the_test_alert_page_with_its_badge(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    alert = publish_test_alert(confirmed_incident, dani, diego)
    page = signed_in(dani).get(f"/alerts/{alert.pk}")
    assert page.status_code == 200
    assert 'class="badge test"' in page.content.decode()
    assert "no-store" in page["Cache-Control"]


def test_the_console_shows_a_test_badge_and_a_different_button(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    draft_alert(incident=confirmed_incident, test=True, actor=dani)
    page = signed_in(diego).get(f"/console/incidents/{confirmed_incident.pk}").content.decode()
    assert 'class="badge test"' in page
    assert "Approve TEST alert (console only)" in page
    assert "Approve and send to subscribers" not in page
