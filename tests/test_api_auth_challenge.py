"""A 401 of the API says how to authenticate (RFC 9110 and RFC 6750): a
``WWW-Authenticate: Bearer realm="vecinos"`` challenge, with ``error="invalid_token"``
when a bearer token was sent and is not accepted, and nothing more that would tell
which tokens exist."""

from __future__ import annotations

import pytest
from django.test import Client

from vecinos.accounts.actions import create_api_token, revoke_api_token
from vecinos.accounts.models import User

pytestmark = pytest.mark.django_db

STAFF_PATHS = ["/api/v1/me", "/api/v1/incidents"]
CHALLENGE = 'Bearer realm="vecinos"'
INVALID = 'Bearer realm="vecinos", error="invalid_token"'


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_a_call_without_a_token_is_challenged_without_an_error(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE
    assert response.json() == {"detail": "Unauthorized", "errors": []}


@pytest.mark.parametrize("header", ["Basic cm9zYTpwYXNzd29yZA==", "Token vec_x", "Bearer ", ""])
def test_a_call_with_another_scheme_or_an_empty_token_gets_the_plain_challenge(
    header: str,
) -> None:
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE


@pytest.mark.parametrize("token", ["garbage", "vec_00000000_" + "A" * 43, "vec_" + "x" * 500])
def test_a_wrong_token_is_an_invalid_token(token: str) -> None:
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == INVALID


def test_a_revoked_token_gets_the_same_challenge_as_an_unknown_one(rosa: User) -> None:
    token, plaintext = create_api_token(user=rosa, name="", actor=rosa)
    revoke_api_token(token=token, actor=rosa)
    response = Client().get("/api/v1/incidents", HTTP_AUTHORIZATION=f"bearer {plaintext}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == INVALID


def test_a_good_token_is_not_challenged(rosa: User) -> None:
    _token, plaintext = create_api_token(user=rosa, name="", actor=rosa)
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == 200
    assert "WWW-Authenticate" not in response


def test_public_endpoints_challenge_nobody() -> None:
    response = Client().get("/api/v1/alerts")
    assert response.status_code == 200
    assert "WWW-Authenticate" not in response
