"""Infiltration is assumed: someone just approved can see aliases and announcements,
but cannot list the members with their contacts, export them, or raise their own
role, on the web or the API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from vecinos.committees import actions
from vecinos.committees.models import ContactAudit, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(world, carmen) -> Membership:
    join_request = actions.request_to_join(
        committee=world.committee,
        alias="Infiltrado",
        channel="sms",
        contact="+1 213 555 0166",
        language="en",
        why="I live on Soto St",
    )
    return actions.approve_request(join_request=join_request, actor=carmen)


def test_a_freshly_approved_member_sees_aliases_but_no_contact(world, newcomer) -> None:
    client = Client()
    client.force_login(newcomer.user)
    page = client.get(reverse("committees:committee", kwargs={"slug": world.committee.slug}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Mara" in text and "Carmen" in text
    assert "+1213555" not in text


def test_a_freshly_approved_member_cannot_list_export_or_raise_themself(world, newcomer) -> None:
    client = Client()
    client.force_login(newcomer.user)
    slug = world.committee.slug
    assert client.get(reverse("committees:members", kwargs={"slug": slug})).status_code == 404
    assert client.post(reverse("committees:export", kwargs={"slug": slug})).status_code == 404
    own = {"slug": slug, "membership_id": newcomer.pk}
    assert (
        client.post(reverse("committees:role", kwargs=own), {"role": "coordinator"}).status_code
        == 404
    )
    newcomer.refresh_from_db()
    assert newcomer.role == "member"
    assert not ContactAudit.objects.exists()


def test_the_action_refuses_a_member_raising_themself(world, newcomer) -> None:
    from vecinos.accounts.access import Forbidden

    with pytest.raises(Forbidden):
        actions.change_role(membership=newcomer, role="coordinator", actor=newcomer.user)


def test_a_member_holds_no_api_token_and_the_api_refuses_them(world, newcomer) -> None:
    from vecinos.accounts.actions import AccountError, create_api_token

    with pytest.raises(AccountError):
        create_api_token(user=newcomer.user, name="x", actor=newcomer.user)
    response = Client().get(f"/api/v1/committees/{world.committee.slug}/members")
    assert response.status_code == 401
