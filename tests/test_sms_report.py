"""REPORT by SMS files a report: located by a ZIP code or a known place in the text,
otherwise in the dispatcher queue as "needs location". The number is kept encrypted,
for replies only, and is never shown."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone, translation

from tests.conftest import SignedTwilio
from vecinos.delivery import reporters
from vecinos.delivery.models import ReporterContact
from vecinos.reports.models import Channel, Incident, IncidentEvent, Report

pytestmark = [pytest.mark.django_db]

REPORTER = "+12135550142"


def report_by_sms(twilio: SignedTwilio, body: str, sender: str = REPORTER) -> tuple[str, Report]:
    reply = twilio.reply(body, sender=sender)
    return reply, Report.objects.latest("received_at")


def test_a_report_with_a_zip_code_is_placed_at_the_zip_centroid(
    twilio_webhook: SignedTwilio,
) -> None:
    reply, report = report_by_sms(twilio_webhook, "REPORT ICE raid at the car wash 90033")

    assert report.channel == Channel.SMS
    assert report.kind == "raid"
    assert report.lat == pytest.approx(34.0487) and report.lng == pytest.approx(-118.2084)
    assert report.place == "ZIP 90033"
    assert report.description == "ICE raid at the car wash 90033"
    assert report.language == "en"
    assert not report.incident.needs_location
    assert "Thank you" in reply


def test_a_report_naming_a_known_place_is_placed_there(twilio_webhook: SignedTwilio) -> None:
    _reply, report = report_by_sms(twilio_webhook, "REPORTE retén en Pico Union ahora mismo")

    assert report.place == "Pico-Union"
    assert report.kind == "checkpoint"
    assert report.language == "es"
    assert report.lat is not None and not report.incident.needs_location


def test_a_report_without_a_place_enters_the_queue_as_needs_location(
    twilio_webhook: SignedTwilio,
) -> None:
    reply, report = report_by_sms(twilio_webhook, "REPORTE vi una redada en la fábrica")

    assert report.lat is None and report.lng is None
    assert report.incident.needs_location
    assert report.kind == "raid"
    assert "ZIP" in reply or reply == _in_spanish_needs_location()


def _in_spanish_needs_location() -> str:
    with translation.override("es"):
        return str(
            translation.gettext(
                "Thank you. We could not tell where this is: send another REPORT with the "
                "ZIP code or cross streets. Responders will check before anyone is alerted."
            )
        )


def test_report_without_text_says_what_to_send(twilio_webhook: SignedTwilio) -> None:
    reply = twilio_webhook.reply("REPORT", sender=REPORTER)

    assert "REPORT" in reply
    assert not Report.objects.exists()


def test_control_characters_are_dropped_from_the_text(twilio_webhook: SignedTwilio) -> None:
    _reply, report = report_by_sms(twilio_webhook, "REPORT patrol\x00 on\x07 Soto 90033")

    assert report.description == "patrol on Soto 90033"


def test_the_number_is_kept_encrypted_beside_the_report(twilio_webhook: SignedTwilio) -> None:
    _reply, report = report_by_sms(twilio_webhook, "REPORT raid 90033")

    contact = ReporterContact.objects.get(report=report)
    assert contact.contact == REPORTER
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM delivery_reportercontact")
        [(raw,)] = cursor.fetchall()
    assert raw.startswith("v1.") and "2135550142" not in raw
    # Nowhere else: not in the report, the incident or its timeline.
    for model in (Report, Incident, IncidentEvent):
        assert "2135550142" not in repr(list(model.objects.values()))


def test_too_many_reports_from_one_number_are_refused(
    twilio_webhook: SignedTwilio, settings: Any
) -> None:
    settings.VECINOS_REPORT_RATE = (2, 3600)

    replies = [twilio_webhook.reply(f"REPORT raid 9003{i}", sender=REPORTER) for i in range(3)]

    assert Report.objects.count() == 2
    assert "wait" in replies[2]


def test_the_number_counts_as_one_source_for_the_day(twilio_webhook: SignedTwilio) -> None:
    twilio_webhook.reply("REPORT raid at 90033", sender=REPORTER)
    twilio_webhook.reply("REPORT raid still at 90033", sender=REPORTER)
    twilio_webhook.reply("REPORT raid at 90033 too", sender="+12135550143")

    incident = Incident.objects.get()
    assert (incident.report_count, incident.source_count) == (3, 2)


def test_the_numbers_are_deleted_with_the_report_text(twilio_webhook: SignedTwilio) -> None:
    import time_machine

    from vecinos.delivery import retention

    report_by_sms(twilio_webhook, "REPORT raid 90033")
    later = timezone.now() + timedelta(days=15)

    with time_machine.travel(later):
        result = retention.run(later)

    assert result["reporter_contacts_deleted"] == 1
    assert not ReporterContact.objects.exists()
    assert reporters.can_reply(Report.objects.get()) is False
