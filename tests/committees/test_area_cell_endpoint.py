"""The area picker asks the server which cell is under a tap and its outline (the
browser has no H3): coordinators and admins get it, bad input gets a 400 naming it."""

from __future__ import annotations

import h3
import pytest

from tests.conftest import signed_in
from tests.factories import BOYLE_HEIGHTS
from vecinos.accounts.models import User
from vecinos.committees.models import Committee, Membership, MembershipRole
from vecinos.core import geo

URL = "/committees/area-cell/"


@pytest.fixture
def coordinator(carmen: User) -> User:
    committee = Committee.objects.create(name="Boyle Heights", slug="boyle-heights")
    Membership.objects.create(committee=committee, user=carmen, role=MembershipRole.COORDINATOR)
    return carmen


def test_a_coordinator_gets_the_resolution_8_cell_and_its_outline(coordinator: User) -> None:
    answer = signed_in(coordinator).get(URL, {"lat": BOYLE_HEIGHTS[0], "lng": BOYLE_HEIGHTS[1]})

    assert answer.status_code == 200
    body = answer.json()
    cell = h3.latlng_to_cell(BOYLE_HEIGHTS[0], BOYLE_HEIGHTS[1], geo.RESOLUTION)
    assert body["cell"] == cell and h3.get_resolution(body["cell"]) == 8
    expected = [[round(a, 6), round(b, 6)] for a, b in h3.cell_to_boundary(cell)]
    assert body["boundary"] == expected and len(expected) == 6


def test_an_admin_gets_it_too(ana: User) -> None:
    assert signed_in(ana).get(URL, {"lat": "34.05", "lng": "-118.25"}).status_code == 200


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({}, "lat"),
        ({"lat": "34.05"}, "lng"),
        ({"lat": "north", "lng": "-118.25"}, "lat"),
        ({"lat": "34.05", "lng": "1e999"}, "lng"),
        ({"lat": "nan", "lng": "-118.25"}, "lat"),
        ({"lat": "91", "lng": "-118.25"}, "lat"),
        ({"lat": "34.05", "lng": "-181"}, "lng"),
    ],
)
def test_bad_input_is_a_400_that_names_it(
    coordinator: User, query: dict[str, str], named: str
) -> None:
    answer = signed_in(coordinator).get(URL, query)

    assert answer.status_code == 400
    assert named in answer.json()["error"]


@pytest.mark.parametrize("name", ["mara", "rosa", "dani"])
def test_people_who_draw_no_area_are_refused(name: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(name)
    assert signed_in(user).get(URL, {"lat": "34.05", "lng": "-118.25"}).status_code == 403


def test_a_stranger_is_sent_to_sign_in(client) -> None:
    answer = client.get(URL, {"lat": "34.05", "lng": "-118.25"})
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
