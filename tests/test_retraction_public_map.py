"""An alert retracted as sent in error takes its incident off the public map (and the
public GeoJSON), until a dispatcher confirms it again; an all-clear leaves it there."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_incident
from vecinos.accounts.models import User
from vecinos.alerts.actions import approve_alert, draft_alert, retract_alert
from vecinos.alerts.models import Alert
from vecinos.reports.actions import verify_incident
from vecinos.reports.models import Incident, IncidentEvent, IncidentStatus, Outcome, Verification
from vecinos.reports.queries import public_confirmed

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(dani: User) -> Incident:
    incident = make_incident(status=IncidentStatus.DISPATCHED, public_label="Soto St")
    verify_incident(incident=incident, outcome=Outcome.CONFIRMED, actor=dani)
    return Incident.objects.get(pk=incident.pk)


@pytest.fixture
def published(incident: Incident, dani: User, diego: User) -> Alert:
    return approve_alert(alert=draft_alert(incident=incident, actor=dani), actor=diego)


def on_the_map(incident: Incident) -> bool:
    return any(i.pk == incident.pk for i in public_confirmed())


def test_a_confirmed_incident_is_on_the_map(incident: Incident, published: Alert) -> None:
    assert on_the_map(incident)
    assert str(incident.pk) in Client().get("/api/v1/public/incidents.geojson").content.decode()


def test_a_retraction_takes_the_incident_off_the_map(
    incident: Incident, published: Alert, dani: User
) -> None:
    retract_alert(alert=published, reason="Wrong corner", actor=dani)
    assert not on_the_map(incident)
    assert IncidentEvent.objects.filter(
        incident=incident, type=IncidentEvent.Type.WITHDRAWN
    ).exists()
    assert str(incident.pk) not in Client().get("/map").content.decode()


def test_an_all_clear_leaves_the_incident_on_the_map(
    incident: Incident, published: Alert, dani: User
) -> None:
    retract_alert(alert=published, reason="They left", kind="all_clear", actor=dani)
    assert on_the_map(incident)


def test_a_check_on_the_ground_after_a_retraction_puts_it_back(
    incident: Incident, published: Alert, dani: User, rosa: User
) -> None:
    retract_alert(alert=published, reason="Wrong corner", actor=dani)
    Verification.objects.create(incident=incident, verified_by=rosa, outcome=Outcome.CONFIRMED)
    assert on_the_map(incident)
