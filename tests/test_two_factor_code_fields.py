"""The two-factor code fields bring up a phone's number pad and take a code the phone
offers (inputmode numeric, autocomplete one-time-code)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import PASSWORD, make_user
from tests.test_accounts_pages import signed_in_recently
from vecinos.accounts.models import Role, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def code_input(html: str) -> str:
    match = re.search(r'<input[^>]*name="code"[^>]*>', html)
    assert match, "no code field"
    return match.group(0)


def assert_numeric_one_time_code(html: str) -> None:
    field = code_input(html)
    assert 'inputmode="numeric"' in field
    assert 'autocomplete="one-time-code"' in field


def test_the_sign_in_code_field_is_numeric(dani: User) -> None:
    client = Client()
    client.post("/accounts/login/", {"login": "dani", "password": PASSWORD})

    assert_numeric_one_time_code(client.get("/accounts/2fa/authenticate/").content.decode())


def test_the_authenticator_setup_code_field_is_numeric() -> None:
    client = signed_in_recently(make_user("nadia", Role.DISPATCHER))

    assert_numeric_one_time_code(client.get("/accounts/2fa/totp/activate/").content.decode())


def test_the_reauthentication_code_field_is_numeric(dani: User) -> None:
    client = Client()
    client.force_login(dani)

    html = client.get("/accounts/2fa/reauthenticate/").content.decode()

    assert_numeric_one_time_code(html)
