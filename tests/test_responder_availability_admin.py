"""An admin may open the responder's page (admins hold every role) but is no
responder: posting the on-call form is refused with a message, never a 500."""

from __future__ import annotations

from tests.conftest import signed_in
from vecinos.accounts.models import User
from vecinos.reports.models import Availability


def test_an_admin_posting_the_availability_form_is_told_only_responders_go_on_call(
    ana: User,
) -> None:
    client = signed_in(ana)
    response = client.post(
        "/responder/availability", {"available": "on", "lat": "34.04", "lng": "-118.21"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "not a responder" in page
    assert not Availability.objects.filter(responder=ana).exists()


def test_the_admin_is_not_shown_an_on_call_form(ana: User) -> None:
    page = signed_in(ana).get("/responder").content.decode()
    assert 'id="availability-form"' not in page


def test_a_responder_still_goes_on_call(rosa: User) -> None:
    response = signed_in(rosa).post(
        "/responder/availability", {"available": "on", "lat": "34.04", "lng": "-118.21"}
    )
    assert response.status_code == 302
    assert Availability.objects.get(responder=rosa).is_available
