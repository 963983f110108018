"""A dispatcher picks a known place in the browser: as they type, the place field
suggests the network's known places (from the server, nothing from a third party),
and the picked one locates the incident."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytest_django import Settings

from tests.browser.test_report_to_public_map import Browsing, sign_in_with_code
from tests.factories import MARIACHI_PLAZA, make_incident
from vecinos.accounts.models import User
from vecinos.reports.models import IncidentStatus

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browsing(
    browser: Any, live_server: Any, settings: Settings, fresh_cache: None
) -> Iterator[Browsing]:
    settings.VECINOS_TILE_URL = f"{live_server.url}/tiles/{{z}}/{{x}}/{{y}}.png"
    session = Browsing(browser, live_server.url)
    yield session
    session.close()


def test_a_dispatcher_picks_a_suggested_place(
    browsing: Browsing, live_server: Any, dani: User
) -> None:
    make_incident(at=MARIACHI_PLAZA, public_label="Mariachi Plaza")
    wordy = make_incident(at=None, status=IncidentStatus.CONFIRMED)
    page = browsing.open(viewport={"width": 1280, "height": 800})
    sign_in_with_code(page, live_server.url, "dani")
    page.goto(f"{live_server.url}/console/incidents/{wordy.pk}")

    page.locator("#place-query").press_sequentially("maria", delay=20)
    page.wait_for_selector("#place-list option[value='Mariachi Plaza']", state="attached")
    page.fill("#place-query", "Mariachi Plaza")
    page.click("#place button[type=submit]")
    page.wait_for_selector("text=The incident is on the map at Mariachi Plaza.")

    wordy.refresh_from_db()
    assert (wordy.lat, wordy.lng, wordy.public_label) == (*MARIACHI_PLAZA, "Mariachi Plaza")
    browsing.assert_clean()
