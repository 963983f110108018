"""A dispatcher replies by SMS to someone who reported by SMS, from the console,
without ever seeing the number."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from tests.conftest import SignedTwilio, signed_in
from tests.factories import submit
from vecinos.accounts.access import Forbidden
from vecinos.accounts.actions import create_api_token
from vecinos.accounts.models import User
from vecinos.delivery import reporters
from vecinos.delivery.models import ReporterContact
from vecinos.reports.models import Channel, IncidentEvent, Report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

REPORTER = "+12135550142"
NUMBER_FORMS = ("2135550142", "555-0142", "555 0142", "(213)")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def sms_report(twilio_webhook: SignedTwilio) -> Report:
    twilio_webhook.reply("REPORTE redada en la fabrica 90033", sender=REPORTER)
    return Report.objects.get()


def shows_no_number(content: bytes) -> bool:
    text = content.decode()
    return not any(form in text for form in NUMBER_FORMS)


def test_dani_replies_and_the_reporter_gets_the_sms(
    sms_report: Report,
    dani: User,
    django_capture_on_commit_callbacks: Any,
    console_outbox: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(dani).post(
            f"/console/reports/{sms_report.pk}/reply", {"text": "¿Siguen ahí los agentes?"}
        )

    assert response.status_code == 302
    assert response["Location"] == f"/console/incidents/{sms_report.incident_id}"
    [sent] = list(console_outbox)
    assert (sent.channel, sent.address) == ("sms", REPORTER)
    assert "¿Siguen ahí los agentes?" in sent.text


def test_the_reply_is_on_the_timeline_without_number_or_text(
    sms_report: Report, dani: User
) -> None:
    reporters.reply_to_reporter(report=sms_report, text="Is the van still there?", actor=dani)

    event = IncidentEvent.objects.get(type=reporters.REPLIED)
    assert event.actor == dani
    assert event.data == {"report": str(sms_report.pk), "chars": 23}


def test_no_page_shows_the_number(sms_report: Report, dani: User) -> None:
    client = signed_in(dani)
    reporters.reply_to_reporter(report=sms_report, text="Gracias", actor=dani)
    _, token = create_api_token(user=dani, name="test", actor=dani)

    pages = [
        client.get("/console"),
        client.get(f"/console/incidents/{sms_report.incident_id}"),
        client.post(f"/console/reports/{sms_report.pk}/reply", {"text": "Gracias"}, headers=HTMX),
        # The API signs in as it expects: a bearer token, not the session.
        Client().get(
            f"/api/v1/incidents/{sms_report.incident_id}",
            headers={"Authorization": f"Bearer {token}"},
        ),
    ]

    for page in pages:
        assert page.status_code == 200, page
        assert shows_no_number(page.content)
    assert str(sms_report.pk) in pages[-1].content.decode()  # the report is in the detail


def test_the_form_partial_names_the_report_not_the_number(sms_report: Report, dani: User) -> None:
    request = RequestFactory().get("/")
    request.user = dani

    html = render_to_string("delivery/reply_form.html", {"report": sms_report}, request=request)

    assert f"/console/reports/{sms_report.pk}/reply" in html
    assert 'name="text"' in html
    assert shows_no_number(html.encode())


def test_the_form_is_offered_only_for_sms_reports(dani: User) -> None:
    web_report = submit(channel=Channel.WEB)

    html = render_to_string("delivery/reply_form.html", {"report": web_report})

    assert "<form" not in html


def test_htmx_gets_the_form_back_with_a_notice(sms_report: Report, dani: User) -> None:
    response = signed_in(dani).post(
        f"/console/reports/{sms_report.pk}/reply", {"text": "Gracias"}, headers=HTMX
    )

    assert response.status_code == 200
    assert b"Reply sent by SMS." in response.content


@pytest.mark.parametrize(("text", "problem"), [("", b"Write a reply"), ("x" * 301, b"at most 300")])
def test_an_empty_or_long_reply_is_refused(
    sms_report: Report, dani: User, text: str, problem: bytes, console_outbox: Any
) -> None:
    response = signed_in(dani).post(
        f"/console/reports/{sms_report.pk}/reply", {"text": text}, headers=HTMX
    )

    assert response.status_code == 422
    assert problem in response.content
    assert not IncidentEvent.objects.filter(type=reporters.REPLIED).exists()


def test_a_report_that_did_not_come_by_sms_cannot_be_answered(dani: User) -> None:
    web_report = submit(channel=Channel.WEB)

    with pytest.raises(ValidationError) as refused:
        reporters.reply_to_reporter(report=web_report, text="Hola", actor=dani)

    assert "report" in refused.value.message_dict


def test_once_the_number_is_gone_there_is_no_reply(sms_report: Report, dani: User) -> None:
    ReporterContact.objects.all().delete()

    response = signed_in(dani).post(f"/console/reports/{sms_report.pk}/reply", {"text": "Hola"})

    assert response.status_code == 302
    assert not IncidentEvent.objects.filter(type=reporters.REPLIED).exists()


def test_anonymous_visitors_are_sent_to_sign_in(sms_report: Report) -> None:
    response = Client().post(f"/console/reports/{sms_report.pk}/reply", {"text": "Hola"})

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["rosa", "mara", "carmen", "olga"])
def test_only_dispatchers_may_reply(
    request: pytest.FixtureRequest, sms_report: Report, who: str, console_outbox: Any
) -> None:
    person = request.getfixturevalue(who)

    response = signed_in(person).post(f"/console/reports/{sms_report.pk}/reply", {"text": "Hola"})

    assert response.status_code == 403
    with pytest.raises((Forbidden, PermissionDenied)):
        reporters.reply_to_reporter(report=sms_report, text="Hola", actor=person)
    assert not IncidentEvent.objects.filter(type=reporters.REPLIED).exists()


def test_an_unknown_report_is_not_found(dani: User) -> None:
    response = signed_in(dani).post(
        "/console/reports/00000000-0000-0000-0000-000000000000/reply", {"text": "Hola"}
    )

    assert response.status_code == 404


def test_the_reply_form_needs_its_csrf_token(sms_report: Report, dani: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(dani)

    response = client.post(f"/console/reports/{sms_report.pk}/reply", {"text": "Hola"})

    assert response.status_code == 403
