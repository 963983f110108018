"""allauth's pages (sign-in, sign-out, two-factor, recovery codes) wear our layout and
keep to the Content-Security-Policy: nothing inline that it would block."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.test import Client
from django.test.client import Client as ClientType
from django.urls import reverse

from tests.conftest import PASSWORD, make_user
from vecinos.accounts.models import Role, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def assert_our_page(html: str) -> None:
    """Rendered inside base.html, with no inline style or script."""
    assert 'class="skip" href="#main"' in html
    assert "/static/vecinos/site.css" in html
    assert '<main id="main"' in html
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    for tag in re.findall(r"<script\b[^>]*>", html):
        # Only external scripts from our origin, or data blocks that never run.
        assert "src=" in tag or 'type="application/json"' in tag, tag


def get_page(client: ClientType, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    assert_our_page(html)
    return html


def signed_in_recently(user: User) -> Client:
    """A session that signed in with a password just now (as allauth records it)."""
    client = Client()
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302
    reauth = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert reauth.status_code == 302
    return client


def test_the_sign_in_page_is_ours_and_does_not_invite_sign_ups() -> None:
    html = get_page(Client(), "/accounts/login/")
    assert 'name="login"' in html and 'name="password"' in html
    assert "/accounts/signup/" not in html
    assert "sign up" not in html.lower()


def test_a_wrong_password_is_refused_with_a_message(rosa: User) -> None:
    response = Client().post("/accounts/login/", {"login": "rosa", "password": "nope nope"})
    assert response.status_code == 200
    assert_our_page(response.content.decode())
    assert "_auth_user_id" not in response.client.session


def test_the_sign_out_page_is_ours_and_signs_out(rosa: User) -> None:
    client = Client()
    client.force_login(rosa)
    html = get_page(client, "/accounts/logout/")
    assert 'action="/accounts/logout/"' in html
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_the_second_factor_page_is_ours(dani: User) -> None:
    client = Client()
    client.post("/accounts/login/", {"login": "dani", "password": PASSWORD})
    html = get_page(client, "/accounts/2fa/authenticate/")
    assert 'name="code"' in html


def test_the_authenticator_setup_page_is_ours_with_its_qr_code() -> None:
    client = signed_in_recently(make_user("nadia", Role.DISPATCHER))
    html = get_page(client, "/accounts/2fa/totp/activate/")
    qr = re.search(
        r'<img class="qr" src="(data:image/svg\+xml;base64,[^"]+)"[^>]*alt="([^"]+)"', html
    )
    assert qr, "QR code image"
    assert 'name="code"' in html


def test_the_two_factor_settings_page_is_ours(dani: User) -> None:
    client = Client()
    client.force_login(dani)
    html = get_page(client, reverse("mfa_index"))
    assert reverse("mfa_deactivate_totp") in html


def test_the_recovery_code_pages_are_ours(dani: User) -> None:
    codes = RecoveryCodes.activate(dani).get_unused_codes()
    client = Client()
    client.post("/accounts/login/", {"login": "dani", "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    html = get_page(client, reverse("mfa_view_recovery_codes"))
    assert codes[1] in html and codes[0] not in html
    html = get_page(client, reverse("mfa_generate_recovery_codes"))
    assert "<form" in html


def test_the_reauthentication_page_is_ours(rosa: User) -> None:
    client = Client()
    client.force_login(rosa)
    html = get_page(client, "/accounts/reauthenticate/")
    assert 'name="password"' in html


def test_the_password_change_page_is_ours(rosa: User) -> None:
    client = Client()
    client.force_login(rosa)
    get_page(client, "/accounts/password/change/")


def test_sign_up_is_closed_to_everyone() -> None:
    client = Client()
    html = get_page(client, "/accounts/signup/")
    assert 'name="password1"' not in html
    response = client.post(
        "/accounts/signup/",
        {"username": "intruder", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code in (200, 403)
    assert not User.objects.filter(username="intruder").exists()


def test_the_sign_in_page_follows_the_language_switcher() -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    html = get_page(client, "/accounts/login/")
    assert '<html lang="es"' in html


def test_the_password_reset_form_mails_no_stranger() -> None:
    mail.outbox = []
    client = Client()
    get_page(client, "/accounts/password/reset/")
    response = client.post("/accounts/password/reset/", {"email": "stranger@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_the_password_reset_form_mails_a_person_with_an_account(rosa: User) -> None:
    rosa.email = "rosa@example.org"
    rosa.save()
    mail.outbox = []
    Client().post("/accounts/password/reset/", {"email": "rosa@example.org"})
    assert [message.to for message in mail.outbox] == [["rosa@example.org"]]
