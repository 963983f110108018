"""Merging by the 8-character id the console shows everywhere: accepted when only one
incident's id starts with it; two answer "give more of it"; on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import signed_in
from tests.factories import make_incident
from vecinos.accounts.models import User
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db


def merge(user: User, source: Incident, into_id: str) -> str:
    """The page the dispatcher sees after asking: a refusal answers itself (4xx, naming
    the problem); a merge goes back to the incident."""
    client = signed_in(user)
    answer = client.post(f"/console/incidents/{source.pk}/merge", {"into_id": into_id})
    if answer.status_code >= 400:
        return answer.content.decode()
    return client.get(f"/console/incidents/{source.pk}").content.decode()


def test_the_short_id_shown_in_the_console_is_enough(dani: User) -> None:
    source, into = make_incident(), make_incident()
    merge(dani, source, into.pk.hex[:8].upper())
    source.refresh_from_db()
    assert source.merged_into_id == into.pk


def test_a_short_id_two_incidents_share_asks_for_more(dani: User) -> None:
    source = make_incident()
    first = make_incident(id=uuid.UUID("abcdef12" + "0" * 24))
    make_incident(id=uuid.UUID("abcdef12" + "f" * 24))
    html = merge(dani, source, "abcdef12")
    assert "give more of it" in html
    html = merge(dani, source, first.pk.hex[:12])
    source.refresh_from_db()
    assert source.merged_into_id == first.pk


@pytest.mark.parametrize("text", ["zzzzzzzz", "abc", "12345678"])
def test_an_id_that_matches_nothing_is_named(dani: User, text: str) -> None:
    source = make_incident()
    html = merge(dani, source, text)
    assert f"There is no incident with the id {text}" in html
    source.refresh_from_db()
    assert source.merged_into_id is None
