"""A member leaves, a coordinator removes, an admin deactivates: the membership goes
at once, the contact waits in FormerContact, and the retention job erases it when
VECINOS_FORMER_CONTACT_DAYS have passed (a moved clock), never before."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vecinos.accounts.actions import deactivate_user
from vecinos.accounts.models import AccountEvent
from vecinos.committees import actions
from vecinos.committees.models import CommitteeEvent, FormerContact, JoinRequest, Membership
from vecinos.core import retention

pytestmark = pytest.mark.django_db


def purge(now):
    return retention.jobs()["committees"](now)


def test_mara_leaves_and_her_contact_is_erased_on_the_retention_clock(world, settings) -> None:
    settings.VECINOS_FORMER_CONTACT_DAYS = 30
    response = world.client("mara").post(
        reverse("committees:leave", kwargs={"slug": world.committee.slug})
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=world.people["mara"]).exists()
    former = FormerContact.objects.get()
    assert (former.contact, former.reason) == ("+12135550103", "left")
    assert CommitteeEvent.objects.filter(type="left", subject=world.people["mara"]).exists()

    assert purge(timezone.now() + timedelta(days=29)) == {
        "former_contacts_erased": 0,
        "join_requests_deleted": 0,
    }
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert purge(timezone.now())["former_contacts_erased"] == 1
    assert not FormerContact.objects.exists()


def test_carmen_removes_rosa_and_rosa_loses_the_pages_at_once(world) -> None:
    rosa = Membership.objects.get(user=world.people["rosa"])
    world.client("carmen").post(
        reverse(
            "committees:remove", kwargs={"slug": world.committee.slug, "membership_id": rosa.pk}
        )
    )
    assert FormerContact.objects.get().reason == "removed"
    page = world.client("rosa").get(
        reverse("committees:committee", kwargs={"slug": world.committee.slug})
    )
    assert page.status_code == 404


def test_the_last_coordinator_cannot_leave_or_be_demoted(world) -> None:
    carmen = Membership.objects.get(user=world.people["carmen"])
    with pytest.raises(actions.InvalidState):
        actions.leave_committee(membership=carmen, actor=world.people["carmen"])
    with pytest.raises(actions.InvalidState):
        actions.change_role(membership=carmen, role="member", actor=world.people["ana"])


def test_decided_join_requests_are_deleted_after_their_window(world, settings) -> None:
    settings.VECINOS_JOIN_REQUEST_DAYS = 30
    join_request = actions.request_to_join(
        committee=world.committee, alias="X", channel="sms", contact="+12135550177", language="es"
    )
    actions.decline_request(join_request=join_request, actor=world.people["carmen"])
    pending = actions.request_to_join(
        committee=world.committee, alias="Y", channel="sms", contact="+12135550178", language="es"
    )
    assert purge(timezone.now() + timedelta(days=31))["join_requests_deleted"] == 1
    assert list(JoinRequest.objects.all()) == [pending]


def test_ana_deactivates_mara_sign_in_stops_and_she_leaves_every_committee(world) -> None:
    client = world.client("mara")
    assert client.get(reverse("committees:home")).status_code == 200

    response = world.client("ana").post(reverse("committees:deactivate"), {"username": "mara"})

    assert response.status_code == 302
    assert client.get(reverse("committees:home")).status_code == 302
    assert not Client().login(username="mara", password="correct horse battery staple")
    assert not Membership.objects.filter(user=world.people["mara"]).exists()
    assert FormerContact.objects.get().reason == "deactivated"
    assert AccountEvent.objects.filter(type="deactivated", user=world.people["mara"]).exists()


def test_nobody_but_an_admin_deactivates_and_not_themself(world) -> None:
    from vecinos.accounts.actions import AccountError

    with pytest.raises(AccountError):
        deactivate_user(user=world.people["mara"], actor=world.people["carmen"])
    with pytest.raises(AccountError):
        deactivate_user(user=world.people["ana"], actor=world.people["ana"])
    response = world.client("carmen").post(reverse("committees:deactivate"), {"username": "mara"})
    assert response.status_code == 403
    assert world.people["mara"].__class__.objects.get(username="mara").is_active
