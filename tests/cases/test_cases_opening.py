"""Opening a case from the console: the dispatcher's button on an incident, the hotline
form; a dispatcher sees a confirmation, not the case."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import signed_in
from vecinos.cases.models import Case, CaseSource, CaseState

FORM = {
    "person_name": "Anselmo Tepehua",
    "person_language": "es",
    "family_channel": "sms",
    "family_contact": "213 555 0123",
    "family_language": "es",
}


def test_the_incident_page_offers_a_dispatcher_to_open_a_case(dani, confirmed_incident) -> None:
    page = signed_in(dani).get(reverse("console_incident", args=[confirmed_incident.pk]))
    assert f"/cases/new?incident={confirmed_incident.pk}" in page.content.decode()


def test_a_case_from_an_incident_is_linked_and_the_dispatcher_does_not_see_it(
    dani, confirmed_incident
) -> None:
    client = signed_in(dani)
    form = client.get(reverse("cases:new") + f"?incident={confirmed_incident.pk}")
    assert form.status_code == 200
    answer = client.post(reverse("cases:new"), {**FORM, "incident": confirmed_incident.pk})
    assert answer.status_code == 303 and answer["Location"] == reverse("cases:opened")
    case = Case.objects.get()
    assert case.incident == confirmed_incident and case.source == CaseSource.INCIDENT
    assert case.taken_at == confirmed_incident.first_seen_at
    assert case.state == CaseState.INTAKE and not case.assignments.exists()
    confirmation = client.get(answer["Location"]).content.decode()
    assert case.reference in confirmation and "Tepehua" not in confirmation
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404


def test_a_case_worker_who_opens_a_hotline_case_is_put_on_it(lucia) -> None:
    answer = signed_in(lucia).post(reverse("cases:new"), FORM)
    case = Case.objects.get()
    assert answer["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.source == CaseSource.HOTLINE
    assert list(case.assignments.values_list("user__username", flat=True)) == ["lucia"]


def test_an_incident_outside_reach_is_404(rosa, lucia, confirmed_incident) -> None:
    url = reverse("cases:new") + f"?incident={confirmed_incident.pk}"
    assert signed_in(lucia).get(url).status_code == 404


def test_the_case_list_takes_a_fixed_number_of_queries(
    lucia, case, django_assert_max_num_queries
) -> None:
    from tests.cases.conftest import open_test_case

    for _ in range(5):
        open_test_case(lucia)
        open_test_case(None)
    client = signed_in(lucia)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("cases:list")).status_code == 200
