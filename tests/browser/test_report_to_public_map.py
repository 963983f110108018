"""From a sighting to the public map, in Chromium: an anonymous reporter on a small
phone sends the form; dani, signed in with her second factor on a desktop, sees the
incident appear in her queue without reloading and dispatches rosa; rosa, on her
phone, acknowledges and files "confirmed"; an anonymous visitor's map then shows the
incident, coarsened to its cell, without a word the reporter wrote.

Every page is watched: no Content-Security-Policy violation, no uncaught script error,
and no request to any host but the test server (map tiles are served from it too).
Waits go through locators, never ``wait_for_function`` with a string: the page's
policy forbids eval, and Playwright polls such a string with it.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pytest_django import Settings

from tests.browser.conftest import PHONE, sign_in
from tests.conftest import PASSWORD
from tests.factories import BOYLE_HEIGHTS, MARIACHI_PLAZA
from vecinos.accounts.models import User
from vecinos.reports.models import Dispatch, Incident, IncidentStatus, Report

pytestmark = [pytest.mark.django_db(transaction=True)]

PLACE = "Cesar Chavez Ave & Soto St, by the bakery"
DESCRIPTION = "Three grey vans, agents in vests stopping people at the bus stop"
NOTES = "Two vans still at the corner when I arrived"

# A 1-pixel transparent PNG: every map tile, so that maps draw without a tile server.
TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
CSP_WORDS = ("content security policy", "content-security-policy")


class Browsing:
    """Browser contexts on the live server, each page watched for what must not happen."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[Any] = []
        self.csp_errors: list[str] = []
        self.script_errors: list[str] = []
        self.foreign_requests: list[str] = []

    def open(self, **options: Any) -> Any:
        """A new context (its own cookies: another person) and its page."""
        context = self.browser.new_context(**options)
        self.contexts.append(context)
        context.route(
            re.compile(r"/tiles/\d+/\d+/\d+\.png$"),
            lambda route: route.fulfill(status=200, content_type="image/png", body=TILE_PNG),
        )
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        page.on("request", self._request)
        return page

    def _console(self, message: Any) -> None:
        if any(word in message.text.lower() for word in CSP_WORDS):
            self.csp_errors.append(f"{message.type}: {message.text}")

    def _request(self, request: Any) -> None:
        url = request.url
        if not url.startswith((self.base_url + "/", "data:", "blob:")):
            self.foreign_requests.append(url)

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def assert_clean(self) -> None:
        assert self.csp_errors == []
        assert self.script_errors == []
        assert self.foreign_requests == []


@pytest.fixture
def browsing(
    browser: Any, live_server: Any, settings: Settings, fresh_cache: None
) -> Iterator[Browsing]:
    # Tiles come from the test server itself (and are answered by the route above), so
    # a map makes no request anywhere else.
    settings.VECINOS_TILE_URL = f"{live_server.url}/tiles/{{z}}/{{x}}/{{y}}.png"
    session = Browsing(browser, live_server.url)
    yield session
    session.close()


