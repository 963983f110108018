"""A case worker works a case from the pages: locate, refer, record a hearing, update
the family; each change leaves a timeline row with who and when."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.cases.conftest import PERSON
from tests.conftest import signed_in
from vecinos.cases.models import CaseEvent, CaseState, Referral


def test_a_case_worker_locates_refers_and_records_a_hearing(case, lucia, facility) -> None:
    client = signed_in(lucia)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    assert PERSON in page.content.decode()

    answer = client.post(
        reverse("cases:locator", args=[case.pk]), {"facility": facility.pk, "result": "found"}
    )
    assert answer.status_code == 303
    case.refresh_from_db()
    assert case.state == CaseState.LOCATED and case.facility == facility

    answer = client.post(
        reverse("cases:referral", args=[case.pk]),
        {"organization": "Legal Aid of East LA", "follow_up_hours": 48},
    )
    assert answer.status_code == 303
    case.refresh_from_db()
    assert case.state == CaseState.REFERRED and case.referred_at is not None

    referral = Referral.objects.get(case=case)
    answer = client.post(
        reverse("cases:referral_answer", args=[referral.pk]), {"answer": "accepted"}
    )
    assert answer.status_code == 303
    case.refresh_from_db()
    assert case.state == CaseState.REPRESENTED

    at = (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post(
        reverse("cases:hearing", args=[case.pk]),
        {"kind": "hearing", "at": at, "place": "Adelanto Immigration Court"},
    )
    assert answer.status_code == 303
    assert case.hearings.count() == 1

    states = list(
        case.events.filter(type=CaseEvent.Type.STATE).values_list("data__state", "actor__username")
    )
    assert states == [("located", "lucia"), ("referred", "lucia"), ("represented", "lucia")]


def test_bad_input_on_a_case_page_is_a_4xx_naming_the_problem(case, lucia) -> None:
    client = signed_in(lucia)
    answer = client.post(reverse("cases:hearing", args=[case.pk]), {"kind": "hearing", "at": "x"})
    assert answer.status_code == 400
    answer = client.post(reverse("cases:locator", args=[case.pk]), {"result": "found"})
    assert answer.status_code == 422
    assert "facility" in answer.content.decode().lower()


def test_notes_are_stored_encrypted_and_shown_to_those_on_the_case(case, lucia) -> None:
    from django.db import connection

    client = signed_in(lucia)
    client.post(reverse("cases:note", args=[case.pk]), {"text": "Aunt picks up the kids"})
    assert (
        "Aunt picks up the kids"
        in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM cases_caseevent WHERE type = 'note'")
        (stored,) = cursor.fetchone()
    assert "Aunt" not in stored and stored.startswith("v1.")


def test_closing_a_released_case_records_its_outcome(case, lucia) -> None:
    client = signed_in(lucia)
    client.post(reverse("cases:state", args=[case.pk]), {"state": "released"})
    client.post(reverse("cases:state", args=[case.pk]), {"state": "closed"})
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.outcome == "released"
    assert case.released_at is not None and case.closed_at is not None
    refused = client.post(reverse("cases:state", args=[case.pk]), {"state": "located"})
    assert refused.status_code == 409


def test_a_case_worker_corrects_the_facts_and_the_timeline_names_only_the_fields(
    case, lucia
) -> None:
    client = signed_in(lucia)
    form = client.get(reverse("cases:facts", args=[case.pk]))
    assert form.status_code == 200 and PERSON in form.content.decode()
    answer = client.post(
        reverse("cases:facts", args=[case.pk]),
        {
            "person_name": PERSON,
            "a_number": "A 098 765 432",
            "person_language": "es",
            "family_channel": "sms",
            "family_contact": "+13235557311",
            "family_language": "es",
            "family_updates": "on",
            "medical_needs": "asthma inhaler",
        },
    )
    assert answer.status_code == 303
    case.refresh_from_db()
    assert case.a_number == "A098765432" and case.medical_needs == "asthma inhaler"
    event = case.events.get(type=CaseEvent.Type.FACTS)
    assert event.data == {"fields": ["a_number", "medical_needs", "person_language"]}
    assert "098765432" not in str(event.data) and not event.note


def test_bad_facts_are_a_4xx_and_change_nothing(case, lucia) -> None:
    answer = signed_in(lucia).post(
        reverse("cases:facts", args=[case.pk]),
        {"person_name": "X", "a_number": "1", "person_language": "es", "family_channel": "sms",
         "family_language": "es"},
    )  # fmt: skip
    assert answer.status_code == 422
    assert "8 or 9 digits" in answer.content.decode()
    case.refresh_from_db()
    assert case.person_name == PERSON


def test_a_referral_names_an_organization_of_the_legal_aid_directory(case, lucia) -> None:
    from vecinos.directory.models import Organization

    listed = Organization.objects.create(
        name="Immigrant Defenders Law Center", slug="imm-def", last_checked=timezone.localdate()
    )
    answer = signed_in(lucia).post(
        reverse("cases:referral", args=[case.pk]),
        {"directory_organization": "imm-def", "organization": "", "follow_up_hours": 24},
    )
    assert answer.status_code == 303
    referral = Referral.objects.get(case=case)
    assert referral.directory_organization == listed
    assert referral.organization == "Immigrant Defenders Law Center"


def test_a_referral_needs_an_organization(case, lucia) -> None:
    answer = signed_in(lucia).post(
        reverse("cases:referral", args=[case.pk]), {"organization": "", "follow_up_hours": 24}
    )
    assert answer.status_code == 422
    assert not Referral.objects.exists()
