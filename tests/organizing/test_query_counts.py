"""Every list page of the organizing app costs the same number of queries with 5 rows
as with 50 (events, members at the door, trainings, shifts, who is on call)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import signed_in
from tests.organizing.conftest import join, schedule, shift_at, train
from vecinos.accounts.models import Role, User
from vecinos.committees.models import Committee
from vecinos.organizing import actions
from vecinos.organizing.models import ShiftAssignment

_made = 0


def _people(committee: Committee, carmen: User, count: int) -> list[User]:
    """``count`` more trained responders of the committee."""
    global _made
    people = []
    for _ in range(count):
        _made += 1
        person = User.objects.create_user(username=f"r{_made}", password="x", role=Role.RESPONDER)
        join(committee, person)
        train(committee, person, by=carmen)
        actions.grant_responder(committee=committee, user=person, actor=carmen)
        people.append(person)
    return people


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _same_for_5_and_50(grow: Callable[[int], None], client, url: str) -> None:  # type: ignore[no-untyped-def]
    grow(5)
    five = _queries(client, url)
    grow(45)
    assert _queries(client, url) == five


def test_the_committee_page_with_5_and_50_events(committee: Committee, carmen: User) -> None:
    def grow(n: int) -> None:
        for i in range(n):
            schedule(committee, carmen, in_hours=30 + i)

    _same_for_5_and_50(grow, signed_in(carmen), f"/organizing/c/{committee.slug}")


def test_the_door_list_with_5_and_50_members(committee: Committee, carmen: User) -> None:
    event = schedule(committee, carmen)

    def grow(n: int) -> None:
        for person in _people(committee, carmen, n):
            actions.mark_attendance(event=event, user=person, present=True, actor=carmen)

    _same_for_5_and_50(grow, signed_in(carmen), f"/organizing/events/{event.pk}")


def test_the_trainings_page_with_5_and_50_members(committee: Committee, carmen: User) -> None:
    _same_for_5_and_50(
        lambda n: _people(committee, carmen, n) and None,
        signed_in(carmen),
        f"/organizing/c/{committee.slug}/trainings",
    )


def test_the_roster_with_5_and_50_shifts(
    committee: Committee, carmen: User, trained_rosa: User
) -> None:
    start = timezone.now() + timedelta(hours=1)
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            shift = shift_at(committee, carmen, start + timedelta(minutes=made[0]), hours=1)
            ShiftAssignment.objects.create(shift=shift, user=trained_rosa)
            made[0] += 1

    _same_for_5_and_50(grow, signed_in(trained_rosa), f"/organizing/c/{committee.slug}/shifts")


def test_the_console_on_call_panel_with_5_and_50_responders_on_call(
    committee: Committee,
    carmen: User,
    shift_now,
    dani: User,  # type: ignore[no-untyped-def]
) -> None:
    def grow(n: int) -> None:
        for person in _people(committee, carmen, n):
            ShiftAssignment.objects.create(shift=shift_now, user=person)

    _same_for_5_and_50(grow, signed_in(dani), "/console")
