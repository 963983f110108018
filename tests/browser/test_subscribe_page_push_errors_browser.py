"""The subscribe page in Chromium shows only what applies: no "stop" button without a
subscription in this browser, the distance only for a located point, and a push
failure in the page's words, never the browser's raw English message."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True)]

# The browser grants notifications but its push service fails, as on a phone without
# one; the message is the browser's own (English, technical).
FAILING_PUSH = """
Notification.requestPermission = function () { return Promise.resolve("granted"); };
PushManager.prototype.getSubscription = function () { return Promise.resolve(null); };
PushManager.prototype.subscribe = function () {
  return Promise.reject(new DOMException("Registration failed - push service error", "AbortError"));
};
"""


def open_page(browser: Any, live_server: Any, locale: str, **options: Any) -> Any:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale=locale, **options)
    page = context.new_page()
    page.goto(f"{live_server.url}/alerts/subscribe")
    return context, page


def test_stop_alerts_shows_only_when_this_browser_has_a_subscription(
    browser: Any, live_server: Any
) -> None:
    context, page = open_page(browser, live_server, "en-US")
    try:
        expect(page.locator("#push-subscribe")).to_be_visible()
        expect(page.locator("#push-stop")).to_be_hidden()
    finally:
        context.close()


def test_the_distance_shows_only_once_the_location_is_used(browser: Any, live_server: Any) -> None:
    context, page = open_page(
        browser,
        live_server,
        "en-US",
        permissions=["geolocation"],
        geolocation={"latitude": 34.0403, "longitude": -118.2093},
    )
    try:
        page.fill("[name=zip_code]", "90033")
        expect(page.locator("[name=radius_km]")).to_be_hidden()
        page.click("#locate")
        expect(page.locator("[name=radius_km]")).to_be_visible()
        page.fill("[name=zip_code]", "90022")
        expect(page.locator("[name=radius_km]")).to_be_hidden()
        expect(page.locator("[name=lat]")).to_have_value("")
    finally:
        context.close()


def test_a_push_failure_is_told_in_spanish_not_in_the_browsers_english(
    browser: Any, live_server: Any
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-US")
    context.add_init_script(FAILING_PUSH)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/alerts/subscribe")
        page.fill("[name=zip_code]", "90033")
        page.click("#push-subscribe")
        status = page.locator("#push-status")
        expect(status).to_have_text(
            "No funcionó. Vuelva a intentarlo, o use SMS o correo electrónico."
        )
        assert "Registration failed" not in status.inner_text()
    finally:
        context.close()
