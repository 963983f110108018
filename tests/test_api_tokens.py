"""API tokens: made for staff only, stored only as a digest, revocable, and accepted
by the API as ``Authorization: Bearer <token>`` until revoked or expired."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings

from vecinos.accounts.actions import AccountError, create_api_token, revoke_api_token
from vecinos.accounts.models import AccountEvent, ApiToken, User

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# Making and keeping tokens ----------------------------------------------------------------


def test_a_token_looks_like_vec_prefix_secret(rosa: User) -> None:
    token, plaintext = create_api_token(user=rosa, name="phone", actor=rosa)
    assert re.fullmatch(r"vec_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", plaintext)
    assert plaintext.startswith(f"vec_{token.prefix}_")


def test_only_the_sha256_digest_of_a_token_is_stored(rosa: User) -> None:
    token, plaintext = create_api_token(user=rosa, name="phone", actor=rosa)
    assert token.digest == hashlib.sha256(plaintext.encode()).hexdigest()
    # The secret is everything after "vec_<prefix>_"; it may itself hold "_".
    secret = plaintext.split("_", 2)[2]
    assert len(secret) == 43
    # Look at every column of every row of every table, as a thief with a copy would.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from the schema
            for row in cursor.fetchall():
                for value in row:
                    text = (
                        bytes(value).decode(errors="replace")
                        if isinstance(value, bytes | memoryview)
                        else str(value)
                    )
                    assert secret not in text, f"the token's secret is in {table}"


def test_a_token_expires_after_the_configured_days(rosa: User, settings: Settings) -> None:
    settings.VECINOS_API_TOKEN_DAYS = 30
    token, _ = create_api_token(user=rosa, name="", actor=rosa)
    assert token.expires_at is not None
    assert token.expires_at - token.created_at == dt.timedelta(days=30)


@pytest.mark.parametrize("name", ["ana", "carmen", "dani", "rosa"])
def test_staff_may_have_tokens(name: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(name)
    token, _ = create_api_token(user=user, name="", actor=user)
    assert token.user == user


def test_a_member_may_not_have_a_token(mara: User) -> None:
    with pytest.raises(AccountError):
        create_api_token(user=mara, name="", actor=mara)
    assert not ApiToken.objects.exists()
    assert not AccountEvent.objects.exists()


def test_nobody_makes_a_token_for_someone_else_but_an_admin(
    rosa: User, dani: User, ana: User
) -> None:
    with pytest.raises(AccountError):
        create_api_token(user=rosa, name="", actor=dani)
    token, _ = create_api_token(user=rosa, name="", actor=ana)
    assert token.user == rosa


def test_making_a_token_leaves_an_audit_row_without_the_secret(rosa: User) -> None:
    token, plaintext = create_api_token(user=rosa, name="phone", actor=rosa)
    event = AccountEvent.objects.get()
    assert (event.type, event.user, event.actor) == (
        AccountEvent.Type.TOKEN_CREATED,
        rosa,
        rosa,
    )
    assert event.data == {"prefix": token.prefix, "name": "phone"}
    assert plaintext.split("_", 2)[2] not in str(event.data)


def test_revoking_a_token_records_it_once(rosa: User) -> None:
    token, _ = create_api_token(user=rosa, name="phone", actor=rosa)
    revoke_api_token(token=token, actor=rosa)
    revoke_api_token(token=token, actor=rosa)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AccountEvent.objects.filter(type=AccountEvent.Type.TOKEN_REVOKED).count() == 1


def test_nobody_revokes_someone_elses_token_but_an_admin(rosa: User, dani: User, ana: User) -> None:
    token, _ = create_api_token(user=rosa, name="", actor=rosa)
    with pytest.raises(AccountError):
        revoke_api_token(token=token, actor=dani)
    token.refresh_from_db()
    assert token.revoked_at is None
    revoke_api_token(token=token, actor=ana)
    token.refresh_from_db()
    assert token.revoked_at is not None


# Bearer authentication --------------------------------------------------------------------


def test_the_api_accepts_a_fresh_token(rosa: User) -> None:
    _, plaintext = create_api_token(user=rosa, name="", actor=rosa)
    response = Client().get(ME, **bearer(plaintext))
    assert response.status_code == 200
    assert response.json() == {"username": "rosa", "role": "responder"}
    assert response["Cache-Control"] == "no-store"


def test_the_api_refuses_a_missing_token(rosa: User) -> None:
    assert Client().get(ME).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ",
        "Bearer garbage",
        "Bearer vec_00000000_" + "A" * 43,
        "Bearer vec_" + "x" * 500,
        "Basic cm9zYTpwYXNzd29yZA==",
        "Token vec_00000000_abc",
    ],
)
def test_the_api_refuses_a_garbage_token(rosa: User, header: str) -> None:
    response = Client().get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_the_api_refuses_a_revoked_token(rosa: User) -> None:
    token, plaintext = create_api_token(user=rosa, name="", actor=rosa)
    revoke_api_token(token=token, actor=rosa)
    assert Client().get(ME, **bearer(plaintext)).status_code == 401


def test_the_api_refuses_an_expired_token(rosa: User) -> None:
    token, plaintext = create_api_token(user=rosa, name="", actor=rosa)
    with time_machine.travel(token.expires_at + dt.timedelta(seconds=1)):  # type: ignore[operator]
        assert Client().get(ME, **bearer(plaintext)).status_code == 401
    with time_machine.travel(token.expires_at - dt.timedelta(minutes=1)):  # type: ignore[operator]
        assert Client().get(ME, **bearer(plaintext)).status_code == 200


def test_the_api_refuses_the_token_of_a_deactivated_account(rosa: User) -> None:
    _, plaintext = create_api_token(user=rosa, name="", actor=rosa)
    User.objects.filter(pk=rosa.pk).update(is_active=False)
    assert Client().get(ME, **bearer(plaintext)).status_code == 401


def test_the_api_refuses_the_token_of_someone_no_longer_staff(rosa: User) -> None:
    _, plaintext = create_api_token(user=rosa, name="", actor=rosa)
    User.objects.filter(pk=rosa.pk).update(role="member")
    assert Client().get(ME, **bearer(plaintext)).status_code == 401


def test_a_session_cookie_does_not_open_the_token_api(rosa: User) -> None:
    client = Client()
    client.force_login(rosa)
    assert client.get(ME).status_code == 401


def test_last_use_is_recorded_as_a_day_at_most_once_a_day(
    rosa: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    token, plaintext = create_api_token(user=rosa, name="", actor=rosa)
    client = Client()
    assert client.get(ME, **bearer(plaintext)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_on == timezone.localdate()
    # The second request of the day reads the token and writes nothing.
    with django_assert_num_queries(1):
        assert client.get(ME, **bearer(plaintext)).status_code == 200
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with time_machine.travel(tomorrow):
        assert client.get(ME, **bearer(plaintext)).status_code == 200
        token.refresh_from_db()
        assert token.last_used_on == timezone.localdate()


def test_the_openapi_document_declares_bearer_auth_on_me() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    assert document["paths"]["/api/v1/me"]["get"]["security"] == [{"TokenAuth": []}]
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
