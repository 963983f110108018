"""Every committee list page costs the same number of queries with 5 rows as with 50."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_user
from vecinos.accounts.models import Role
from vecinos.committees import actions
from vecinos.committees.models import (
    Announcement,
    Committee,
    ContactAudit,
    Invite,
    JoinRequest,
    Membership,
    Task,
)

pytestmark = pytest.mark.django_db


def grow(world, rows: int) -> None:
    """``rows`` of every listed thing in Boyle Heights (and committees for ana)."""
    committee, carmen = world.committee, world.people["carmen"]
    have = Membership.objects.filter(committee=committee).count()
    for n in range(have, rows):
        user = make_user(f"m{n}", Role.MEMBER)
        channel, normal, key = actions.normalize_contact("sms", f"+1213555{n:04d}")
        Membership.objects.create(
            committee=committee,
            user=user,
            alias=f"M{n}",
            channel=channel,
            contact=normal,
            contact_hash=key,
        )
        Membership.objects.create(
            committee=Committee.objects.create(name=f"C{n}", slug=f"c{n}", kind="school"),
            user=world.people["ana"],
            alias="Ana",
        )
    for model, make in (
        (
            JoinRequest,
            lambda n: JoinRequest(
                committee=committee, alias=f"J{n}", channel="sms", contact_hash=f"h{n}"
            ),
        ),
        (
            Invite,
            lambda n: Invite(
                committee=committee,
                prefix="abc",
                code_hash=f"h{n}",
                expires_at="2099-01-01T00:00:00Z",
                created_by=carmen,
            ),
        ),
        (Task, lambda n: Task(committee=committee, title=f"T{n}", assignee=world.people["mara"])),
        (
            Announcement,
            lambda n: Announcement(
                committee=committee, author=carmen, texts={"es": {"subject": "s", "body": "b"}}
            ),
        ),
        (
            ContactAudit,
            lambda n: ContactAudit(
                committee=committee, actor=carmen, subject=world.people["mara"], kind="view"
            ),
        ),
    ):
        model.objects.bulk_create([make(n) for n in range(model.objects.count(), rows)])


PAGES: dict[str, tuple[str, Callable]] = {
    "list": ("anonymous", lambda w: reverse("committees:list")),
    "home": ("ana", lambda w: reverse("committees:home")),
    "committee": (
        "carmen",
        lambda w: reverse("committees:committee", kwargs={"slug": w.committee.slug}),
    ),
    "announcements": (
        "mara",
        lambda w: reverse("committees:announcements", kwargs={"slug": w.committee.slug}),
    ),
    "tasks": ("carmen", lambda w: reverse("committees:tasks", kwargs={"slug": w.committee.slug})),
    "members": (
        "carmen",
        lambda w: reverse("committees:members", kwargs={"slug": w.committee.slug}),
    ),
    "requests": (
        "carmen",
        lambda w: reverse("committees:requests", kwargs={"slug": w.committee.slug}),
    ),
    "invites": (
        "carmen",
        lambda w: reverse("committees:invites", kwargs={"slug": w.committee.slug}),
    ),
    "audit": ("carmen", lambda w: reverse("committees:audit", kwargs={"slug": w.committee.slug})),
}


def queries(world, page: str) -> int:
    person, url = PAGES[page]
    client = world.client(person)
    client.get(url(world))  # warm: sessions, MFA lookups cached per request anyway
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url(world))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", PAGES)
def test_a_list_page_costs_the_same_with_5_and_50_rows(world, page) -> None:
    world.committee.requires_vouch = True
    world.committee.save()
    grow(world, 5)
    with_5 = queries(world, page)
    grow(world, 50)
    with_50 = queries(world, page)
    assert with_5 == with_50, f"{page}: {with_5} queries with 5 rows, {with_50} with 50"
