"""Before anyone approves an alert, the drafter (in the preview) and the approver (on
the draft) see whom it would reach: how many subscribers, by channel and by language;
an alert that would reach nobody says so."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import signed_in
from tests.factories import JEFFERSON_HIGH
from tests.servers.subscribers import make_subscription
from vecinos.accounts.models import User
from vecinos.alerts import queries
from vecinos.alerts.actions import draft_alert
from vecinos.alerts.models import SubscriptionStatus
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribers(db: None) -> None:
    for _ in range(6):
        make_subscription(language="es")
    for _ in range(3):
        make_subscription(channel="email", language="en")
    make_subscription(channel="email", language="ko")
    make_subscription(status=SubscriptionStatus.STOPPED)  # no longer reached
    make_subscription(at=JEFFERSON_HIGH, radius_km=0.5)  # outside the area


def test_the_reach_counts_active_subscribers_of_the_area_by_channel_and_language(
    subscribers: None, confirmed_incident: Incident, dani: User
) -> None:
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    reach = queries.reach(alert.cells)
    assert reach.total == 10
    assert reach.by_channel == {"sms": 6, "email": 4}
    assert reach.by_language == [("Español", 60), ("English", 30), ("한국어", 10)]


def test_the_approver_sees_the_reach_on_the_draft(
    subscribers: None, confirmed_incident: Incident, dani: User, diego: User
) -> None:
    draft_alert(incident=confirmed_incident, actor=dani)
    for page in ("/console/alerts", f"/console/incidents/{confirmed_incident.pk}"):
        html = signed_in(diego).get(page).content.decode()
        assert "Would reach 10 subscribers now (SMS 6, email 4)" in html, page
        assert "Español 60 %, English 30 %" in html


def test_the_drafter_sees_the_reach_in_the_preview(
    subscribers: None, confirmed_incident: Incident, dani: User
) -> None:
    response = signed_in(dani).post(
        f"/console/incidents/{confirmed_incident.pk}/alerts",
        {"radius_km": "2", "place_label": "Soto St", "preview": "1"},
        headers={"HX-Request": "true"},
    )
    assert "Would reach 10 subscribers now" in response.content.decode()


def test_an_alert_that_would_reach_nobody_says_so(confirmed_incident: Incident, dani: User) -> None:
    client: Client = signed_in(dani)
    response = client.post(
        f"/console/incidents/{confirmed_incident.pk}/alerts",
        {"radius_km": "2", "place_label": "Soto St", "preview": "1"},
    )
    assert "This alert would reach nobody" in response.content.decode()
    draft_alert(incident=confirmed_incident, actor=dani)
    assert "This alert would reach nobody" in client.get("/console/alerts").content.decode()


def test_the_list_of_drafts_counts_its_queries(
    subscribers: None,
    confirmed_incident: Incident,
    dani: User,
    diego: User,
    django_assert_max_num_queries: object,
) -> None:
    for _ in range(3):
        draft_alert(incident=confirmed_incident, actor=dani)
    client = signed_in(diego)
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        client.get("/console/alerts")
