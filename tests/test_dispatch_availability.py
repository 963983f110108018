"""Responders go on and off call with the area they cover, and the dispatcher is
offered the available responders whose area covers the incident, nearest first."""

from __future__ import annotations

import pytest

from tests.conftest import make_user, signed_in
from tests.factories import BOYLE_HEIGHTS, JEFFERSON_HIGH, SANTEE_ALLEY, make_incident, moved
from vecinos.accounts.access import Forbidden
from vecinos.accounts.models import Role, User
from vecinos.reports import actions, queries
from vecinos.reports.models import Availability

pytestmark = pytest.mark.django_db


def on_call(username: str, at: tuple[float, float], radius_km: float = 5) -> User:
    user = make_user(username, Role.RESPONDER)
    actions.set_availability(
        responder=user, available=True, lat=at[0], lng=at[1], radius_km=radius_km, actor=user
    )
    return user


def test_a_responder_goes_on_call_with_an_area(rosa: User) -> None:
    availability = actions.set_availability(
        responder=rosa, available=True, lat=34.04, lng=-118.21, radius_km=3, actor=rosa
    )
    assert (availability.is_available, availability.lat, availability.lng) == (
        True,
        34.04,
        -118.21,
    )
    assert availability.radius_km == 3


def test_going_off_call_keeps_the_area_for_next_time(rosa: User) -> None:
    actions.set_availability(responder=rosa, available=True, lat=34.04, lng=-118.21, actor=rosa)
    actions.set_availability(responder=rosa, available=False, actor=rosa)
    actions.set_availability(responder=rosa, available=True, actor=rosa)
    availability = Availability.objects.get(responder=rosa)
    assert (availability.is_available, availability.lat) == (True, 34.04)


def test_going_on_call_needs_a_place(rosa: User) -> None:
    with pytest.raises(actions.InvalidInput) as refused:
        actions.set_availability(responder=rosa, available=True, actor=rosa)
    assert "Say where you are" in str(refused.value.message)


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"lat": 91.0, "lng": 0.0}, "not a valid point"),
        ({"lat": float("nan"), "lng": 0.0}, "not a valid point"),
        ({"lat": 34.0}, "both latitude and longitude"),
        ({"lat": 34.0, "lng": -118.0, "radius_km": 0.1}, "between 0.5 and 50 km"),
        ({"lat": 34.0, "lng": -118.0, "radius_km": 51}, "between 0.5 and 50 km"),
        ({"lat": 34.0, "lng": -118.0, "radius_km": float("inf")}, "between 0.5 and 50 km"),
    ],
)
def test_bad_areas_are_refused(rosa: User, values: dict[str, float], words: str) -> None:
    with pytest.raises(actions.InvalidInput) as refused:
        actions.set_availability(responder=rosa, available=True, actor=rosa, **values)
    assert words in str(refused.value.message)
    assert not Availability.objects.exists()


def test_nobody_else_sets_a_responders_availability(rosa: User, dani: User, mara: User) -> None:
    for actor in (dani, mara):
        with pytest.raises(Forbidden):
            actions.set_availability(
                responder=rosa, available=True, lat=34.0, lng=-118.0, actor=actor
            )


def test_only_responders_go_on_call(mara: User) -> None:
    with pytest.raises(Forbidden):
        actions.set_availability(responder=mara, available=True, lat=34.0, lng=-118.0, actor=mara)


# Nearest responders -------------------------------------------------------------------------


def test_the_nearest_available_responders_covering_the_place_come_first(
    django_assert_max_num_queries,
) -> None:
    incident = make_incident(at=BOYLE_HEIGHTS)
    near = on_call("near", moved(*BOYLE_HEIGHTS, north_m=500))
    nearer = on_call("nearer", moved(*BOYLE_HEIGHTS, east_m=100))
    far_but_wide = on_call("wide", JEFFERSON_HIGH, radius_km=10)
    on_call("too-far", JEFFERSON_HIGH, radius_km=2)  # 5 km away, covers 2 km
    off = on_call("off", BOYLE_HEIGHTS)
    actions.set_availability(responder=off, available=False, actor=off)

    # Two, and one for the dispatch rules of the apps above (hooks.dispatch_refusals:
    # the organizing app's committee-training rule).
    with django_assert_max_num_queries(3):
        found = queries.nearest_available_responders(incident)

    assert [n.responder for n in found] == [nearer, near, far_but_wide]
    assert found[0].distance_km == pytest.approx(0.1, abs=0.05)
    assert found[2].distance_km == pytest.approx(5.6, abs=0.5)


def test_nearest_responders_say_who_was_already_sent(dani: User) -> None:
    incident = make_incident(at=BOYLE_HEIGHTS)
    rosa = on_call("rosa", BOYLE_HEIGHTS)
    on_call("ramon", SANTEE_ALLEY)
    actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)

    found = {
        n.responder.username: n.dispatch_status
        for n in queries.nearest_available_responders(incident)
    }
    assert found == {"rosa": "requested", "ramon": None}


def test_the_console_names_a_dispatchs_state_in_the_readers_language(dani: User) -> None:
    incident = make_incident(at=BOYLE_HEIGHTS)
    rosa = on_call("rosa", BOYLE_HEIGHTS)
    actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)

    page = (
        signed_in(dani)
        .get(f"/console/incidents/{incident.pk}", HTTP_ACCEPT_LANGUAGE="es")
        .content.decode()
    )

    assert "(Solicitado)" in page and "(requested)" not in page


def test_someone_who_is_no_longer_a_responder_is_not_offered() -> None:
    incident = make_incident(at=BOYLE_HEIGHTS)
    former = on_call("former", BOYLE_HEIGHTS)
    former.role = Role.MEMBER
    former.save()
    assert queries.nearest_available_responders(incident) == []


def test_an_incident_without_a_place_has_no_nearest_responders() -> None:
    on_call("rosa", BOYLE_HEIGHTS)
    assert queries.nearest_available_responders(make_incident(at=None)) == []
