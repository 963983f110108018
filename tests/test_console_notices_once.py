"""A console notice (after a plain form's redirect) is said once on the page, not by
the layout and again by the incident's template."""

from __future__ import annotations

import pytest

from tests.conftest import signed_in
from tests.factories import BOYLE_HEIGHTS, submit
from vecinos.accounts.models import User
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(media_root: object) -> Incident:
    report = submit(at=BOYLE_HEIGHTS, client_key="a", description="Agents on Soto")
    return report.incident


def test_a_dispatch_notice_shows_once(incident: Incident, dani: User, rosa: User) -> None:
    response = signed_in(dani).post(
        f"/console/incidents/{incident.pk}/dispatch", {"responders": ["rosa"]}, follow=True
    )

    assert response.content.decode().count("Dispatched: rosa") == 1


def test_a_refusal_notice_shows_once(incident: Incident, dani: User) -> None:
    client = signed_in(dani)
    client.post(f"/console/incidents/{incident.pk}/close", {"label": "confirmed"})
    response = client.post(
        f"/console/incidents/{incident.pk}/close", {"label": "confirmed"}, follow=True
    )
    page = response.content.decode()
    notices = page.count('class="messages"') + page.count('class="notice')

    assert notices == 1, page


def test_a_notice_in_the_incident_partial_shows_once(
    incident: Incident, dani: User, rosa: User
) -> None:
    html = (
        signed_in(dani)
        .post(
            f"/console/incidents/{incident.pk}/dispatch",
            {"responders": ["rosa"]},
            headers={"HX-Request": "true"},
        )
        .content.decode()
    )

    assert html.count("Dispatched: rosa") == 1


def test_bad_input_is_named_once_on_the_incident_page(incident: Incident, dani: User) -> None:
    response = signed_in(dani).post(
        f"/console/incidents/{incident.pk}/verify", {"vehicles": "many"}
    )

    assert response.status_code == 400
    assert response.content.decode().count("Counts must be whole numbers.") == 1
