"""Sign-in lock-out is not a denial of service. Wrong passwords lock out the client
that sends them, for that account; a flood from many clients puts the account under
watch, where each client that already failed gets no more tries, but the person on
their own phone, with their password (and their code, where the role needs one),
still gets in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.conftest import PASSWORD, TOTP_SECRET, totp_code
from tests.factories import submit
from vecinos.accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

LOGIN = "/accounts/login/"
AUTHENTICATE = "/accounts/2fa/authenticate/"


@pytest.fixture
def frozen_clock() -> Iterator[None]:
    # Mid-window for the hourly and five-minute limits, and mid-way through a TOTP step.
    with time_machine.travel("2026-11-28 18:32:10+00:00", tick=False):
        yield


def flood(username: str, clients: int = 5, tries: int = 5) -> None:
    """Wrong passwords from many clients: 25 failures, over ACCOUNT_LOGIN_FAILED_RATE."""
    for n in range(clients):
        client = Client(REMOTE_ADDR=f"198.51.{n // 250}.{n % 250 + 1}")
        for _ in range(tries):
            client.post(LOGIN, {"login": username, "password": "wrong guess"})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_dispatcher_with_password_and_code_gets_in_after_a_flood(
    dani: User, frozen_clock: None
) -> None:
    flood("dani")

    mine = Client(REMOTE_ADDR="203.0.113.5")
    response = mine.post(LOGIN, {"login": "dani", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == AUTHENTICATE
    mine.post(AUTHENTICATE, {"code": totp_code(TOTP_SECRET)})

    assert signed_in(mine)


def test_a_responder_gets_in_from_her_own_phone_after_a_flood(
    rosa: User, frozen_clock: None
) -> None:
    flood("rosa")

    mine = Client(REMOTE_ADDR="203.0.113.5")
    mine.post(LOGIN, {"login": "rosa", "password": PASSWORD})

    assert signed_in(mine)


def test_under_watch_a_client_that_failed_gets_no_more_guesses(
    rosa: User, frozen_clock: None
) -> None:
    flood("rosa")  # the account is now under watch
    attacker = Client(REMOTE_ADDR="198.51.100.200")
    attacker.post(LOGIN, {"login": "rosa", "password": "wrong guess"})

    response = attacker.post(LOGIN, {"login": "rosa", "password": PASSWORD})

    assert not signed_in(attacker)
    assert "Too many failed login attempts" in response.content.decode()


def test_five_failures_still_lock_the_client_that_made_them(rosa: User, settings: Any) -> None:
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(5):
        attacker.post(LOGIN, {"login": "rosa", "password": "wrong guess"})

    attacker.post(LOGIN, {"login": "rosa", "password": PASSWORD})

    assert not signed_in(attacker)


# Staff usernames are not shown to others ---------------------------------------------------


def test_a_responder_sees_display_names_never_a_dispatchers_username(
    rosa: User, dani: User
) -> None:
    from vecinos.accounts.actions import create_api_token
    from vecinos.reports.actions import dispatch_responders

    dani.display_name = "Dani (Boyle Heights)"
    dani.save()
    incident = submit().incident
    dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    _row, token = create_api_token(user=rosa, name="phone", actor=rosa)

    response = Client().get(
        f"/api/v1/incidents/{incident.pk}", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert '"dani"' not in body
    assert "Dani (Boyle Heights)" in body


def test_a_dispatcher_still_sees_usernames_to_dispatch_by(
    rosa: User, dani: User, diego: User
) -> None:
    from vecinos.accounts.actions import create_api_token
    from vecinos.reports.actions import dispatch_responders

    incident = submit().incident
    dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    _row, token = create_api_token(user=diego, name="script", actor=diego)

    body = (
        Client()
        .get(
            f"/api/v1/incidents/{incident.pk}",
            headers={"Authorization": f"Bearer {token}"},
        )
        .json()
    )

    assert body["dispatches"][0]["responder"] == "rosa"


def test_without_a_display_name_others_see_the_role_and_a_number(dani: User) -> None:
    assert dani.shown_name == f"Dispatcher {dani.pk}"
    assert "dani" not in dani.shown_name
