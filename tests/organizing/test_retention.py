"""The organizing app forgets, on the retention clock: an invitation's number hash once
its event ended, and who was on a shift 30 days after it."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from tests.organizing.conftest import schedule, shift_at
from vecinos.accounts.models import User
from vecinos.committees.models import Committee
from vecinos.core.retention import run_all
from vecinos.organizing import actions
from vecinos.organizing.models import Invitation, Shift, ShiftAssignment


def test_the_number_hash_of_an_invitation_is_forgotten_once_the_event_ended(
    committee: Committee, carmen: User, rosa: User, rosa_phone: str
) -> None:
    soon = schedule(committee, carmen, in_hours=3)
    later = schedule(committee, carmen, in_hours=24 * 5)
    assert Invitation.objects.get(event=soon, user=rosa).sms_hash

    with time_machine.travel(soon.ends_at + timedelta(minutes=1)):
        run_all(timezone.now())

    assert Invitation.objects.get(event=soon, user=rosa).sms_hash == ""
    assert Invitation.objects.get(event=later, user=rosa).sms_hash != ""


def test_who_was_on_a_shift_is_deleted_thirty_days_after_it(
    committee: Committee, carmen: User, trained_rosa: User
) -> None:
    shift = shift_at(committee, carmen, timezone.now() + timedelta(hours=1))
    actions.sign_up_shift(shift=shift, user=trained_rosa, actor=trained_rosa)

    with time_machine.travel(shift.ends_at + timedelta(days=29)):
        run_all(timezone.now())
    assert ShiftAssignment.objects.count() == 1

    with time_machine.travel(shift.ends_at + timedelta(days=31)):
        run_all(timezone.now())
    assert not ShiftAssignment.objects.exists()
    assert Shift.objects.filter(pk=shift.pk).exists()
