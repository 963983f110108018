"""Two-factor sign-in: admins, coordinators and dispatchers cannot use Vecinos until
they have an authenticator app, and once they have one, a password alone does not
sign them in."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.test import Client
from pytest_django import Settings

from tests.conftest import PASSWORD, TOTP_SECRET, make_user, totp_code
from vecinos.accounts.models import Role, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

ACTIVATE = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"


@pytest.fixture
def frozen_clock() -> Iterator[None]:
    """The code an authenticator shows changes every 30 s; hold the clock still so a
    test never straddles two codes."""
    with time_machine.travel("2026-11-28 18:00:10+00:00", tick=False):
        yield


def sign_in_with_password(username: str) -> tuple[Client, str]:
    client = Client()
    response = client.post("/accounts/login/", {"login": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client, response["Location"]


def confirm_password(client: Client) -> None:
    """allauth asks for the password again before it shows a new secret (so an
    unattended session cannot be given someone else's authenticator)."""
    response = client.get(ACTIVATE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR, Role.DISPATCHER])
def test_a_role_that_needs_mfa_is_sent_to_set_it_up(role: str) -> None:
    client = Client()
    client.force_login(make_user("nadia", role))
    for page in ("/", "/account/"):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"] == ACTIVATE


@pytest.mark.parametrize("role", [Role.RESPONDER, Role.MEMBER])
def test_a_role_without_mfa_requirement_goes_where_it_asked(role: str) -> None:
    client = Client()
    client.force_login(make_user("nadia", role))
    assert client.get("/account/").status_code == 200


def test_a_dispatcher_with_an_authenticator_goes_where_they_asked(dani: User) -> None:
    client = Client()
    client.force_login(dani)
    assert client.get("/account/").status_code == 200


def test_the_requirement_can_be_relaxed_for_a_small_install(settings: Settings) -> None:
    settings.VECINOS_REQUIRE_MFA = False
    client = Client()
    client.force_login(make_user("nadia", Role.DISPATCHER))
    assert client.get("/account/").status_code == 200


def test_the_setup_pages_and_the_api_are_not_redirected() -> None:
    client = Client()
    client.force_login(make_user("nadia", Role.DISPATCHER))
    # No sign-in was recorded in this session, so allauth asks for the password again
    # before showing a secret; the middleware lets that page through too.
    response = client.get(ACTIVATE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_a_dispatcher_sets_up_an_authenticator_at_first_sign_in(frozen_clock: None) -> None:
    make_user("nadia", Role.DISPATCHER)
    client, location = sign_in_with_password("nadia")
    assert client.get(location)["Location"] == ACTIVATE
    confirm_password(client)

    page = client.get(ACTIVATE)
    assert page.status_code == 200
    html = page.content.decode()
    # The QR code is an image from a data: URL, which the CSP's img-src allows.
    assert re.search(r'<img class="qr" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', html)
    secret = page.context["form"].secret

    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(type=Authenticator.Type.TOTP).count() == 1
    # Recovery codes were made alongside and are shown next.
    recovery = client.get(response["Location"])
    assert recovery.status_code == 200
    assert Authenticator.objects.filter(type=Authenticator.Type.RECOVERY_CODES).count() == 1
    assert client.get("/account/").status_code == 200


def test_a_wrong_code_does_not_turn_on_the_authenticator(frozen_clock: None) -> None:
    make_user("nadia", Role.DISPATCHER)
    client, _ = sign_in_with_password("nadia")
    confirm_password(client)
    response = client.post(ACTIVATE, {"code": "000000"})
    assert response.status_code == 200
    assert not Authenticator.objects.exists()
    assert client.get("/account/")["Location"] == ACTIVATE


def test_a_password_alone_does_not_sign_in_someone_with_an_authenticator(
    dani: User, frozen_clock: None
) -> None:
    client, location = sign_in_with_password("dani")
    assert location == AUTHENTICATE
    assert not is_signed_in(client)
    assert client.get("/account/").status_code == 302

    page = client.get(AUTHENTICATE)
    assert page.status_code == 200
    response = client.post(AUTHENTICATE, {"code": totp_code(TOTP_SECRET)})
    assert response.status_code == 302
    assert is_signed_in(client)
    assert client.get("/account/").status_code == 200


def test_a_wrong_second_factor_does_not_sign_in(dani: User, frozen_clock: None) -> None:
    client, _ = sign_in_with_password("dani")
    response = client.post(AUTHENTICATE, {"code": "000000"})
    assert response.status_code == 200
    assert not is_signed_in(client)


def test_a_recovery_code_stands_in_for_the_authenticator(dani: User) -> None:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(dani).get_unused_codes()
    client, _ = sign_in_with_password("dani")
    client.post(AUTHENTICATE, {"code": codes[0]})
    assert is_signed_in(client)


def test_a_responder_signs_in_with_a_password_alone(rosa: User) -> None:
    client, location = sign_in_with_password("rosa")
    assert location == "/responder"  # where a responder's work is
    assert is_signed_in(client)
