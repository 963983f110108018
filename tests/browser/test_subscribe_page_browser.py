"""The subscribe page in Chromium: "use my location" subscribes by point and radius
(the point itself is not stored), and the service worker registers for the whole site."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from vecinos.alerts.models import Subscription

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_use_my_location_subscribes_by_point_and_radius(browser: Any, live_server: Any) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        permissions=["geolocation"],
        geolocation={"latitude": 34.0403, "longitude": -118.2093},
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/alerts/subscribe")
        page.click("#locate")
        # Not wait_for_function: it evaluates a string in the page, which our CSP refuses.
        expect(page.locator("[name=lat]")).not_to_have_value("")
        page.select_option("[name=radius_km]", "5")
        page.fill("[name=address]", "213 555 0100")
        page.click("#subscribe-form button[type=submit]")
        page.wait_for_url("**/confirm")
    finally:
        context.close()

    subscription = Subscription.objects.get()
    assert subscription.area_text == "5 km around a point"
    assert subscription.status == "pending"


def test_the_service_worker_registers_for_the_whole_site(browser: Any, live_server: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/alerts/subscribe")
        assert page.is_visible("#push-slot")
        scope = page.evaluate(
            "navigator.serviceWorker.ready.then(function (r) { return r.scope; })"
        )
    finally:
        context.close()

    assert scope == f"{live_server.url}/"
