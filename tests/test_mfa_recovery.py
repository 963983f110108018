"""A dispatcher who loses their phone is not locked out: recovery codes are made when
the authenticator is set up and shown once, the account page never links to a page
that is not there, and an admin (or the operator) can reset the second factor of
someone who lost both; nobody else can."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core.management import call_command
from django.test import Client

from tests.conftest import PASSWORD, signed_in
from vecinos.accounts.models import AccountEvent, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

RECOVERY = "/accounts/2fa/recovery-codes/"


def account_links(client: Client) -> list[str]:
    html = client.get("/account/").content.decode()
    return re.findall(r'href="(/accounts/2fa/[^"]*)"', html)


def test_every_two_factor_link_on_the_account_page_answers(dani: User) -> None:
    client = signed_in(dani)  # an authenticator, no recovery codes yet
    links = account_links(client)
    assert links and RECOVERY not in links
    for link in links:
        assert client.get(link).status_code in {200, 302}, link
    assert "without them, a lost phone locks you out" in client.get("/account/").content.decode()


def test_with_recovery_codes_the_account_page_links_to_them(dani: User) -> None:
    RecoveryCodes.activate(dani)
    client = signed_in(dani)
    assert RECOVERY in account_links(client)


def test_recovery_codes_are_shown_once(dani: User) -> None:
    codes = RecoveryCodes.activate(dani).get_unused_codes()
    client = signed_in(dani)
    asked = client.get(RECOVERY)["Location"]  # allauth asks for the password again
    assert client.post(asked, {"password": PASSWORD})["Location"] == RECOVERY
    assert codes[0] in client.get(RECOVERY).content.decode()
    assert codes[0] not in client.get(RECOVERY).content.decode()


def reset(client: Client, username: str) -> object:
    return client.post("/account/reset-2fa/", {"username": username})


def test_an_admin_resets_the_second_factor_of_someone_who_lost_their_phone(
    ana: User, dani: User
) -> None:
    RecoveryCodes.activate(dani)
    response = reset(signed_in(ana), "DANI")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert not Authenticator.objects.filter(user=dani).exists()
    event = AccountEvent.objects.get(type=AccountEvent.Type.MFA_RESET)
    assert (event.user, event.actor) == (dani, ana)
    # Dani's next visit goes to setting up a new authenticator.
    assert signed_in(dani).get("/console/")["Location"] == "/accounts/2fa/totp/activate/"


def test_an_unknown_username_is_named(ana: User) -> None:
    response = reset(signed_in(ana), "nobody")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "nobody" in response.content.decode()  # type: ignore[attr-defined]


def test_an_admin_cannot_reset_their_own_second_factor_from_the_web(ana: User) -> None:
    assert reset(signed_in(ana), "ana").status_code == 400  # type: ignore[attr-defined]
    assert Authenticator.objects.filter(user=ana).exists()


@pytest.mark.parametrize("who", ["mara", "rosa", "carmen", "olga", "dani"])
def test_no_one_but_an_admin_may_reset_it(
    who: str, request: pytest.FixtureRequest, ana: User
) -> None:
    user = request.getfixturevalue(who)
    assert reset(signed_in(user), "ana").status_code == 404  # type: ignore[attr-defined]
    assert Authenticator.objects.filter(user=ana).exists()
    assert "Someone lost their phone" not in signed_in(user).get("/account/").content.decode()


def test_anonymous_is_sent_to_sign_in(ana: User) -> None:
    response = reset(Client(), "ana")
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert "/accounts/login/" in response["Location"]  # type: ignore[index]
    assert Authenticator.objects.filter(user=ana).exists()


def test_the_operator_resets_it_at_the_command_line(dani: User) -> None:
    out = StringIO()
    call_command("resetmfa", "dani", stdout=out)
    assert "Removed dani's second factor" in out.getvalue()
    assert not Authenticator.objects.filter(user=dani).exists()
