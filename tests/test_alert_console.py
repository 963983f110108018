"""The console's alert controls: the panel on an incident's page, drafting with a
preview of the SMS, approving (another dispatcher), cancelling, retracting, and the
list of drafts waiting for approval. Plain forms work without JavaScript; htmx gets
the panel back."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import signed_in
from tests.factories import make_incident
from tests.servers.subscribers import make_subscription
from vecinos.accounts.models import User
from vecinos.alerts.actions import approve_alert, draft_alert
from vecinos.alerts.models import Alert, AlertKind, AlertStatus
from vecinos.reports.models import Incident, IncidentStatus

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def page(client: Client, incident: Incident) -> str:
    response = client.get(f"/console/incidents/{incident.pk}")
    assert response.status_code == 200
    return response.content.decode()


# The panel -------------------------------------------------------------------------------


def test_a_confirmed_incident_offers_the_draft_form(
    confirmed_incident: Incident, dani: User
) -> None:
    html = page(signed_in(dani), confirmed_incident)
    assert 'id="alerts"' in html
    assert f'action="/console/incidents/{confirmed_incident.pk}/alerts"' in html
    assert 'name="radius_km"' in html and 'name="note"' in html and 'name="test"' in html
    assert 'for="alert-radius"' in html and 'for="alert-note"' in html


def test_an_incident_not_yet_confirmed_offers_no_draft(dani: User) -> None:
    incident = make_incident(status=IncidentStatus.DISPATCHED)
    html = page(signed_in(dani), incident)
    assert 'id="alerts"' in html
    assert '/alerts"' not in html.split('id="alerts"')[1].split("</section>")[0].replace(
        'href="/console/alerts"', ""
    )
    assert "once the incident is confirmed" in html


def test_the_panel_shows_status_approvals_and_delivery_counts(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    make_subscription()
    make_subscription(channel="email")
    alert = approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)
    html = page(signed_in(dani), confirmed_incident)
    assert alert.pk.hex[:8] in html
    assert "Published" in html
    assert "Approved by: diego" in html
    assert "2 messages" in html
    assert "SMS: 1 queued" in html and "Email: 1 queued" in html
    assert f'action="/console/alerts/{alert.pk}/retract"' in html


# Drafting --------------------------------------------------------------------------------


def test_drafting_without_javascript_redirects_back_to_the_incident(
    confirmed_incident: Incident, dani: User
) -> None:
    client = signed_in(dani)
    response = client.post(
        f"/console/incidents/{confirmed_incident.pk}/alerts",
        {"radius_km": "1,5", "note": "Abogados en camino"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/console/incidents/{confirmed_incident.pk}#alerts"
    alert = Alert.objects.get()
    assert (alert.radius_km, alert.note, alert.is_test) == (1.5, "Abogados en camino", False)
    assert "Another dispatcher must approve it" in page(client, confirmed_incident)


def test_drafting_with_htmx_returns_the_panel_with_sms_previews(
    confirmed_incident: Incident, dani: User
) -> None:
    response = signed_in(dani).post(
        f"/console/incidents/{confirmed_incident.pk}/alerts", {"radius_km": "2"}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="alerts"')
    assert "Alert drafted" in html
    assert "English" in html and "Español" in html and "简体中文" in html
    assert "1 segment" in html
    assert "GSM-7" in html and "UCS-2" in html
    assert "Waiting for another dispatcher to approve." in html  # dani drafted it


def test_the_preview_button_shows_the_messages_and_saves_nothing(
    confirmed_incident: Incident, dani: User
) -> None:
    response = signed_in(dani).post(
        f"/console/incidents/{confirmed_incident.pk}/alerts",
        {"radius_km": "2", "note": "Lawyers coming", "test": "1", "preview": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing has been saved or sent" in html
    assert "TEST ALERT" in html  # the test-mode SMS says so
    assert 'value="Lawyers coming"' in html  # the form comes back filled in
    assert not Alert.objects.exists()


def test_a_test_alert_is_drafted_from_the_checkbox(
    confirmed_incident: Incident, dani: User
) -> None:
    signed_in(dani).post(
        f"/console/incidents/{confirmed_incident.pk}/alerts", {"radius_km": "2", "test": "1"}
    )
    assert Alert.objects.get().is_test


@pytest.mark.parametrize(
    ("radius", "message"), [("abc", "radius in kilometres"), ("40", "from 0.2 to 25")]
)
def test_a_bad_radius_is_explained_and_nothing_is_drafted(
    confirmed_incident: Incident, dani: User, radius: str, message: str
) -> None:
    response = signed_in(dani).post(
        f"/console/incidents/{confirmed_incident.pk}/alerts", {"radius_km": radius}, headers=HTMX
    )
    assert response.status_code == 422  # bad input is a 4xx; htmx swaps it in (base.html)
    assert message in response.content.decode()
    assert not Alert.objects.exists()


def test_drafting_from_an_unconfirmed_incident_is_explained(dani: User) -> None:
    incident = make_incident(status=IncidentStatus.NEW)
    client = signed_in(dani)
    client.post(f"/console/incidents/{incident.pk}/alerts", {"radius_km": "2"})
    assert "Only a confirmed incident can be alerted" in page(client, incident)
    assert not Alert.objects.exists()


# Approving, cancelling, retracting -----------------------------------------------------------


def test_another_dispatcher_approves_from_the_panel(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    client = signed_in(diego)
    assert f'action="/console/alerts/{alert.pk}/approve"' in page(client, confirmed_incident)
    response = client.post(f"/console/alerts/{alert.pk}/approve", headers=HTMX)
    assert "Alert published" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.PUBLISHED


def test_the_drafter_gets_no_approve_button_and_a_forged_post_is_refused(
    confirmed_incident: Incident, dani: User
) -> None:
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    client = signed_in(dani)
    assert f"/console/alerts/{alert.pk}/approve" not in page(client, confirmed_incident)
    response = client.post(f"/console/alerts/{alert.pk}/approve", headers=HTMX)
    assert "another dispatcher must approve it" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.PENDING_APPROVAL


def test_a_draft_is_cancelled_from_the_panel(confirmed_incident: Incident, dani: User) -> None:
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    response = signed_in(dani).post(f"/console/alerts/{alert.pk}/cancel")
    assert response.status_code == 302
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.CANCELLED


def test_an_all_clear_is_sent_from_the_panel(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    alert = approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)
    response = signed_in(dani).post(
        f"/console/alerts/{alert.pk}/retract",
        {"kind": "all_clear", "reason": "Agents left", "note": "", "confirm": "1"},
        headers=HTMX,
    )
    assert "All-clear sent" in response.content.decode()
    followup = Alert.objects.get(original=alert)
    assert followup.kind == AlertKind.ALL_CLEAR


def test_a_retraction_without_a_reason_is_explained(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    alert = approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)
    response = signed_in(dani).post(
        f"/console/alerts/{alert.pk}/retract",
        {"kind": "retraction", "reason": "", "confirm": "1"},
        headers=HTMX,
    )
    assert "This field is required." in response.content.decode()
    assert not Alert.objects.filter(original=alert).exists()


# The list and the alert page ---------------------------------------------------------------


def test_the_list_shows_drafts_waiting_for_approval_in_few_queries(
    confirmed_incident: Incident,
    dani: User,
    diego: User,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(5):
        draft_alert(incident=confirmed_incident, actor=dani)
    sent = approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)
    client = signed_in(diego)
    with django_assert_max_num_queries(25):
        response = client.get("/console/alerts")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Approve and send to subscribers") == 5
    assert sent.pk.hex[:8] in html


def test_the_alert_page_shows_the_sms_in_every_language(
    confirmed_incident: Incident, dani: User
) -> None:
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    html = signed_in(dani).get(f"/console/alerts/{alert.pk}").content.decode()
    for name in ("English", "Español", "한국어", "Tiếng Việt", "Հայերեն", "فارسی", "ខ្មែរ"):
        assert name in html
    assert "Drafted" in html


# Who may -----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(confirmed_incident: Incident, dani: User) -> None:
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    client = Client()
    for url in ["/console/alerts", f"/console/alerts/{alert.pk}"]:
        assert "/accounts/login/" in client.get(url)["Location"]
    response = client.post(f"/console/alerts/{alert.pk}/approve")
    assert response.status_code == 302
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.PENDING_APPROVAL


@pytest.mark.parametrize("who", ["rosa", "mara", "carmen", "olga"])
def test_only_dispatchers_and_admins_use_the_alert_controls(
    request: pytest.FixtureRequest, who: str, confirmed_incident: Incident, dani: User
) -> None:
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    client = signed_in(request.getfixturevalue(who))
    assert client.get("/console/alerts").status_code == 403
    assert client.get(f"/console/alerts/{alert.pk}").status_code == 403
    for path in ["approve", "cancel", "retract"]:
        assert client.post(f"/console/alerts/{alert.pk}/{path}").status_code == 403
    response = client.post(f"/console/incidents/{confirmed_incident.pk}/alerts", {"radius_km": "2"})
    assert response.status_code == 403
    assert Alert.objects.count() == 1
    assert Alert.objects.get().status == AlertStatus.PENDING_APPROVAL


def test_an_admin_approves(confirmed_incident: Incident, dani: User, ana: User) -> None:
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    signed_in(ana).post(f"/console/alerts/{alert.pk}/approve")
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.PUBLISHED


def test_an_unknown_alert_is_a_404(dani: User) -> None:
    client = signed_in(dani)
    assert client.get("/console/alerts/8d4f3d1c-0000-4000-8000-000000000000").status_code == 404
    assert (
        client.post("/console/alerts/8d4f3d1c-0000-4000-8000-000000000000/approve").status_code
        == 404
    )
