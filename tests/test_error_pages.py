"""The 403, 404 and 500 pages are the site's own: in its layout, translated, with a
way back; the demo never shows Django's technical pages; /favicon.ico answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from tests.conftest import signed_in
from vecinos.accounts.models import User

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Page not found"), ("es", "Página no encontrada")]
)
def test_the_404_page_is_in_the_layout_and_the_visitors_language(language: str, title: str) -> None:
    response = Client().get("/no/such/page", headers={"Accept-Language": language})
    html = response.content.decode()
    assert response.status_code == 404
    assert title in html
    assert 'class="site-header"' in html and 'href="/"' in html
    assert f'lang="{language}"' in html


def test_the_403_page_is_in_the_layout_and_translated(rosa: User) -> None:
    client = signed_in(rosa)
    response = client.get("/console", headers={"Accept-Language": "es"})
    assert response.status_code in {403, 404}
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "No permitido" in html or "Página no encontrada" in html
    assert "Forbidden" not in html


def test_the_500_page_stands_alone_in_the_sites_style() -> None:
    with translation.override("en"):
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and "Algo salió mal" in html
    assert "site.css" in html


def test_the_favicon_is_served() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO


def test_make_demo_runs_without_debug_and_as_a_demo() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "demo: export VECINOS_DEBUG ?= false" in makefile
    assert "demo: export VECINOS_DEMO ?= true" in makefile
