"""Markup that axe-core flagged on the first raid day: a map whose role forbids
interactive children (Leaflet's zoom buttons inside role="img"), and the installation
banner outside every landmark, with its environment word left in English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import signed_in
from tests.factories import make_incident
from vecinos.accounts.actions import create_api_token
from vecinos.accounts.models import User

pytestmark = pytest.mark.django_db


def test_no_map_uses_a_role_whose_children_are_presentational(dani: User) -> None:
    incident = make_incident()
    pages = [
        Client().get("/map").content.decode(),
        Client().get("/report").content.decode(),
        signed_in(dani).get(f"/console/incidents/{incident.pk}").content.decode(),
    ]
    for html in pages:
        for tag in re.findall(r'<div id="(?:map|report-map)"[^>]*>', html):
            assert 'role="img"' not in tag, tag


def test_the_installation_banner_is_a_labelled_landmark_in_the_visitors_language() -> None:
    html = Client().get("/", headers={"Accept-Language": "es"}).content.decode()
    assert '<aside class="env-banner" aria-label="Sobre esta instalación">' in html
    banner = html.split('class="env-banner"')[1].split("</aside>")[0]
    assert "development" not in banner and "test" not in banner.split(">", 1)[1]


def test_no_list_takes_a_role_that_leaves_its_items_outside_a_list() -> None:
    # role="alert" or "status" on a <ul> makes it no longer a list, and its <li> items
    # orphans (axe: listitem, serious); the live region wraps the list instead.
    templates = Path(__file__).resolve().parent.parent / "vecinos"
    offenders = [
        f"{path.relative_to(templates)}: {tag}"
        for path in templates.rglob("*.html")
        for tag in re.findall(r"<(?:ul|ol)\b[^>]*\brole=[^>]*>", path.read_text())
    ]
    assert not offenders, offenders


def test_a_flash_message_is_a_list_inside_a_live_region(rosa: User) -> None:
    token, _plaintext = create_api_token(user=rosa, name="old", actor=rosa)
    client = signed_in(rosa)
    html = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True).content.decode()
    assert re.search(r'<div role="status"><ul class="messages">\s*<li', html), html[:2000]
