"""The public "someone I know was detained" form: no account, rate-limited like
reports, the contact encrypted, and nothing of the case shown back."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.urls import reverse

from vecinos.cases.models import Case, CaseSource, CaseState

FORM = {
    "person_name": "Teodoro Villaseñor Arriaga",
    "a_number": "A-208-551-903",
    "person_language": "es",
    "taken_place": "Home Depot, Atlantic Blvd",
    "family_name": "Inés Villaseñor",
    "family_channel": "sms",
    "family_contact": "(323) 555-0142",
    "family_language": "es",
    "family_updates": "on",
}


def test_a_request_opens_a_case_in_the_intake_queue_and_shows_only_a_confirmation(db) -> None:
    answer = Client().post(reverse("cases:detained"), FORM)
    assert answer.status_code == 303
    assert answer["Location"] == reverse("cases:detained_thanks")
    case = Case.objects.get()
    assert case.source == CaseSource.PUBLIC and case.state == CaseState.INTAKE
    assert case.family_contact == "+13235550142" and case.a_number == "A208551903"
    assert case.opened_by is None and not case.assignments.exists()
    thanks = Client().get(answer["Location"]).content.decode()
    assert "Villaseñor" not in thanks and case.reference not in thanks


def test_names_numbers_and_contact_are_encrypted_in_the_table(db) -> None:
    Client().post(reverse("cases:detained"), FORM)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_case")
        row = " ".join(str(value) for value in cursor.fetchone())
    for secret in ("Villaseñor", "208551903", "5550142", "Home Depot", "Inés"):
        assert secret not in row


def test_a_bad_contact_is_a_400_naming_the_field(db) -> None:
    answer = Client().post(reverse("cases:detained"), {**FORM, "family_contact": "call me"})
    assert answer.status_code == 400
    assert "phone number" in answer.content.decode()
    assert not Case.objects.exists()


def test_a_bad_a_number_is_a_400(db) -> None:
    answer = Client().post(reverse("cases:detained"), {**FORM, "a_number": "12"})
    assert answer.status_code == 400
    assert not Case.objects.exists()


def test_requests_are_rate_limited_like_reports(db, settings) -> None:
    settings.VECINOS_REPORT_RATE = (2, 3600)
    client = Client()
    assert client.post(reverse("cases:detained"), FORM).status_code == 303
    assert client.post(reverse("cases:detained"), FORM).status_code == 303
    refused = client.post(reverse("cases:detained"), FORM)
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "Too many requests" in refused.content.decode()
    assert Case.objects.count() == 2
