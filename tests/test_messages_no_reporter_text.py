"""Nothing a reporter wrote ever reaches an alert: not the SMS, the email, the push,
the public pages, the API or the CAP feed. Alerts are made of structured fields and
the label staff wrote."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import submit
from tests.servers.subscribers import make_subscription
from vecinos.accounts.models import User
from vecinos.alerts.actions import approve_alert, draft_alert
from vecinos.alerts.messages import render_message
from vecinos.alerts.models import Alert
from vecinos.alerts.phrases import BOOKS
from vecinos.reports import actions as reports

pytestmark = pytest.mark.django_db

SECRETS = ["REPORTER-DESCRIPTION", "REPORTER-PLACE", "RESPONDER-NOTES"]


@pytest.fixture
def alert(dani: User, diego: User) -> Alert:
    report = submit(
        description="Agent REPORTER-DESCRIPTION at 1234 Private Lane",
        place="REPORTER-PLACE corner",
    )
    incident = report.incident
    reports.verify_incident(
        incident=incident, outcome="confirmed", notes="RESPONDER-NOTES", actor=dani
    )
    reports.set_public_label(incident=incident, label="Cesar Chavez Ave & Soto St", actor=dani)
    incident.refresh_from_db()
    make_subscription()
    return approve_alert(alert=draft_alert(incident=incident, actor=dani), actor=diego)


def test_no_message_in_any_language_or_channel_carries_reporter_text(alert: Alert) -> None:
    subscription = make_subscription(channel="email")
    for language in BOOKS:
        for channel in ("sms", "email", "webpush", "web"):
            message = render_message(
                alert, language=language, channel=channel, subscription=subscription
            )
            whole = " ".join([message.subject, message.text, message.html or "", message.url])
            for secret in SECRETS:
                assert secret not in whole, (language, channel)


def test_no_public_page_feed_or_api_carries_reporter_text(alert: Alert) -> None:
    client = Client()
    for path in [
        "/alerts",
        f"/alerts/{alert.pk}",
        "/api/v1/alerts?lang=es",
        "/feeds/alerts.cap",
        f"/feeds/alerts/{alert.pk}.cap",
        "/feeds/alerts.atom",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.content.decode()
        assert "Cesar Chavez Ave" in content or path == "/feeds/alerts.cap", path
        for secret in SECRETS:
            assert secret not in content, path
