"""Drafting an alert: only dispatchers, only from a confirmed incident, an area of
0.2 to 25 km around the incident's cell, a short plain note."""

from __future__ import annotations

import math
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django import Settings

from tests.conftest import ALERT_PLACE
from tests.factories import make_incident
from vecinos.accounts.access import Forbidden
from vecinos.accounts.models import User
from vecinos.alerts import actions, messages
from vecinos.alerts.actions import AlertRefused, InvalidAlert, draft_alert
from vecinos.alerts.models import Alert, AlertEvent, AlertStatus
from vecinos.core import geo
from vecinos.reports.models import Incident, IncidentStatus

pytestmark = pytest.mark.django_db


def test_a_dispatcher_drafts_an_alert_from_a_confirmed_incident(
    confirmed_incident: Incident, dani: User
) -> None:
    alert = draft_alert(incident=confirmed_incident, actor=dani)

    alert.refresh_from_db()
    assert alert.status == AlertStatus.PENDING_APPROVAL
    assert alert.kind == "alert"
    assert alert.incident_kind == "raid"
    assert alert.place_label == ALERT_PLACE
    assert alert.radius_km == 2
    assert alert.created_by == dani
    assert alert.published_at is None
    assert not alert.is_test
    event = AlertEvent.objects.get(alert=alert)
    assert (event.type, event.actor) == ("drafted", dani)


def test_the_area_is_a_circle_around_the_incidents_cell_not_its_reporters_point(
    confirmed_incident: Incident, dani: User
) -> None:
    alert = draft_alert(incident=confirmed_incident, radius_km=3, actor=dani)
    assert confirmed_incident.cell is not None
    centre = geo.cell_center(confirmed_incident.cell)
    assert (alert.lat, alert.lng) == pytest.approx(centre)
    assert set(alert.cells) == geo.cells_within(*centre, 3)
    assert confirmed_incident.cell in alert.cells


def test_the_alert_expires_after_the_configured_hours(
    confirmed_incident: Incident, dani: User, settings: Settings
) -> None:
    settings.ALERT_TTL_HOURS = 3
    before = timezone.now()
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    assert alert.expires_at is not None
    assert before + timedelta(hours=3) <= alert.expires_at <= timezone.now() + timedelta(hours=3)


@pytest.mark.parametrize(
    "status",
    [
        IncidentStatus.NEW,
        IncidentStatus.DISPATCHED,
        IncidentStatus.UNCONFIRMED,
        IncidentStatus.FALSE,
        IncidentStatus.CLOSED,
    ],
)
def test_an_incident_that_is_not_confirmed_is_refused(status: str, dani: User) -> None:
    incident = make_incident(status=status, public_label=ALERT_PLACE)
    with pytest.raises(AlertRefused, match="confirmed") as refused:
        draft_alert(incident=incident, actor=dani)
    assert refused.value.status == 409
    assert not Alert.objects.exists()


def test_an_incident_without_a_place_is_refused(dani: User) -> None:
    incident = make_incident(status=IncidentStatus.CONFIRMED, at=None)
    with pytest.raises(AlertRefused, match="place"):
        draft_alert(incident=incident, actor=dani)


@pytest.mark.parametrize("radius", [0.2, 1, 2.5, 25])
def test_a_radius_from_0_2_to_25_km_is_accepted(
    confirmed_incident: Incident, dani: User, radius: float
) -> None:
    assert (
        draft_alert(incident=confirmed_incident, radius_km=radius, actor=dani).radius_km == radius
    )


@pytest.mark.parametrize("radius", [0.19, 25.01, 0, -2, math.nan, math.inf, True, "2"])
def test_a_radius_out_of_range_is_refused_by_name(
    confirmed_incident: Incident, dani: User, radius: object
) -> None:
    with pytest.raises(InvalidAlert) as refused:
        draft_alert(incident=confirmed_incident, radius_km=radius, actor=dani)  # type: ignore[arg-type]
    assert refused.value.field == "radius_km"
    assert refused.value.status == 422


def test_the_note_is_kept_verbatim_on_one_line(confirmed_incident: Incident, dani: User) -> None:
    alert = draft_alert(
        incident=confirmed_incident, note="  Evite Soto St.\nAbogados  en camino. ", actor=dani
    )
    assert alert.note == "Evite Soto St. Abogados en camino."


@pytest.mark.parametrize("note", ["x" * 141, "bell\x07", "nul\x00"])
def test_a_long_note_or_control_characters_are_refused(
    confirmed_incident: Incident, dani: User, note: str
) -> None:
    with pytest.raises(InvalidAlert) as refused:
        draft_alert(incident=confirmed_incident, note=note, actor=dani)
    assert refused.value.field == "note"


def test_a_140_character_note_is_accepted(confirmed_incident: Incident, dani: User) -> None:
    assert len(draft_alert(incident=confirmed_incident, note="x" * 140, actor=dani).note) == 140


def test_an_admin_may_draft(confirmed_incident: Incident, ana: User) -> None:
    assert draft_alert(incident=confirmed_incident, actor=ana).created_by == ana


@pytest.mark.parametrize("person", ["rosa", "carmen", "mara"])
def test_responders_coordinators_and_members_may_not_draft(
    confirmed_incident: Incident, person: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(person)
    with pytest.raises(Forbidden):
        draft_alert(incident=confirmed_incident, actor=user)
    assert not Alert.objects.exists()


def test_every_alert_gets_a_short_code_no_other_alert_has(
    confirmed_incident: Incident, dani: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = draft_alert(incident=confirmed_incident, actor=dani)
    # The next random id shares the first alert's 40-bit prefix; the one after does not.
    clash = uuid.UUID(first.pk.hex[:10] + "0" * 22)
    other = uuid.uuid4()
    ids = iter([clash, other])
    monkeypatch.setattr(actions.uuid, "uuid4", lambda: next(ids))
    second = draft_alert(incident=confirmed_incident, actor=dani)
    assert second.pk == other
    assert messages.short_code(second.pk) != messages.short_code(first.pk)
