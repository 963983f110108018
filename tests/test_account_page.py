"""The account page: who you are, your second factor, and your API tokens, which you
make (shown once) and revoke with plain forms."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from tests.conftest import make_user, signed_in
from vecinos.accounts.actions import create_api_token
from vecinos.accounts.models import AccountEvent, ApiToken, Role, User

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r'value="(vec_[0-9a-f]{8}_[A-Za-z0-9_-]+)"')


def test_an_anonymous_visitor_is_sent_to_sign_in() -> None:
    response = Client().get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_shows_the_person_their_role_and_second_factor(dani: User) -> None:
    response = signed_in(dani).get("/account/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "dani" in html and "Dispatcher" in html
    assert "On (authenticator app)" in html
    assert "/accounts/2fa/" in html
    assert response["Cache-Control"] == "no-store"


def test_a_responder_without_a_second_factor_is_offered_one(rosa: User) -> None:
    html = signed_in(rosa).get("/account/").content.decode()
    assert "/accounts/2fa/totp/activate/" in html


def test_a_member_sees_no_token_section(mara: User) -> None:
    html = signed_in(mara).get("/account/").content.decode()
    assert "API tokens" not in html
    assert "/account/tokens/" not in html


def test_making_a_token_shows_it_once(rosa: User) -> None:
    client = signed_in(rosa)
    response = client.post("/account/tokens/", {"name": "field phone"})
    assert response.status_code == 200
    html = response.content.decode()
    match = TOKEN_RE.search(html)
    assert match, "the new token is on the page"
    plaintext = match.group(1)
    assert "will not be shown again" in html
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (rosa, "field phone")
    # And it works, as the token of rosa.
    api = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.json()["username"] == "rosa"
    # Back on the page it is listed by prefix, never in full.
    html = client.get("/account/").content.decode()
    assert f"vec_{token.prefix}_" in html
    assert plaintext not in html
    assert "field phone" in html


def test_a_token_needs_csrf_protection(rosa: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(rosa)
    assert client.post("/account/tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_too_long_name_is_refused_clearly(rosa: User) -> None:
    response = signed_in(rosa).post("/account/tokens/", {"name": "x" * 101})
    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_name_with_control_characters_is_refused_clearly(rosa: User) -> None:
    response = signed_in(rosa).post("/account/tokens/", {"name": "field\x00phone"})
    assert response.status_code == 400
    assert "Remove the control characters" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_member_cannot_make_a_token(mara: User) -> None:
    response = signed_in(mara).post("/account/tokens/", {"name": "x"})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_a_dispatcher_without_a_second_factor_cannot_make_a_token() -> None:
    client = signed_in(make_user("nadia", Role.DISPATCHER))
    response = client.post("/account/tokens/", {"name": "x"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert not ApiToken.objects.exists()


def test_making_a_token_by_get_is_not_allowed(rosa: User) -> None:
    assert signed_in(rosa).get("/account/tokens/").status_code == 405


def test_revoking_a_token_from_the_page(rosa: User) -> None:
    token, plaintext = create_api_token(user=rosa, name="old", actor=rosa)
    client = signed_in(rosa)
    response = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AccountEvent.objects.filter(type=AccountEvent.Type.TOKEN_REVOKED, actor=rosa).exists()
    html = client.get("/account/").content.decode()
    assert "Revoked" in html
    assert f"/account/tokens/{token.pk}/revoke/" not in html
    api = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.status_code == 401


def test_nobody_revokes_someone_elses_token_from_the_page(
    rosa: User, dani: User, ana: User
) -> None:
    token, _ = create_api_token(user=rosa, name="", actor=rosa)
    for user in (dani, ana):
        assert signed_in(user).post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_an_unknown_token_is_a_404(rosa: User) -> None:
    assert signed_in(rosa).post("/account/tokens/999999/revoke/").status_code == 404


def test_the_page_lists_tokens_in_a_fixed_number_of_queries(
    rosa: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for number in range(5):
        create_api_token(user=rosa, name=f"t{number}", actor=rosa)
    client = signed_in(rosa)
    client.get("/account/")  # warm the session
    # Session, user, the two second-factor checks, the tokens, the header's "My tasks"
    # check and the footer's hotlines: none grows with the number of tokens.
    with django_assert_max_num_queries(7):
        html = client.get("/account/").content.decode()
    assert html.count("/revoke/") == 5
