"""Committees for the organizing tests: Boyle Heights, where carmen coordinates, rosa
is a trained responder and mara a member; East LA, where olga coordinates.

``rosa_phone``: the SMS number rosa set for dispatch requests (and so reminders)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import BOYLE_HEIGHTS, JEFFERSON_HIGH
from vecinos.accounts.models import User
from vecinos.committees.models import Committee, Membership, MembershipRole
from vecinos.core import geo
from vecinos.delivery.models import ResponderContact
from vecinos.organizing import actions
from vecinos.organizing.models import Event, EventKind, Shift, TrainingKind

ROSA_PHONE = "+12135550190"
MARA_PHONE = "+12135550192"


@pytest.fixture
def boyle(db: None) -> Committee:
    return Committee.objects.create(
        name="Boyle Heights",
        slug="boyle-heights",
        kind="neighborhood",
        area_cells=sorted(geo.cells_within(BOYLE_HEIGHTS[0], BOYLE_HEIGHTS[1], 2.0)),
    )


@pytest.fixture
def east(db: None) -> Committee:
    return Committee.objects.create(
        name="South LA",
        slug="south-la",
        kind="school",
        area_cells=sorted(geo.cells_within(JEFFERSON_HIGH[0], JEFFERSON_HIGH[1], 1.0)),
    )


def join(committee: Committee, user: User, role: str = MembershipRole.MEMBER) -> Membership:
    return Membership.objects.create(committee=committee, user=user, role=role)


@pytest.fixture
def committee(
    boyle: Committee, east: Committee, carmen: User, olga: User, rosa: User, mara: User
) -> Committee:
    """Boyle Heights with its people (and olga coordinating South LA)."""
    join(boyle, carmen, MembershipRole.COORDINATOR)
    join(boyle, mara)
    join(boyle, rosa)
    join(east, olga, MembershipRole.COORDINATOR)
    return boyle


def train(committee: Committee, user: User, *, by: User, days_ago: int = 3) -> None:
    actions.record_training(
        committee=committee,
        user=user,
        kind=TrainingKind.RESPONDER,
        completed_on=timezone.localdate() - timedelta(days=days_ago),
        actor=by,
    )


@pytest.fixture
def trained_rosa(committee: Committee, carmen: User, rosa: User) -> User:
    """rosa, trained and made the committee's responder."""
    train(committee, rosa, by=carmen)
    actions.grant_responder(committee=committee, user=rosa, actor=carmen)
    return rosa


@pytest.fixture
def rosa_phone(rosa: User) -> str:
    ResponderContact.objects.create(user=rosa, channel="sms", contact=ROSA_PHONE)
    return ROSA_PHONE


def schedule(
    committee: Committee,
    by: User,
    *,
    in_hours: float = 48,
    kind: str = EventKind.MEETING,
    capacity: int | None = None,
    title: str = "Junta del comité",
) -> Event:
    start = timezone.now() + timedelta(hours=in_hours)
    return actions.create_event(
        committee=committee,
        kind=kind,
        title=title,
        place="Salón parroquial",
        language="es",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
        actor=by,
    )


@pytest.fixture
def event(committee: Committee, carmen: User) -> Event:
    return schedule(committee, carmen)


def shift_at(committee: Committee, by: User, start: datetime, hours: int = 12) -> Shift:
    return actions.create_shift(
        committee=committee, starts_at=start, ends_at=start + timedelta(hours=hours), actor=by
    )


def remind_of_a_shift(
    committee: Committee, coordinator: User, responder: User, channels: tuple[str, ...] = ("sms",)
) -> Shift:
    """``responder`` signs up for a shift starting in 5 hours; an hour before it the
    reminders are queued and the outbox drained on ``channels``."""
    from vecinos.delivery import outbox
    from vecinos.organizing import reminders

    shift = shift_at(committee, coordinator, timezone.now() + timedelta(hours=5))
    actions.sign_up_shift(shift=shift, user=responder, actor=responder)
    with time_machine.travel(shift.starts_at - timedelta(hours=1)):
        reminders.queue_due()
        for channel in channels:
            outbox.drain(channel=channel)
    return shift


@pytest.fixture
def shift_now(committee: Committee, carmen: User) -> Shift:
    """A shift that started an hour ago."""
    return shift_at(committee, carmen, timezone.now() - timedelta(hours=1))
