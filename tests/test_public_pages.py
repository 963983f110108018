"""The public map and rumor control: no account, only what responders checked,
coarsened to the H3 cell, never a reporter's words; light, without third-party
requests, and working without JavaScript."""

from __future__ import annotations

import gzip
import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from tests.factories import BOYLE_HEIGHTS, JEFFERSON_HIGH, SANTEE_ALLEY, make_incident, submit
from vecinos.accounts.models import User
from vecinos.core import geo
from vecinos.reports import actions
from vecinos.reports.models import Incident, Kind

pytestmark = pytest.mark.django_db

SECRET_WORDS = "Agents took the neighbour at number 412"
PAGE_BUDGET = 60 * 1024


def checked(
    dani: User,
    outcome: str,
    *,
    at: tuple[float, float] = BOYLE_HEIGHTS,
    label: str = "",
    kind: str = Kind.RAID,
) -> Incident:
    report = submit(at=at, kind=kind, place="In front of 412 Soto St", description=SECRET_WORDS)
    incident = report.incident
    if label:
        actions.set_public_label(incident=incident, label=label, actor=dani)
    actions.verify_incident(incident=incident, outcome=outcome, actor=dani)
    incident.refresh_from_db()
    return incident


def local_time(moment) -> str:  # type: ignore[no-untyped-def]
    return timezone.localtime(moment).strftime("%H:%M")


# The map ----------------------------------------------------------------------------------


def test_the_map_lists_confirmed_incidents_only(dani: User) -> None:
    confirmed = checked(dani, "confirmed", label="Cesar Chavez Ave & Soto St")
    false = checked(dani, "false", at=SANTEE_ALLEY, label="Santee Alley")
    unconfirmed = checked(dani, "unconfirmed", at=JEFFERSON_HIGH, label="Jefferson High")
    new = submit(at=JEFFERSON_HIGH, kind=Kind.PATROL).incident

    html = Client().get("/map").content.decode()

    assert "Cesar Chavez Ave &amp; Soto St" in html
    assert "Santee Alley" not in html
    assert "Jefferson High" not in html
    for hidden in (false, unconfirmed, new):
        assert hidden.pk.hex[:8] not in html
    assert confirmed.pk.hex[:8] not in html  # no ids on the page at all


def test_the_map_never_shows_what_a_reporter_wrote_or_where_exactly(dani: User) -> None:
    incident = checked(dani, "confirmed")
    html = Client().get("/map").content.decode()
    assert SECRET_WORDS not in html
    assert "412 Soto" not in html
    assert f"{incident.lat:.4f}" not in html  # the centroid of the reports
    centre = geo.cell_center(incident.cell)  # type: ignore[arg-type]
    assert f"{centre[0]:.2f}, {centre[1]:.2f}" in html  # the cell's centre, coarse


def test_incidents_confirmed_then_closed_stay_for_a_day_then_go(dani: User) -> None:
    incident = checked(dani, "confirmed", label="Soto St")
    actions.close_incident(incident=incident, actor=dani)
    html = Client().get("/map").content.decode()
    assert "Soto St" in html and "no longer active" in html

    two_days_ago = timezone.now() - timedelta(days=2)
    Incident.objects.filter(pk=incident.pk).update(
        first_seen_at=two_days_ago, last_seen_at=two_days_ago, verified_at=two_days_ago
    )
    assert "Soto St" not in Client().get("/map").content.decode()


def test_a_confirmation_corrected_to_false_leaves_the_map(dani: User) -> None:
    incident = checked(dani, "confirmed", label="Soto St")
    actions.verify_incident(incident=incident, outcome="false", actor=dani)
    assert "Soto St" not in Client().get("/map").content.decode()
    assert "Soto St" in Client().get("/rumors").content.decode()


def test_an_incident_merged_away_is_not_shown_twice(dani: User) -> None:
    first = checked(dani, "confirmed", label="First")
    second = make_incident(at=SANTEE_ALLEY, status="confirmed", public_label="Second")
    actions.merge_incidents(source=first, into=second, actor=dani)
    html = Client().get("/map").content.decode()
    assert "First" not in html


def test_the_map_works_without_javascript(dani: User) -> None:
    checked(dani, "confirmed", label="Soto St")
    html = Client().get("/map").content.decode()
    assert re.search(r'<div id="map" class="map" hidden', html)  # JavaScript reveals it
    assert "<ol" in html and "Soto St" in html
    assert "No enforcement has been confirmed" not in html