def sign_in_with_code(page: Any, base_url: str, username: str) -> None:
    """Sign in through the real pages with the authenticator's code. A code typed in the
    last moments of its 30-second step could reach the server in the next one (no
    tolerance is configured), so wait for a fresh step then."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.2)
    sign_in(page, base_url, username, PASSWORD, totp=True)
    page.wait_for_url(lambda url: "/accounts/login" not in url and "/2fa/" not in url)


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_report_from_a_phone_reaches_the_public_map_once_a_responder_confirms_it(
    browsing: Browsing, live_server: Any, dani: User, rosa: User
) -> None:
    base = live_server.url

    # Rosa, on her phone, goes on call where she is, a kilometre from the corner.
    responder = browsing.open(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        permissions=["geolocation"],
        geolocation={"latitude": MARIACHI_PLAZA[0], "longitude": MARIACHI_PLAZA[1]},
    )
    sign_in(responder, base, "rosa", PASSWORD, totp=False)
    responder.goto(f"{base}/responder")
    responder.click("#use-location")
    expect(responder.locator("#lat")).not_to_have_value("")
    responder.check("input[name=available]")
    responder.click("#availability-form button[type=submit]")
    responder.wait_for_selector(".messages .success")
    assert rosa.availability.is_available  # type: ignore[attr-defined]

    # Dani watches the live queue on her desktop.
    console = browsing.open(viewport={"width": 1280, "height": 800})
    sign_in_with_code(console, base, "dani")
    console.goto(f"{base}/console")
    assert console.locator("#queue li.card").count() == 0
    # The stream is open (and subscribed) once the page says it is live.
    status = console.locator("#live-status")
    expect(status).to_have_text(status.get_attribute("data-live") or "-")
    console.evaluate("window.vecinosNotReloaded = true")

    # An anonymous reporter on a 360 px phone, in Spanish, reports a raid: the place in
    # words and the point from "use my location".
    reporter = browsing.open(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="es-US",
        permissions=["geolocation"],
        geolocation={"latitude": BOYLE_HEIGHTS[0], "longitude": BOYLE_HEIGHTS[1]},
    )
    reporter.goto(f"{base}/report")
    assert reporter.get_attribute("html", "lang") == "es"
    assert reporter.is_visible("#report-map")
    assert fits_the_screen(reporter)
    reporter.check("input[name=kind][value=raid]")
    reporter.fill("input[name=place]", PLACE)
    reporter.click("#report-locate")
    expect(reporter.locator("#id_lat")).not_to_have_value("")
    reporter.check("input[name=agencies][value=ice]")
    reporter.fill("input[name=vehicles]", "3")
    reporter.fill("textarea[name=description]", DESCRIPTION)
    reporter.click("button.report-submit")
    reporter.wait_for_url(f"{base}{reverse('report_thanks')}")
    assert fits_the_screen(reporter)

    report = Report.objects.get()
    assert (round(report.lat, 4), round(report.lng, 4)) == BOYLE_HEIGHTS
    assert report.place == PLACE and report.language == "es"
    incident = report.incident
    incident_url = reverse("console_incident", args=[incident.pk])

    # The incident appears in dani's queue by itself: same page, never reloaded.
    console.wait_for_selector(f"#queue a[href='{incident_url}']", timeout=15_000)
    assert console.evaluate("window.vecinosNotReloaded") is True
    assert console.url == f"{base}/console"
    assert console.locator("#queue li.card").count() == 1

    # Dani opens it: rosa is offered as available nearby; she dispatches her.
    console.click(f"#queue a[href='{incident_url}']")
    console.wait_for_url(f"{base}{incident_url}")
    console.check("fieldset input[name=responders][value=rosa]")
    console.click(f"form[action='{incident_url}/dispatch'] button[type=submit]")
    console.wait_for_selector("#live .badge.dispatched")
    console.evaluate("window.vecinosNotReloaded = true")
    dispatch = Dispatch.objects.get(incident=incident, responder=rosa)

    # Rosa sees the request, says she is going, then files what she found.
    responder.goto(f"{base}/responder")
    responder.click(f"form[action='{reverse('responder_acknowledge', args=[dispatch.pk])}'] button")
    responder.wait_for_url(f"{base}{reverse('responder_dispatch', args=[dispatch.pk])}")
    responder.check("input[name=outcome][value=confirmed]")
    responder.fill("#notes", NOTES)
    responder.fill("#vehicles", "2")
    responder.click(f"form[action='{reverse('responder_outcome', args=[dispatch.pk])}'] button")
    responder.wait_for_selector(".badge.completed")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CONFIRMED

    # Dani's incident page follows along without a reload.
    console.wait_for_selector("#live .badge.confirmed", timeout=15_000)
    assert console.evaluate("window.vecinosNotReloaded") is True

    # Anyone's public map shows it: in the list and as an area on the map, coarse.
    visitor = browsing.open(viewport=PHONE, is_mobile=True, has_touch=True)
    with visitor.expect_response(lambda r: r.url.endswith(".geojson")) as geojson:
        visitor.goto(f"{base}/map")
    collection = geojson.value.json()
    visitor.wait_for_selector("#map path.leaflet-interactive")
    assert visitor.locator("#map path.leaflet-interactive").count() == 1
    cards = visitor.locator("section[aria-labelledby=list-title] li.card")
    assert cards.count() == 1
    assert cards.first.locator(".badge.confirmed").count() == 1
    assert fits_the_screen(visitor)

    [feature] = collection["features"]
    assert feature["id"] == str(incident.pk)
    assert feature["geometry"]["type"] == "Polygon"
    published = visitor.content() + geojson.value.text()
    exact = Incident.objects.get(pk=incident.pk)
    for secret in (
        PLACE,
        "bakery",
        DESCRIPTION,
        NOTES,
        f"{report.lat:.4f}",
        f"{report.lng:.4f}",
        f"{exact.lat:.4f}",
        f"{exact.lng:.4f}",
    ):
        assert secret not in published

    browsing.assert_clean()


def test_the_report_form_works_without_javascript_on_a_small_phone(
    browsing: Browsing, live_server: Any, dani: User
) -> None:
    base = live_server.url
    reporter = browsing.open(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="es-US", java_script_enabled=False
    )
    reporter.goto(f"{base}/report")
    assert not reporter.is_visible("#report-map-slot")
    box = reporter.locator("form.report-form").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    reporter.check("input[name=kind][value=checkpoint]")
    reporter.fill("input[name=place]", "Whittier Blvd & Atlantic Blvd")
    reporter.click("button.report-submit")
    reporter.wait_for_url(f"{base}{reverse('report_thanks')}")

    report = Report.objects.get()
    assert report.lat is None and report.place == "Whittier Blvd & Atlantic Blvd"
    incident_url = reverse("console_incident", args=[report.incident_id])

    # In dani's queue it is flagged: a dispatcher has to place it.
    console = browsing.open(viewport={"width": 1280, "height": 800})
    sign_in_with_code(console, base, "dani")
    console.goto(f"{base}/console")
    card = console.locator("#queue li.card", has=console.locator(f"a[href='{incident_url}']"))
    assert card.locator(".flag").count() == 1
    assert report.incident.needs_location

    browsing.assert_clean()
