"""Closing an incident and sending a retraction or all-clear are never one click: the
form asks to tick a box first, and a post without it changes nothing and says why."""

from __future__ import annotations

import pytest

from tests.conftest import signed_in
from tests.factories import make_incident
from tests.servers.subscribers import make_subscription
from vecinos.accounts.models import User
from vecinos.alerts.actions import approve_alert, draft_alert
from vecinos.alerts.models import Alert, AlertStatus
from vecinos.reports.models import Incident, IncidentStatus

pytestmark = pytest.mark.django_db


def test_closing_asks_to_confirm(dani: User) -> None:
    incident = make_incident()
    client = signed_in(dani)
    html = client.get(f"/console/incidents/{incident.pk}").content.decode()
    assert 'name="confirm" value="1" required' in html
    client.post(f"/console/incidents/{incident.pk}/close")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW
    page = client.get(f"/console/incidents/{incident.pk}").content.decode()
    assert "Tick “Yes, close it”" in page
    client.post(f"/console/incidents/{incident.pk}/close", {"confirm": "1"})
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED


def test_a_retraction_asks_to_confirm_and_says_how_many_it_reaches(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    make_subscription()
    make_subscription(channel="email")
    alert = approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)
    client = signed_in(dani)
    html = client.get(f"/console/alerts/{alert.pk}").content.decode()
    assert "Yes, send it now to the 2 people who got the alert" in html
    client.post(f"/console/alerts/{alert.pk}/retract", {"kind": "retraction", "reason": "Oops"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.PUBLISHED
    assert not Alert.objects.filter(original=alert).exists()
    client.post(
        f"/console/alerts/{alert.pk}/retract",
        {"kind": "retraction", "reason": "Oops", "confirm": "1"},
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RETRACTED