def test_an_empty_map_says_so(db: None) -> None:
    html = Client().get("/map").content.decode()
    assert "No enforcement has been confirmed in the last 24 hours." in html


def test_public_pages_may_be_cached_briefly_by_anyone(db: None) -> None:
    for url in ["/map", "/rumors"]:
        response = Client().get(url)
        assert response.status_code == 200
        assert "max-age=60" in response["Cache-Control"]
        assert "Set-Cookie" not in response or "sessionid" not in response["Set-Cookie"]


# Rumor control ----------------------------------------------------------------------------


def test_rumor_control_lists_what_was_checked_and_not_confirmed_newest_first(dani: User) -> None:
    older = checked(dani, "unconfirmed", label="Cesar Chavez Ave & Soto St")
    Incident.objects.filter(pk=older.pk).update(verified_at=older.verified_at - timedelta(hours=1))  # type: ignore[operator]
    older.refresh_from_db()
    newer = checked(dani, "false", at=SANTEE_ALLEY, label="Santee Alley")
    checked(dani, "confirmed", at=JEFFERSON_HIGH, label="Jefferson High")

    html = Client().get("/rumors").content.decode()

    assert (
        f"No enforcement confirmed at Cesar Chavez Ave &amp; Soto St, checked at "
        f"{local_time(older.verified_at)}"
    ) in html
    checked_at = local_time(newer.verified_at)
    assert f"no enforcement at Santee Alley; the report was false. Checked at {checked_at}" in html
    assert html.index("Santee Alley") < html.index("Cesar Chavez")
    assert "Jefferson High" not in html
    assert SECRET_WORDS not in html and "412 Soto" not in html


def test_rumor_control_names_a_coarse_area_when_there_is_no_label(dani: User) -> None:
    incident = checked(dani, "false")
    centre = geo.cell_center(incident.cell)  # type: ignore[arg-type]
    html = Client().get("/rumors").content.decode()
    assert f"no enforcement at {centre[0]:.2f}, {centre[1]:.2f}" in html


def test_rumor_control_keeps_a_week(dani: User) -> None:
    incident = checked(dani, "false", label="Santee Alley")
    Incident.objects.filter(pk=incident.pk).update(verified_at=timezone.now() - timedelta(days=8))
    assert "Santee Alley" not in Client().get("/rumors").content.decode()


def test_the_home_page_links_to_the_public_pages(db: None) -> None:
    html = Client().get("/").content.decode()
    assert 'href="/map"' in html
    assert 'href="/rumors"' in html


# Weight and third parties -----------------------------------------------------------------


def page_weight(html: str) -> int:
    """The page and every script and stylesheet it loads, gzip-compressed."""
    total = len(gzip.compress(html.encode(), 9))
    for path in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        found = finders.find(path)
        assert found, path
        with open(found, "rb") as handle:
            total += len(gzip.compress(handle.read(), 9))
    return total


@pytest.mark.parametrize("url", ["/map", "/rumors"])
def test_public_pages_weigh_under_60_kb_compressed(dani: User, url: str) -> None:
    for n in range(20):
        checked(
            dani,
            "confirmed" if n % 2 else "false",
            at=(BOYLE_HEIGHTS[0] + n * 0.01, BOYLE_HEIGHTS[1]),
            label=f"Corner number {n}",
        )
    html = Client().get(url).content.decode()
    assert "Corner number" in html
    assert page_weight(html) <= PAGE_BUDGET


@pytest.mark.parametrize("url", ["/map", "/rumors"])
def test_public_pages_load_nothing_from_third_parties(dani: User, url: str, settings) -> None:
    checked(dani, "confirmed", label="Soto St")
    html = Client().get(url).content.decode()
    for attribute in re.findall(r'(?:src|href|action)="([^"]*)"', html):
        assert not attribute.startswith(("http:", "https:", "//")), attribute
    if url == "/map":
        assert f'data-tiles="{settings.VECINOS_TILE_URL}"' in html
        # Tiles come from the site, the operator's server or nowhere (core/tiles.py).
        assert "openstreetmap" not in html
    assert "<script>" not in html
    assert "style=" not in html
