"""The network's hotline is on every public page; an alert page also lists the hotlines
of the committees whose area the alert touches."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import Settings

from vecinos.accounts.models import User
from vecinos.alerts.actions import approve_alert, draft_alert
from vecinos.committees.models import Committee
from vecinos.directory.models import Hotline
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/", "/rights/es/door", "/legal-help/", "/alerts", "/report", "/rights/plan"]
)
def test_the_network_hotline_is_on_every_public_page(settings: Settings, path: str) -> None:
    settings.VECINOS_HOTLINE = "(213) 555-0100"
    html = Client().get(path).content.decode()
    assert 'href="tel:2135550100"' in html, path


def test_without_a_configured_number_the_directory_hotline_is_shown() -> None:
    Hotline.objects.create(label="Red de respuesta", phone="(323) 555-0177")
    html = Client().get("/rights/es/").content.decode()
    assert "Red de respuesta" in html and 'href="tel:3235550177"' in html


def test_an_alert_page_lists_the_hotlines_of_the_committees_it_touches(
    confirmed_incident: Incident, dani: User, diego: User, settings: Settings
) -> None:
    settings.VECINOS_HOTLINE = "(213) 555-0100"
    alert = approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)
    near = Committee.objects.create(
        name="Comité Boyle Heights", slug="bh", kind="neighborhood", area_cells=alert.cells[:3]
    )
    far = Committee.objects.create(name="Far away", slug="far", kind="school", area_cells=[1])
    Hotline.objects.create(committee=near, phone="(323) 555-0110")
    Hotline.objects.create(committee=far, phone="(323) 555-0999")
    html = Client().get(f"/alerts/{alert.pk}").content.decode()
    assert "Comité Boyle Heights" in html and "(323) 555-0110" in html
    assert "(323) 555-0999" not in html
