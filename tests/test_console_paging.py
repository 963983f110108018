"""The console pages and filters its queue: no cap hides a real incident behind a
flood of others. Every open incident is reachable page by page, and filters (status,
kind, independent sources, needing a location) bring a genuine one to the first page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import BOYLE_HEIGHTS, make_incident, moved
from vecinos.accounts.models import User
from vecinos.reports.models import Incident, IncidentStatus, Kind

pytestmark = pytest.mark.django_db

FLOOD = 260  # more than the 200 rows the queue used to stop at


@pytest.fixture
def genuine() -> Incident:
    """A real, corroborated incident, older than the whole flood."""
    return make_incident(
        kind=Kind.CHECKPOINT,
        seen_at=timezone.now() - timedelta(hours=2),
        source_count=3,
        report_count=3,
        confidence=79,
    )


@pytest.fixture
def flood(genuine: Incident) -> None:
    now = timezone.now()
    for n in range(FLOOD):
        make_incident(
            at=moved(*BOYLE_HEIGHTS, north_m=300 * (n % 20), east_m=300 * (n // 20)),
            seen_at=now - timedelta(seconds=n),
        )


def ids_on(html: str) -> set[str]:
    return set(re.findall(r"/console/incidents/([0-9a-f-]{36})", html))


def test_every_incident_is_reachable_page_by_page(
    dani: User, genuine: Incident, flood: None
) -> None:
    client = signed_in(dani)
    seen: set[str] = set()
    page = 1
    while True:
        html = client.get(f"/console?page={page}").content.decode()
        seen |= ids_on(html)
        if 'rel="next"' not in html:
            break
        page += 1

    assert str(genuine.pk) in seen
    assert len(seen) == FLOOD + 1
    assert page == 6


def test_filters_bring_the_genuine_incident_to_the_first_page(
    dani: User, genuine: Incident, flood: None
) -> None:
    client = signed_in(dani)
    first = client.get("/console").content.decode()
    assert str(genuine.pk) not in ids_on(first)
    assert f"{FLOOD + 1} incidents" in first

    for query in ("sources=2", "kind=checkpoint", "sort=confidence"):
        html = client.get(f"/console?{query}").content.decode()
        assert str(genuine.pk) in ids_on(html), query


def test_the_live_partial_keeps_the_page_and_filters(dani: User, flood: None) -> None:
    html = signed_in(dani).get("/console?kind=raid&page=2").content.decode()

    assert 'data-live-src="/console/queue?kind=raid&amp;sort=recent&amp;page=2"' in html


@pytest.mark.parametrize(
    "query", ["page=999", "page=x", "sources=-4", "sources=lots", "status=nope", "kind=<b>"]
)
def test_unknown_filters_and_pages_answer_a_page_never_an_error(dani: User, query: str) -> None:
    make_incident(status=IncidentStatus.NEW)

    assert signed_in(dani).get(f"/console?{query}").status_code == 200


def test_the_queue_is_still_for_dispatchers_only(rosa: User) -> None:
    assert signed_in(rosa).get("/console?page=2").status_code == 403
    assert Client().get("/console?page=2").status_code == 302
