"""The responder's pages, phone first: on call with an area, the requests sent to
them, acknowledge or decline, and filing the outcome. Plain forms, no JavaScript
needed."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import make_user, signed_in
from tests.factories import BOYLE_HEIGHTS, submit
from vecinos.accounts.models import Role, User
from vecinos.reports import actions
from vecinos.reports.models import Availability, Dispatch, DispatchStatus, Incident, IncidentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatch(dani: User, rosa: User) -> Dispatch:
    report = submit(
        at=BOYLE_HEIGHTS,
        place="Cesar Chavez & Soto",
        description="Agents at the laundromat",
    )
    (dispatch,) = actions.dispatch_responders(
        incident=report.incident, responders=[rosa], actor=dani
    )
    return dispatch


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get("/responder")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["mara", "olga", "dani"])
def test_only_responders_have_responder_pages(request: pytest.FixtureRequest, who: str) -> None:
    client = signed_in(request.getfixturevalue(who))
    assert client.get("/responder").status_code == 403
    assert client.post("/responder/availability", {"available": "on"}).status_code == 403


def test_the_responder_sees_their_requests_with_buttons(rosa: User, dispatch: Dispatch) -> None:
    html = signed_in(rosa).get("/responder").content.decode()
    assert f"/responder/dispatches/{dispatch.pk}/acknowledge" in html
    assert f"/responder/dispatches/{dispatch.pk}/decline" in html
    assert 'name="viewport"' in html


def test_going_on_call_from_the_form(rosa: User) -> None:
    response = signed_in(rosa).post(
        "/responder/availability",
        {"available": "on", "lat": "34.040", "lng": "-118.209", "radius_km": "3"},
        follow=True,
    )
    assert "You are on call." in response.content.decode()
    availability = Availability.objects.get(responder=rosa)
    assert (availability.is_available, availability.radius_km) == (True, 3.0)


def test_a_bad_area_is_explained(rosa: User) -> None:
    client = signed_in(rosa)
    response = client.post(
        "/responder/availability", {"available": "on", "lat": "north", "lng": "-118"}, follow=True
    )
    assert "Latitude must be a number." in response.content.decode()
    response = client.post(
        "/responder/availability",
        {"available": "on", "lat": "34", "lng": "-118", "radius_km": "99"},
        follow=True,
    )
    assert "between 0.5 and 50 km" in response.content.decode()
    assert not Availability.objects.filter(is_available=True).exists()


def test_the_request_page_shows_what_reporters_said(rosa: User, dispatch: Dispatch) -> None:
    html = signed_in(rosa).get(f"/responder/dispatches/{dispatch.pk}").content.decode()
    assert "Agents at the laundromat" in html
    assert "Cesar Chavez &amp; Soto" in html
    assert "geo:" in html
    assert f"/responder/dispatches/{dispatch.pk}/outcome" in html


def test_acknowledging_then_filing_the_outcome(rosa: User, dispatch: Dispatch) -> None:
    client = signed_in(rosa)
    response = client.post(f"/responder/dispatches/{dispatch.pk}/acknowledge", follow=True)
    assert "on the way" in response.content.decode()
    response = client.post(
        f"/responder/dispatches/{dispatch.pk}/outcome",
        {"outcome": "unconfirmed", "notes": "Nobody there at 10:40", "vehicles": "0"},
        follow=True,
    )
    assert "Outcome filed." in response.content.decode()
    incident = Incident.objects.get(pk=dispatch.incident_id)
    assert incident.status == IncidentStatus.UNCONFIRMED
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.COMPLETED


def test_declining_goes_back_to_the_list(rosa: User, dispatch: Dispatch) -> None:
    response = signed_in(rosa).post(f"/responder/dispatches/{dispatch.pk}/decline")
    assert response["Location"] == "/responder"
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.DECLINED


def test_after_declining_the_reports_are_no_longer_shown(rosa: User, dispatch: Dispatch) -> None:
    client = signed_in(rosa)
    client.post(f"/responder/dispatches/{dispatch.pk}/decline")
    html = client.get(f"/responder/dispatches/{dispatch.pk}").content.decode()
    assert "Agents at the laundromat" not in html
    assert "no longer open" in html
    response = client.post(f"/responder/dispatches/{dispatch.pk}/outcome", {"outcome": "false"})
    assert response.status_code == 404


def test_a_second_outcome_is_refused_with_a_message(rosa: User, dispatch: Dispatch) -> None:
    client = signed_in(rosa)
    client.post(f"/responder/dispatches/{dispatch.pk}/outcome", {"outcome": "confirmed"})
    response = client.post(
        f"/responder/dispatches/{dispatch.pk}/outcome", {"outcome": "false"}, follow=True
    )
    assert "already been checked" in response.content.decode()
    assert Incident.objects.get(pk=dispatch.incident_id).status == IncidentStatus.CONFIRMED


def test_another_responders_request_is_a_404(dispatch: Dispatch) -> None:
    ramon = make_user("ramon", Role.RESPONDER)
    client = signed_in(ramon)
    assert client.get(f"/responder/dispatches/{dispatch.pk}").status_code == 404
    assert client.post(f"/responder/dispatches/{dispatch.pk}/acknowledge").status_code == 404
    assert client.post(f"/responder/dispatches/{dispatch.pk}/decline").status_code == 404
    assert (
        client.post(
            f"/responder/dispatches/{dispatch.pk}/outcome", {"outcome": "false"}
        ).status_code
        == 404
    )
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.REQUESTED


def test_a_bad_count_is_explained(rosa: User, dispatch: Dispatch) -> None:
    response = signed_in(rosa).post(
        f"/responder/dispatches/{dispatch.pk}/outcome",
        {"outcome": "confirmed", "officers": "lots"},
        follow=True,
    )
    assert "Officers must be a whole number." in response.content.decode()
    assert Incident.objects.get(pk=dispatch.incident_id).status == IncidentStatus.DISPATCHED
