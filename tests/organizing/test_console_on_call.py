"""The dispatcher console shows who is on call now and suggests on-call responders whose
committee area covers the incident, nearest first."""

from __future__ import annotations

from tests.conftest import signed_in
from tests.factories import BOYLE_HEIGHTS, JEFFERSON_HIGH, MARIACHI_PLAZA, submit
from tests.organizing.conftest import join, train
from vecinos.accounts.models import Role, User
from vecinos.committees.models import Committee
from vecinos.organizing import actions, queries
from vecinos.organizing.models import Shift


def _responder(committee: Committee, carmen: User, name: str) -> User:
    person = User.objects.create_user(username=name, password="x", role=Role.RESPONDER)
    join(committee, person)
    train(committee, person, by=carmen)
    actions.grant_responder(committee=committee, user=person, actor=carmen)
    return person


def test_the_queue_shows_who_is_on_call_now(
    shift_now: Shift, trained_rosa: User, dani: User
) -> None:
    actions.sign_up_shift(shift=shift_now, user=trained_rosa, actor=trained_rosa)

    page = signed_in(dani).get("/console").content.decode()

    assert "On call now" in page
    assert "rosa — Boyle Heights" in page


def test_on_call_responders_of_the_area_are_suggested_nearest_first(
    committee: Committee, carmen: User, shift_now: Shift, trained_rosa: User, dani: User
) -> None:
    luis = _responder(committee, carmen, "luis")
    actions.sign_up_shift(
        shift=shift_now,
        user=trained_rosa,
        lat=MARIACHI_PLAZA[0],
        lng=MARIACHI_PLAZA[1],
        actor=trained_rosa,
    )
    actions.sign_up_shift(
        shift=shift_now, user=luis, lat=BOYLE_HEIGHTS[0], lng=BOYLE_HEIGHTS[1], actor=luis
    )
    incident = submit(at=BOYLE_HEIGHTS).incident

    suggested = queries.suggest_on_call(incident.cell)
    html = signed_in(dani).get(f"/console/incidents/{incident.pk}").content.decode()

    assert [row.user.username for row in suggested] == ["luis", "rosa"]
    assert suggested[0].distance_km == 0.0
    section = html[html.index('id="on-call-suggestions"') :]
    assert section.index('value="luis"') < section.index('value="rosa"')


def test_an_incident_outside_the_committee_area_gets_no_suggestion(
    shift_now: Shift, trained_rosa: User
) -> None:
    actions.sign_up_shift(shift=shift_now, user=trained_rosa, actor=trained_rosa)
    incident = submit(at=JEFFERSON_HIGH).incident

    assert queries.suggest_on_call(incident.cell) == []


def test_a_suggested_on_call_responder_can_be_dispatched_from_the_console(
    shift_now: Shift, trained_rosa: User, dani: User
) -> None:
    actions.sign_up_shift(shift=shift_now, user=trained_rosa, actor=trained_rosa)
    incident = submit(at=BOYLE_HEIGHTS).incident

    signed_in(dani).post(f"/console/incidents/{incident.pk}/dispatch", {"responders": "rosa"})

    assert list(incident.dispatches.values_list("responder__username", flat=True)) == ["rosa"]
