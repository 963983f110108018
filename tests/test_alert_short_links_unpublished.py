"""``/a/<code>`` leads only to alerts the public may see: the short link of a draft,
a cancelled alert or a test alert answers 404, like an unknown code, and never
redirects to its id."""

from __future__ import annotations

import pytest
from django.test import Client

from vecinos.accounts.models import User
from vecinos.alerts import messages
from vecinos.alerts.actions import approve_alert, cancel_alert, draft_alert
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db


def short(alert_id: object) -> str:
    return f"/a/{messages.short_code(alert_id)}"


def test_a_drafts_short_link_is_404(confirmed_incident: Incident, dani: User) -> None:
    draft = draft_alert(incident=confirmed_incident, actor=dani)

    response = Client().get(short(draft.pk))

    assert response.status_code == 404
    assert str(draft.pk) not in response.content.decode()


def test_a_cancelled_alerts_short_link_is_404(confirmed_incident: Incident, dani: User) -> None:
    draft = cancel_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=dani)

    assert Client().get(short(draft.pk)).status_code == 404


def test_a_published_test_alerts_short_link_is_404(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    test = approve_alert(
        alert=draft_alert(incident=confirmed_incident, test=True, actor=dani), actor=diego
    )
    assert test.status == "published"

    assert Client().get(short(test.pk)).status_code == 404


def test_a_published_alerts_short_link_still_leads_to_it(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    alert = approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)

    response = Client().get(short(alert.pk))

    assert response.status_code == 302
    assert response["Location"] == f"/alerts/{alert.pk}"
