"""Forms work under ``Referrer-Policy: no-referrer``.

Browsers then send ``Origin: null`` and no ``Referer`` with a same-origin form POST,
which Django's CSRF check alone would refuse (every form of the site would fail in a
real browser; Django's test client sends neither header, so only these tests see it).
vecinos.core.middleware.SameOriginFormsMiddleware accepts an opaque origin when
``Sec-Fetch-Site`` says same-origin or is absent, and still checks the token."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

HTTPS = {"secure": True, "HTTP_HOST": "vecinos.example.org"}


@pytest.fixture
def site(settings: Any) -> Any:
    settings.ALLOWED_HOSTS = ["vecinos.example.org"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://vecinos.example.org"]
    return settings


def browser_with_token() -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/", **HTTPS).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "the page should carry a CSRF token"
    return client, match.group(1)


def switch_language(client: Client, token: str | None, **headers: str) -> int:
    data = {"language": "es", "next": "/"}
    if token is not None:
        data["csrfmiddlewaretoken"] = token
    return client.post("/i18n/setlang/", data, **HTTPS, **headers).status_code


def test_a_same_origin_form_post_with_origin_null_is_accepted(db: None, site: Any) -> None:
    client, token = browser_with_token()

    status = switch_language(client, token, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin")

    assert status == 302


def test_an_older_browser_without_sec_fetch_site_is_accepted(db: None, site: Any) -> None:
    client, token = browser_with_token()

    assert switch_language(client, token, HTTP_ORIGIN="null") == 302


def test_the_real_origin_still_works(db: None, site: Any) -> None:
    client, token = browser_with_token()

    assert switch_language(client, token, HTTP_ORIGIN="https://vecinos.example.org") == 302


def test_an_opaque_origin_from_another_site_is_refused(db: None, site: Any) -> None:
    client, token = browser_with_token()

    for fetch_site in ["cross-site", "same-site", "none"]:
        status = switch_language(client, token, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE=fetch_site)
        assert status == 403, fetch_site


def test_another_origin_is_refused(db: None, site: Any) -> None:
    client, token = browser_with_token()

    assert switch_language(client, token, HTTP_ORIGIN="https://evil.example") == 403


def test_origin_null_without_the_token_is_refused(db: None, site: Any) -> None:
    client, _ = browser_with_token()

    status = switch_language(client, None, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin")

    assert status == 403


def test_origin_null_with_a_token_that_does_not_match_the_cookie_is_refused(
    db: None, site: Any
) -> None:
    _, token = browser_with_token()
    other_browser, _ = browser_with_token()

    status = switch_language(
        other_browser, token[::-1], HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin"
    )

    assert status == 403
