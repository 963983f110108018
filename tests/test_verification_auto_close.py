"""Incidents with no news for INCIDENT_QUIET_HOURS close by themselves (the periodic
task); a report or a change in the meantime keeps them open."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import make_incident, submit
from vecinos.reports import actions
from vecinos.reports.models import Incident, IncidentEvent, IncidentStatus
from vecinos.reports.tasks import close_quiet_incidents

pytestmark = pytest.mark.django_db


def test_a_quiet_incident_closes_after_the_quiet_period(settings) -> None:
    settings.INCIDENT_QUIET_HOURS = 6
    incident = submit().incident

    with time_machine.travel(timezone.now() + timedelta(hours=5)):
        close_quiet_incidents.call_local()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW

    with time_machine.travel(timezone.now() + timedelta(hours=7)):
        close_quiet_incidents.call_local()
        close_quiet_incidents.call_local()  # twice: harmless
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED
    closed = incident.events.get(type=IncidentEvent.Type.CLOSED)
    assert closed.actor is None
    assert closed.data["reason"] == "quiet"


@pytest.mark.parametrize("status", ["dispatched", "confirmed", "unconfirmed", "false"])
def test_every_open_state_closes_when_quiet(status: str) -> None:
    long_ago = timezone.now() - timedelta(hours=8)
    incident = make_incident(status=status, seen_at=long_ago, updated_at=long_ago)
    assert actions.close_quiet_incident(incident=incident) is True
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED


def test_a_recent_change_keeps_an_old_incident_open(dani) -> None:
    long_ago = timezone.now() - timedelta(hours=8)
    incident = make_incident(seen_at=long_ago, updated_at=long_ago)
    actions.set_public_label(incident=incident, label="Soto St", actor=dani)  # news
    assert actions.close_quiet_incident(incident=incident) is False
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW


def test_a_new_report_keeps_the_incident_open(settings) -> None:
    settings.INCIDENT_QUIET_HOURS = 6
    start = timezone.now()
    incident = submit(observed_at=start).incident
    with time_machine.travel(start + timedelta(minutes=50)):
        assert submit(client_key="other").incident_id == incident.pk
    with time_machine.travel(start + timedelta(hours=6, minutes=30)):
        close_quiet_incidents.call_local()
    assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.NEW


def test_a_closed_incident_is_left_alone() -> None:
    long_ago = timezone.now() - timedelta(hours=8)
    incident = make_incident(status=IncidentStatus.CLOSED, seen_at=long_ago, updated_at=long_ago)
    assert actions.close_quiet_incident(incident=incident) is False
    assert incident.events.count() == 0
