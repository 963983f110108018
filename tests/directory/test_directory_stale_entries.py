"""Entries nobody checked in 90 days are flagged to admins, who mark them checked."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import signed_in
from tests.directory.conftest import organization
from vecinos.accounts.models import User
from vecinos.directory import queries
from vecinos.directory.models import DirectoryEvent, EventKind

pytestmark = pytest.mark.django_db


def test_an_entry_checked_91_days_ago_is_flagged_and_one_of_89_is_not(ana: User) -> None:
    organization("old", zips=[], checked_days_ago=91)
    organization("fresh", zips=[], checked_days_ago=89)
    assert [o.slug for o in queries.stale_organizations()] == ["old"]
    html = signed_in(ana).get("/legal-help/manage/").content.decode()
    assert "1 entry not checked in 90 days" in html and "Old" in html


def test_marking_it_checked_clears_the_flag_and_leaves_a_row(ana: User) -> None:
    old = organization("old", zips=[], checked_days_ago=200)
    response = signed_in(ana).post(f"/legal-help/manage/{old.slug}/checked")
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.last_checked == timezone.localdate()
    assert not queries.stale_organizations()
    assert DirectoryEvent.objects.filter(
        kind=EventKind.CHECKED, organization=old, actor=ana
    ).exists()


@pytest.mark.parametrize("who", ["mara", "rosa", "carmen", "olga", "dani"])
def test_others_see_no_admin_page(who: str, request: pytest.FixtureRequest) -> None:
    old = organization("old", zips=[], checked_days_ago=200)
    client = signed_in(request.getfixturevalue(who))
    assert client.get("/legal-help/manage/").status_code == 404
    assert client.post(f"/legal-help/manage/{old.slug}/checked").status_code == 404
