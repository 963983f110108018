"""An incident whose reports gave only words can be placed on the map by a
dispatcher, and from then on dispatched, shown and alerted; until then the alert
panel says what is missing."""

from __future__ import annotations

import pytest

from tests.conftest import signed_in
from tests.factories import make_incident
from vecinos.accounts.models import User
from vecinos.alerts.actions import draft_alert
from vecinos.core import geo
from vecinos.reports.models import Incident, IncidentEvent, IncidentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def wordy(db: None) -> Incident:
    """Confirmed on the ground, but no report gave a point."""
    return make_incident(at=None, status=IncidentStatus.CONFIRMED)


def page(user: User, incident: Incident) -> str:
    return signed_in(user).get(f"/console/incidents/{incident.pk}").content.decode()


def test_the_panel_says_what_is_missing(wordy: Incident, dani: User) -> None:
    html = page(dani, wordy)
    assert "once the incident is confirmed" not in html
    assert "Confirmed, but not on the map yet" in html
    assert f'action="/console/incidents/{wordy.pk}/locate"' in html


def test_a_dispatcher_places_it_and_can_then_draft_an_alert(wordy: Incident, dani: User) -> None:
    response = signed_in(dani).post(
        f"/console/incidents/{wordy.pk}/locate", {"point": " 34.04720, -118.21930 "}
    )
    assert response.status_code == 302
    wordy.refresh_from_db()
    assert (wordy.lat, wordy.lng, wordy.needs_location) == (34.0472, -118.2193, False)
    assert wordy.cell == geo.cell_for(34.0472, -118.2193)
    assert IncidentEvent.objects.filter(incident=wordy, type="located", actor=dani).exists()
    assert "Placed on the map" in page(dani, wordy)
    assert draft_alert(incident=wordy, actor=dani).cells


@pytest.mark.parametrize("point", ["", "Soto and 1st", "91, 10", "34.0, -181", "nan, 3"])
def test_a_point_that_is_not_one_is_refused_naming_what_to_write(
    point: str, wordy: Incident, dani: User
) -> None:
    client = signed_in(dani)
    client.post(f"/console/incidents/{wordy.pk}/locate", {"point": point})
    wordy.refresh_from_db()
    assert wordy.lat is None and wordy.needs_location
    html = client.get(f"/console/incidents/{wordy.pk}").content.decode()
    assert "latitude" in html.lower()


@pytest.mark.parametrize("who", ["rosa", "carmen", "mara", "olga"])
def test_only_dispatchers_place_incidents(
    who: str, wordy: Incident, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    response = signed_in(user).post(
        f"/console/incidents/{wordy.pk}/locate", {"point": "34.0472, -118.2193"}
    )
    assert response.status_code in {403, 404}
    wordy.refresh_from_db()
    assert wordy.lat is None


def test_a_located_incident_no_longer_offers_the_form(dani: User) -> None:
    incident = make_incident(status=IncidentStatus.CONFIRMED)
    assert "/locate" not in page(dani, incident)
