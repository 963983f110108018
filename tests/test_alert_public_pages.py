"""The public alert pages: /alerts (alerts in force in the visitor's language,
corrections pinned at the top), /alerts/<id>, and the short link /a/<code> the SMS
carries. No account, no JavaScript, never a test alert or a draft."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from vecinos.accounts.models import User
from vecinos.alerts import messages
from vecinos.alerts.actions import approve_alert, draft_alert, retract_alert
from vecinos.alerts.models import Alert
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(confirmed_incident: Incident, dani: User, diego: User) -> Alert:
    return approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)


def test_the_alerts_page_shows_the_alerts_in_force(published: Alert) -> None:
    response = Client().get("/alerts")
    assert response.status_code == 200
    html = response.content.decode()
    assert "ALERT: Immigration raid near Cesar Chavez Ave &amp; Soto St" in html
    assert f"/alerts/{published.pk}?lang=en" in html
    assert "max-age=60" in response["Cache-Control"]


def test_the_page_speaks_the_browsers_language(published: Alert) -> None:
    html = Client().get("/alerts", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"})
    assert "경보" in html.content.decode()
    assert "Accept-Language" in html["Vary"]


def test_the_language_can_be_chosen_among_the_twelve(published: Alert) -> None:
    html = Client().get("/alerts?lang=fa").content.decode()
    assert 'lang="fa" dir="rtl"' in html
    assert "هشدار" in html
    for code, _ in messages.LANGUAGES:
        assert f'href="/alerts?lang={code}"' in html
    assert 'aria-current="true">فارسی' in html


def test_corrections_are_pinned_above_the_alerts_in_force(
    confirmed_incident: Incident, published: Alert, dani: User, diego: User
) -> None:
    newer = approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)
    retract_alert(alert=published, reason="mistake", actor=dani)
    html = Client().get("/alerts").content.decode()
    assert html.index("CORRECTION") < html.index(f"/alerts/{newer.pk}")
    assert f"/alerts/{published.pk}?" not in html.split("Alerts in force")[1]


def test_the_page_says_so_when_nothing_is_in_force(db: None) -> None:
    assert "No alert is in force right now." in Client().get("/alerts").content.decode()


def test_the_alerts_page_makes_a_fixed_number_of_queries(
    confirmed_incident: Incident, dani: User, diego: User, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        alert = approve_alert(
            alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego
        )
    retract_alert(alert=alert, reason="x", actor=dani)
    with django_assert_max_num_queries(4):
        assert Client().get("/alerts").status_code == 200


def test_an_alert_has_its_own_page_with_its_corrections(published: Alert, dani: User) -> None:
    retract_alert(alert=published, reason="mistake", actor=dani)
    html = Client().get(f"/alerts/{published.pk}?lang=es").content.decode()
    assert "ALERTA" in html
    assert "CORRECCIÓN" in html
    assert "Withdrawn or over" in html
    assert "Know your rights" in html


def test_drafts_and_unknown_alerts_are_404(confirmed_incident: Incident, dani: User) -> None:
    draft = draft_alert(incident=confirmed_incident, actor=dani)
    assert Client().get(f"/alerts/{draft.pk}").status_code == 404
    assert Client().get(f"/alerts/{uuid.uuid4()}").status_code == 404


def test_the_short_link_leads_to_the_alert_page(published: Alert) -> None:
    code = messages.short_code(published.pk)
    response = Client().get(f"/a/{code}")
    assert response.status_code == 302
    assert response["Location"] == f"/alerts/{published.pk}"
    assert Client().get(f"/a/{code.upper()}").status_code == 302


@pytest.mark.parametrize("code", ["unknown", "short", "!!!!!!!!", "a" * 40])
def test_an_unknown_short_link_is_a_404(published: Alert, code: str) -> None:
    if code == "unknown":  # well-formed, and certainly not this alert's
        real = messages.short_code(published.pk)
        code = "aaaaaaaa" if real != "aaaaaaaa" else "bbbbbbbb"
    assert Client().get(f"/a/{code}").status_code == 404


def test_the_sms_link_works_end_to_end(published: Alert) -> None:
    text = messages.render_message(published, language="en", channel="sms").text
    link = next(word for word in text.split() if "/a/" in word)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    follow = Client().get(path, follow=True)
    assert follow.status_code == 200
    assert "Immigration raid" in follow.content.decode()
