"""On-call shifts: trained responders sign up and swap; the roster shows coverage;
coordinators see uncovered shifts of the next 48 hours."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import MARIACHI_PLAZA
from tests.organizing.conftest import join, shift_at, train
from vecinos.accounts.models import Role, User
from vecinos.committees.models import Committee
from vecinos.core import geo
from vecinos.organizing import actions
from vecinos.organizing.models import Shift, ShiftAssignment


@pytest.fixture
def tomorrow(committee: Committee, carmen: User) -> Shift:
    return shift_at(committee, carmen, timezone.now() + timedelta(days=1))


def test_a_trained_responder_signs_up_and_only_a_cell_is_kept(
    tomorrow: Shift, trained_rosa: User
) -> None:
    response = signed_in(trained_rosa).post(
        f"/organizing/shifts/{tomorrow.pk}/signup",
        {"position": "on_call", "lat": str(MARIACHI_PLAZA[0]), "lng": str(MARIACHI_PLAZA[1])},
    )

    assignment = ShiftAssignment.objects.get()
    assert response.status_code == 302
    assert (assignment.user, assignment.position) == (trained_rosa, "on_call")
    assert assignment.cell == geo.cell_for(*MARIACHI_PLAZA)
    assert not hasattr(assignment, "lat")


def test_a_member_who_is_not_a_responder_cannot_sign_up(tomorrow: Shift, mara: User) -> None:
    response = signed_in(mara).post(f"/organizing/shifts/{tomorrow.pk}/signup")

    assert response.status_code == 403
    assert not ShiftAssignment.objects.exists()


def test_a_responder_whose_training_expired_cannot_sign_up(
    committee: Committee, tomorrow: Shift, trained_rosa: User
) -> None:
    from vecinos.organizing.models import TrainingRecord

    TrainingRecord.objects.update(expires_on=timezone.localdate() - timedelta(days=1))

    response = signed_in(trained_rosa).post(f"/organizing/shifts/{tomorrow.pk}/signup")

    assert response.status_code == 409
    assert not ShiftAssignment.objects.exists()


def test_responders_swap_a_shift(
    committee: Committee, carmen: User, tomorrow: Shift, trained_rosa: User
) -> None:
    luis = User.objects.create_user(username="luis", password="x", role=Role.RESPONDER)
    join(committee, luis)
    train(committee, luis, by=carmen)
    actions.grant_responder(committee=committee, user=luis, actor=carmen)
    actions.sign_up_shift(shift=tomorrow, user=trained_rosa, actor=trained_rosa)

    signed_in(trained_rosa).post(f"/organizing/shifts/{tomorrow.pk}/offer")
    offered = ShiftAssignment.objects.get()
    response = signed_in(luis).post(
        f"/organizing/shifts/{tomorrow.pk}/take", {"assignment": str(offered.pk)}
    )

    assert response.status_code == 302
    assert list(ShiftAssignment.objects.values_list("user__username", "offered_at")) == [
        ("luis", None)
    ]


def test_a_place_not_offered_cannot_be_taken(
    committee: Committee, carmen: User, tomorrow: Shift, trained_rosa: User, mara: User
) -> None:
    train(committee, mara, by=carmen)
    actions.grant_responder(committee=committee, user=mara, actor=carmen)
    mine = actions.sign_up_shift(shift=tomorrow, user=trained_rosa, actor=trained_rosa)

    response = signed_in(mara).post(
        f"/organizing/shifts/{tomorrow.pk}/take", {"assignment": str(mine.pk)}
    )

    assert response.status_code == 409
    assert ShiftAssignment.objects.get().user == trained_rosa


def test_the_coordinator_adds_a_week_and_sees_the_uncovered_shifts(
    committee: Committee, carmen: User
) -> None:
    client = signed_in(carmen)
    today = timezone.localdate()
    client.post(f"/organizing/c/{committee.slug}/shifts/week", {"first_day": today.isoformat()})

    assert Shift.objects.count() == 14
    page = client.get(f"/organizing/c/{committee.slug}").content.decode()
    assert "in the next 48 hours have nobody on call" in page


def test_revoking_the_responder_role_takes_them_off_coming_shifts(
    committee: Committee, carmen: User, tomorrow: Shift, trained_rosa: User
) -> None:
    actions.sign_up_shift(shift=tomorrow, user=trained_rosa, actor=trained_rosa)

    actions.revoke_responder(committee=committee, user=trained_rosa, actor=carmen)

    assert not ShiftAssignment.objects.exists()


def test_the_roster_offers_no_sign_up_for_a_shift_one_is_on(
    tomorrow: Shift, trained_rosa: User
) -> None:
    actions.sign_up_shift(shift=tomorrow, user=trained_rosa, actor=trained_rosa)

    page = signed_in(trained_rosa).get(f"/organizing/c/{tomorrow.committee.slug}/shifts")

    html = page.content.decode()
    assert f"/organizing/shifts/{tomorrow.pk}/leave" in html
    assert f"/organizing/shifts/{tomorrow.pk}/signup" not in html


def test_after_midnight_the_night_shift_running_now_is_still_on_the_roster(
    committee: Committee, carmen: User, trained_rosa: User
) -> None:
    # 00:30 in Los Angeles: the night shift began at 20:00 and runs until 08:00.
    night = timezone.localtime().replace(hour=20, minute=0, second=0, microsecond=0)
    shift = shift_at(committee, carmen, night - timedelta(days=1))
    with time_machine.travel(night - timedelta(days=1) + timedelta(hours=4, minutes=30)):
        page = signed_in(trained_rosa).get(f"/organizing/c/{committee.slug}/shifts")
        html = page.content.decode()
        assert f"/organizing/shifts/{shift.pk}/signup" in html

        actions.sign_up_shift(shift=shift, user=trained_rosa, actor=trained_rosa)
        html = (
            signed_in(trained_rosa).get(f"/organizing/c/{committee.slug}/shifts").content.decode()
        )
        assert f"/organizing/shifts/{shift.pk}/leave" in html
        assert f"/organizing/shifts/{shift.pk}/signup" not in html
