"""No page sends anyone's position or address to a third party. Every request the
browser makes on the report form (after "Use my location"), the public map and the
dispatcher's console and incident page is recorded; any origin but the site's fails
the test: with no tile source (the default) and with the site's tile proxy on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from pytest_django import Settings

from tests.browser.conftest import PHONE
from tests.browser.test_report_to_public_map import sign_in_with_code
from tests.factories import MARIACHI_PLAZA, make_incident
from tests.servers.tiles import TileServer
from vecinos.accounts.models import User
from vecinos.reports.models import IncidentStatus

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["no tiles", "tile proxy"])
def tile_source(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Any
) -> Iterator[TileServer | None]:
    settings.DATA_DIR = tmp_path
    if request.param == "no tiles":  # the default configuration
        yield None
        return
    server = TileServer().start()
    settings.VECINOS_TILE_UPSTREAM = server.template
    settings.VECINOS_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    yield server
    server.stop()


def watched(browser: Any, base: str, **options: Any) -> tuple[Any, Any, list[str], list[str]]:
    context = browser.new_context(**options)
    page = context.new_page()
    foreign: list[str] = []
    errors: list[str] = []
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((base + "/", "data:", "blob:")) else foreign.append(r.url)
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, foreign, errors


def test_no_page_asks_anyone_but_the_site(
    browser: Any, live_server: Any, tile_source: TileServer | None, dani: User, fresh_cache: None
) -> None:
    base = live_server.url
    incident = make_incident(status=IncidentStatus.CONFIRMED, public_label="Soto St")

    context, page, foreign, errors = watched(
        browser,
        base,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        permissions=["geolocation"],
        geolocation={"latitude": MARIACHI_PLAZA[0], "longitude": MARIACHI_PLAZA[1]},
    )
    page.goto(f"{base}/report")
    page.click("#report-locate")
    expect(page.locator("#id_lat")).not_to_have_value("")
    page.wait_for_timeout(1500)  # the close-up tiles of "my location" load
    assert page.locator(".leaflet-container").count() == 1  # the map works
    page.goto(f"{base}/map")
    page.wait_for_timeout(1500)
    assert page.locator(".leaflet-container").count() == 1
    context.close()

    console, desk, desk_foreign, desk_errors = watched(
        browser, base, viewport={"width": 1280, "height": 800}
    )
    sign_in_with_code(desk, base, "dani")
    desk.goto(f"{base}/console")
    desk.goto(f"{base}/console/incidents/{incident.pk}")
    desk.wait_for_timeout(1500)
    assert desk.locator(".leaflet-container").count() == 1
    console.close()

    assert foreign == [] and desk_foreign == []
    assert errors == [] and desk_errors == []
    if tile_source is not None:
        # The tiles came through the site: the upstream was asked by the server.
        assert tile_source.requests
