"""After signing in, each person lands where their work is, and the header shows
their role's pages: a dispatcher the console, a responder their requests, a
coordinator their committee (or their account page where there is none), a member
their account page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.conftest import PASSWORD, TOTP_SECRET, signed_in, totp_code
from vecinos.accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def land(username: str, *, totp: bool) -> str:
    client = Client()
    response = client.post("/accounts/login/", {"login": username, "password": PASSWORD})
    if totp:
        response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(TOTP_SECRET)})
    assert response.status_code == 302
    return str(response["Location"])


def committee_home() -> str:
    try:
        return reverse("committees:home")
    except NoReverseMatch:
        return "/account/"


@pytest.mark.parametrize(
    ("who", "totp", "where"),
    [
        ("dani", True, "/console"),
        ("ana", True, "/console"),
        ("rosa", False, "/responder"),
        ("mara", False, "/account/"),
    ],
)
def test_each_role_lands_where_its_work_is(
    who: str, totp: bool, where: str, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue(who)
    assert land(who, totp=totp) == where


def test_a_coordinator_lands_on_their_committee(carmen: User) -> None:
    assert land("carmen", totp=True) == committee_home()


def test_a_page_asked_for_wins_over_the_landing(rosa: User) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/?next=/account/", {"login": "rosa", "password": PASSWORD}
    )
    assert response["Location"] == "/account/"


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("dani", ["/console", "/console/alerts"], ["/responder"]),
        ("rosa", ["/responder"], ["/console"]),
        ("mara", [], ["/console", "/responder"]),
    ],
)
def test_the_header_shows_the_roles_pages(
    who: str, shown: list[str], hidden: list[str], request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    html = signed_in(user).get("/account/").content.decode()
    header = html.split("</header>")[0]
    for path in shown:
        assert f'href="{path}"' in header, path
    for path in hidden:
        assert f'href="{path}"' not in header, path
