"""The alert buttons work with JavaScript on every page that offers them: a second
dispatcher approves (or cancels) a draft from the list of drafts waiting for
approval, from the alert's own page and from the incident's alert panel, and the
preview on the incident page shows the SMS in every language inside the panel, not a
whole page, without a Content-Security-Policy error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytest_django import Settings

from tests.browser.test_report_to_public_map import Browsing, sign_in_with_code
from tests.factories import make_incident
from vecinos.accounts.models import User
from vecinos.alerts import messages
from vecinos.alerts.actions import draft_alert
from vecinos.alerts.models import Alert, AlertStatus
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


def drafted_by(dani: User) -> Alert:
    incident = make_incident(status=IncidentStatus.CONFIRMED, public_label="Soto St")
    return draft_alert(incident=incident, actor=dani)


@pytest.mark.parametrize("where", ["list", "alert", "incident"])
def test_a_second_dispatcher_approves_a_draft_from_every_page_that_offers_it(
    where: str, browsing: Browsing, live_server: Any, dani: User, diego: User
) -> None:
    alert = drafted_by(dani)
    page = browsing.open(viewport={"width": 1280, "height": 800})
    sign_in_with_code(page, live_server.url, "diego")
    path = {
        "list": "/console/alerts",
        "alert": f"/console/alerts/{alert.pk}",
        "incident": f"/console/incidents/{alert.incident_id}",
    }[where]
    page.goto(live_server.url + path)
    page.click(f"form[action='/console/alerts/{alert.pk}/approve'] button")
    page.wait_for_selector("text=Alert published")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.PUBLISHED
    assert page.url.split("#")[0] == live_server.url + path
    browsing.assert_clean()


@pytest.mark.parametrize("where", ["list", "alert"])
def test_a_draft_is_cancelled_from_the_list_and_the_alert_page(
    where: str, browsing: Browsing, live_server: Any, dani: User
) -> None:
    alert = drafted_by(dani)
    page = browsing.open(viewport={"width": 1280, "height": 800})
    sign_in_with_code(page, live_server.url, "dani")
    path = {"list": "/console/alerts", "alert": f"/console/alerts/{alert.pk}"}[where]
    page.goto(live_server.url + path)
    page.click(f"form[action='/console/alerts/{alert.pk}/cancel'] button")
    page.wait_for_selector("text=Draft cancelled")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CANCELLED
    browsing.assert_clean()


def test_the_preview_on_the_incident_page_stays_inside_the_panel_in_every_language(
    browsing: Browsing, live_server: Any, dani: User
) -> None:
    incident = make_incident(status=IncidentStatus.CONFIRMED, public_label="Soto St")
    page = browsing.open(viewport={"width": 1280, "height": 800})
    sign_in_with_code(page, live_server.url, "dani")
    page.goto(f"{live_server.url}/console/incidents/{incident.pk}")
    page.click("#alerts button[name=preview]")
    page.wait_for_selector("#alerts .preview")
    assert page.locator("#alerts header, #alerts footer, #alerts h1").count() == 0
    assert page.locator("header").count() == 1
    assert page.locator("#alerts .sms-preview").count() == len(messages.LANGUAGES) == 12
    assert Alert.objects.count() == 0
    browsing.assert_clean()
