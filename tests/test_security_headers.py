"""Security headers on every response, and no-store on anything personal
(docs/architecture.md, "How a request flows")."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from tests.conftest import signed_in
from vecinos.accounts.models import User
from vecinos.core.middleware import SecurityHeadersMiddleware

PUBLIC_PAGES = ["/", "/report", "/map", "/rumors", "/accounts/login/", "/healthz", "/readyz"]
OTHER_RESPONSES = ["/no-such-page/", "/api/v1/openapi.json", "/api/v1/no-such-thing"]


def assert_security_headers(response: HttpResponse) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, response
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize("path", PUBLIC_PAGES + OTHER_RESPONSES)
def test_every_response_carries_the_security_headers(db: None, path: str) -> None:
    response = Client().get(path)

    assert response.status_code < 500
    assert_security_headers(response)


def test_errors_and_api_posts_carry_them_too(db: None) -> None:
    client = Client()
    responses = [
        client.post("/api/v1/reports", "{not json", content_type="application/json"),
        client.post("/api/v1/reports", json.dumps({"kind": "nope"}), content_type="text/plain"),
        client.get("/", HTTP_HOST="evil.example"),
        client.delete("/"),
    ]

    for response in responses:
        assert 400 <= response.status_code < 500, response
        assert_security_headers(response)


def test_signed_in_pages_carry_them_and_are_not_stored(rosa: User) -> None:
    client = signed_in(rosa)

    for path in ["/", "/account/", "/rumors"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response)
        assert "no-store" in response.headers["Cache-Control"], path


def test_a_public_page_may_be_kept_by_the_browser(db: None) -> None:
    for path in ["/", "/rumors"]:
        cache_control = Client().get(path).headers["Cache-Control"]

        assert "no-store" not in cache_control, path
        # The page carries a CSRF cookie for its forms: no shared cache may keep it.
        assert "private" in cache_control, path


def test_a_public_response_without_cookies_may_be_shared(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")

    assert not response.cookies
    assert "no-store" not in response.headers["Cache-Control"]
    assert "private" not in response.headers["Cache-Control"]


def test_every_post_is_not_stored(db: None) -> None:
    client = Client()
    responses = [
        client.post("/i18n/setlang/", {"language": "es", "next": "/"}),
        client.post("/accounts/login/", {"login": "nobody", "password": "wrong password"}),
        client.post("/api/v1/reports", "{}", content_type="application/json"),
    ]

    for response in responses:
        assert "no-store" in response.headers["Cache-Control"], response


def test_signing_in_sets_a_session_cookie_on_a_response_that_is_not_stored(mara: User) -> None:
    from tests.conftest import PASSWORD

    response = Client().post("/accounts/login/", {"login": "mara", "password": PASSWORD})

    assert response.status_code == 302
    assert "sessionid" in response.cookies
    assert response.headers["Cache-Control"] == "no-store"


def run(view_response: HttpResponse, *, method: str = "get", user: Any = None) -> HttpResponse:
    request: HttpRequest = getattr(RequestFactory(), method)("/somewhere")
    if user is not None:
        request.user = user
    return SecurityHeadersMiddleware(lambda request: view_response)(request)


def test_a_response_that_sets_a_cookie_is_not_stored() -> None:
    response = HttpResponse("hello")
    response.set_cookie("messages", "you are subscribed")
    response["Cache-Control"] = "max-age=600, public"
    response["Expires"] = "Fri, 01 May 2026 10:00:00 GMT"

    result = run(response)

    assert result.headers["Cache-Control"] == "no-store"
    assert "Expires" not in result.headers


def test_a_view_can_mark_its_response_personal() -> None:
    response = HttpResponse("your subscriptions")
    response.vecinos_personal = True  # type: ignore[attr-defined]

    assert run(response).headers["Cache-Control"] == "no-store"


def test_a_public_response_keeps_its_own_caching_and_gets_no_cache_by_default() -> None:
    cached = HttpResponse("map")
    cached["Cache-Control"] = "max-age=60"

    assert run(cached).headers["Cache-Control"] == "max-age=60"
    assert run(HttpResponse("home")).headers["Cache-Control"] == "no-cache"
    assert run(HttpResponse("home"), method="head").headers["Cache-Control"] == "no-cache"


def test_static_files_carry_the_headers_that_matter_for_them(db: None) -> None:
    response = Client().get("/static/vecinos/site.css")

    assert response.status_code == 200
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
