"""API tokens do not get around the MFA rule: a token for a role that must sign in
with a second factor (admin, coordinator, dispatcher) can only be made, and only
used, while that account has a TOTP authenticator. Responders need none."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import Client

from tests.conftest import give_totp, make_user
from vecinos.accounts.actions import AccountError, create_api_token
from vecinos.accounts.models import ApiToken, Role, User

pytestmark = pytest.mark.django_db


def me(token: str) -> Any:
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.COORDINATOR, Role.ADMIN])
def test_no_token_is_made_for_an_mfa_role_without_mfa(role: str) -> None:
    bare = make_user("bare", role)

    with pytest.raises(AccountError, match="two-factor"):
        create_api_token(user=bare, name="script", actor=bare)
    with pytest.raises(CommandError, match="two-factor"):
        call_command("token", "bare")

    assert not ApiToken.objects.exists()


def test_a_token_stops_working_when_its_mfa_role_loses_mfa(dani: User) -> None:
    _row, token = create_api_token(user=dani, name="script", actor=dani)
    assert me(token).status_code == 200

    Authenticator.objects.filter(user=dani).delete()

    assert me(token).status_code == 401


def test_a_token_of_a_responder_promoted_to_dispatcher_waits_for_mfa(rosa: User) -> None:
    _row, token = create_api_token(user=rosa, name="phone", actor=rosa)
    assert me(token).status_code == 200

    User.objects.filter(pk=rosa.pk).update(role=Role.DISPATCHER)
    assert me(token).status_code == 401

    give_totp(User.objects.get(pk=rosa.pk))
    assert me(token).status_code == 200


def test_with_mfa_set_up_tokens_are_made_and_used(dani: User) -> None:
    _row, token = create_api_token(user=dani, name="script", actor=dani)

    assert me(token).status_code == 200
