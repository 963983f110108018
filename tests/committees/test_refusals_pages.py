"""Each committee page refuses everyone outside its people: anonymous and deactivated
sessions are sent to sign in, outsiders (olga of another committee, dani the
dispatcher) get 404 as if the committee had no such page, members get 404 on
coordinator pages, and only ana reaches the admin pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.committees.conftest import PEOPLE

pytestmark = pytest.mark.django_db

MEMBERS = {"mara", "rosa", "carmen", "ana"}
COORDINATORS = {"carmen", "ana"}

MEMBER_PAGES = ["committee", "announcements", "tasks"]
COORDINATOR_PAGES = ["members", "requests", "invites", "edit", "announce", "audit"]


def expect_refused(response, name: str) -> None:
    if name in ("anonymous", "gone"):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code in (403, 404)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("page", MEMBER_PAGES)
def test_member_pages_answer_members_and_admins_only(world, person, page) -> None:
    response = world.client(person).get(
        reverse(f"committees:{page}", kwargs={"slug": world.committee.slug})
    )
    if person in MEMBERS:
        assert response.status_code == 200
    else:
        expect_refused(response, person)
        if person in ("olga", "dani"):
            assert response.status_code == 404


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("page", COORDINATOR_PAGES)
def test_coordinator_pages_answer_its_coordinators_and_admins_only(world, person, page) -> None:
    response = world.client(person).get(
        reverse(f"committees:{page}", kwargs={"slug": world.committee.slug})
    )
    if person in COORDINATORS:
        assert response.status_code == 200
    else:
        expect_refused(response, person)


@pytest.mark.parametrize("person", PEOPLE)
def test_olga_coordinates_only_her_own_committee(world, person) -> None:
    response = world.client(person).get(
        reverse("committees:members", kwargs={"slug": world.other.slug})
    )
    assert response.status_code == (
        200 if person in ("olga", "ana") else 302 if person in ("anonymous", "gone") else 404
    )


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("page", ["create", "deactivate"])
def test_admin_pages_answer_ana_only(world, person, page) -> None:
    response = world.client(person).get(reverse(f"committees:{page}"))
    if person == "ana":
        assert response.status_code == 200
    else:
        expect_refused(response, person)


@pytest.mark.parametrize("person", PEOPLE)
def test_contact_and_export_are_for_coordinators_only_and_audited(world, person) -> None:
    from vecinos.committees.models import ContactAudit, Membership

    mara = Membership.objects.get(committee=world.committee, user__username="mara")
    client = world.client(person)
    shown = client.post(
        reverse(
            "committees:contact", kwargs={"slug": world.committee.slug, "membership_id": mara.pk}
        )
    )
    exported = client.post(reverse("committees:export", kwargs={"slug": world.committee.slug}))
    if person in COORDINATORS:
        assert shown.status_code == 200 and "+12135550103" in shown.content.decode()
        assert exported.status_code == 200 and "+12135550103" in exported.content.decode()
        assert ContactAudit.objects.filter(actor__username=person, kind="view").count() == 1
        assert (
            ContactAudit.objects.filter(actor__username=person, kind="export").count() == 4
        )  # carmen, rosa, mara, gone
    else:
        expect_refused(shown, person)
        expect_refused(exported, person)
        assert not ContactAudit.objects.exists()


@pytest.mark.parametrize("person", PEOPLE)
def test_only_coordinators_change_roles_and_remove(world, person) -> None:
    from vecinos.committees.models import Membership

    mara = Membership.objects.get(committee=world.committee, user__username="mara")
    kwargs = {"slug": world.committee.slug, "membership_id": mara.pk}
    client = world.client(person)
    raised = client.post(reverse("committees:role", kwargs=kwargs), {"role": "coordinator"})
    mara.refresh_from_db()
    if person in COORDINATORS:
        assert raised.status_code == 302 and mara.role == "coordinator"
    else:
        expect_refused(raised, person)
        assert mara.role == "member"
    removed = client.post(reverse("committees:remove", kwargs=kwargs))
    if person in COORDINATORS:
        assert not Membership.objects.filter(pk=mara.pk).exists()
    else:
        expect_refused(removed, person)
        assert Membership.objects.filter(pk=mara.pk).exists()
