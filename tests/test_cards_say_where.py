"""Console queue cards and a responder's request cards say where, not only "Raid" and
an id: the public label, else the place a reporter wrote, else the point."""

from __future__ import annotations

import pytest

from tests.conftest import signed_in
from tests.factories import make_incident, make_report
from vecinos.accounts.models import User
from vecinos.reports import actions
from vecinos.reports.models import IncidentStatus

pytestmark = pytest.mark.django_db


def test_queue_cards_say_where(dani: User) -> None:
    make_incident(public_label="Cesar Chavez Ave & Soto St")
    written = make_incident(at=None)
    make_report(incident=written, place="by the bakery on 1st")
    bare = make_incident()
    html = signed_in(dani).get("/console").content.decode().replace("&amp;", "&")
    assert "Cesar Chavez Ave & Soto St" in html
    assert "“by the bakery on 1st” (as a reporter wrote it)" in html
    assert f"Near {bare.lat:.4f}" in html


def test_request_cards_say_where(dani: User, rosa: User) -> None:
    incident = make_incident(status=IncidentStatus.NEW)
    make_report(incident=incident, place="Mariachi Plaza, by the kiosk")
    actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    html = signed_in(rosa).get("/responder").content.decode()
    assert "“Mariachi Plaza, by the kiosk” (as a reporter wrote it)" in html


def test_the_queue_stays_one_query_per_page(
    dani: User, django_assert_max_num_queries: object
) -> None:
    for n in range(5):
        make_report(incident=make_incident(), place=f"corner {n}")
    client = signed_in(dani)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        client.get("/console")
