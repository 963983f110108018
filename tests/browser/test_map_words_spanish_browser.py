"""Leaflet's own words follow the page's language: on the Spanish public map the zoom
buttons and the credit link say Spanish (core/leaflet.html, core/leaflet_texts.js)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_the_spanish_map_zooms_and_credits_in_spanish(browser: Any, live_server: Any) -> None:
    context = browser.new_context(locale="es-MX", extra_http_headers={"Accept-Language": "es"})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/map")
        expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Acercar")
        expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("title", "Alejar")
        credit = page.locator(".leaflet-control-attribution a").first
        expect(credit).to_have_attribute(
            "title", "Una biblioteca de JavaScript para mapas interactivos"
        )
        assert "Zoom in" not in page.content()
    finally:
        context.close()
