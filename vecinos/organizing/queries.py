"""Reads of the organizing app, and the permission-checked getters (404 outside a
person's reach, exactly like something that does not exist).

Who reaches what (docs/architecture.md, "Organizing"):

- a committee's events, its calendar and its roster: its members (any committee
  role) and admins;
- changing them (events, attendance, trainings, roles, shifts, the hotline): the
  committee's coordinators (``Membership.role == "coordinator"``) and admins;
- signing up for a shift: the committee's responders with a valid responder training.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from vecinos.accounts.models import Role, User
from vecinos.committees import queries as committee_queries
from vecinos.committees.models import Committee, Membership
from vecinos.core import geo
from vecinos.organizing.models import (
    Event,
    Invitation,
    Position,
    Rsvp,
    Shift,
    ShiftAssignment,
    TrainingKind,
    TrainingRecord,
)

# Shifts starting within this many hours without enough responders are flagged.
UNCOVERED_HOURS = 48


# Roles ------------------------------------------------------------------------------------


# Who belongs to a committee and who coordinates it are the committees app's rules
# (vecinos/committees/queries.py); organizing asks the same questions.
membership = committee_queries.membership_of
is_coordinator = committee_queries.can_coordinate
get_committee_for_user = committee_queries.get_committee_for_user


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise Http404 from None


def _of_committee_for_user[M: (Event, Shift)](
    model: type[M], user: User, pk: object, *, write: bool
) -> M:
    """The row ``pk`` of ``model`` if ``user`` reaches its committee (``write``:
    coordinates it); else 404."""
    found = model._default_manager.select_related("committee").filter(pk=_int(pk)).first()
    if found is None:
        raise Http404
    get_committee_for_user(user, found.committee.slug, write=write)
    return found


def get_event_for_user(user: User, event_id: object, *, write: bool = False) -> Event:
    """An event of a committee ``user`` belongs to (``write``: coordinates)."""
    return _of_committee_for_user(Event, user, event_id, write=write)


def get_shift_for_user(user: User, shift_id: object, *, write: bool = False) -> Shift:
    return _of_committee_for_user(Shift, user, shift_id, write=write)


def committees_of(user: User) -> QuerySet[Committee]:
    if not user.is_authenticated:
        return Committee.objects.none()
    if user.role == Role.ADMIN:
        return Committee.objects.all()
    return Committee.objects.filter(memberships__user=user).distinct()


# Trainings --------------------------------------------------------------------------------


def valid_trainings(kind: str, on: date) -> QuerySet[TrainingRecord]:
    return TrainingRecord.objects.filter(kind=kind, completed_on__lte=on).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on)
    )


def trained_responders(user_ids: Iterable[int], *, on: date | None = None) -> set[int]:
    """Those of ``user_ids`` with a valid responder training today (any committee's
    record counts: a training is the person's, not the committee's). One query."""
    day = on or timezone.localdate()
    ids = list(user_ids)
    if not ids:
        return set()
    return set(
        valid_trainings(TrainingKind.RESPONDER, day)
        .filter(user_id__in=ids)
        .values_list("user_id", flat=True)
    )


def in_any_committee(user_ids: Iterable[int]) -> set[int]:
    ids = list(user_ids)
    if not ids:
        return set()
    return set(
        Membership.objects.filter(user_id__in=ids).values_list("user_id", flat=True).distinct()
    )


def untrained_committee_people(user_ids: Iterable[int]) -> set[int]:
    """The dispatch rule: those of ``user_ids`` who belong to a committee and have no
    valid responder training. People in no committee (network responders) are judged
    by their global role alone. Two queries."""
    ids = list(user_ids)
    if not ids:
        return set()
    valid = valid_trainings(TrainingKind.RESPONDER, timezone.localdate()).values("user_id")
    return set(
        Membership.objects.filter(user_id__in=ids)
        .exclude(user_id__in=valid)
        .values_list("user_id", flat=True)
        .distinct()
    )


# Events -----------------------------------------------------------------------------------


def committee_events(committee: Committee, *, now: datetime | None = None) -> QuerySet[Event]:
    """Coming events (and those of the last day), with their RSVP counts: one query."""
    since = (now or timezone.now()) - timedelta(days=1)
    return (
        Event.objects.filter(committee=committee, ends_at__gte=since)
        .annotate(
            coming=Count("invitations", filter=Q(invitations__rsvp=Rsvp.YES)),
            attended=Count("invitations", filter=Q(invitations__attended_at__isnull=False)),
        )
        .order_by("starts_at", "id")
    )


def event_invitations(event: Event) -> QuerySet[Invitation]:
    return event.invitations.select_related("user").order_by("user__username")


def my_invitation(user: User, event: Event) -> Invitation | None:
    return Invitation.objects.filter(event=event, user=user).first()


def coming_count(event: Event) -> int:
    return event.invitations.filter(rsvp=Rsvp.YES).count()


# Shifts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    shift: Shift
    on_call: list[ShiftAssignment]
    backup: list[ShiftAssignment]

    @property
    def covered(self) -> bool:
        return len(self.on_call) >= self.shift.needed


def roster(committee: Committee, *, start: datetime, days: int = 7) -> list[RosterRow]:
    """The shifts running at any time of the week from ``start`` (a night shift that
    began the evening before is on it) with who is on them: two queries."""
    shifts = list(
        Shift.objects.filter(
            committee=committee, ends_at__gt=start, starts_at__lt=start + timedelta(days=days)
        ).order_by("starts_at", "id")
    )
    by_shift: dict[int, list[ShiftAssignment]] = {shift.pk: [] for shift in shifts}
    for assignment in (
        ShiftAssignment.objects.filter(shift__in=shifts)
        .select_related("user")
        .order_by("created_at", "id")
    ):
        by_shift[assignment.shift_id].append(assignment)
    return [
        RosterRow(
            shift=shift,
            on_call=[a for a in by_shift[shift.pk] if a.position == Position.ON_CALL],
            backup=[a for a in by_shift[shift.pk] if a.position == Position.BACKUP],
        )
        for shift in shifts
    ]


def uncovered_shifts(
    committee: Committee | None = None, *, now: datetime | None = None
) -> QuerySet[Shift]:
    """Shifts starting in the next ``UNCOVERED_HOURS`` hours with fewer responders on
    call than needed."""
    moment = now or timezone.now()
    shifts = Shift.objects.filter(
        starts_at__gte=moment, starts_at__lt=moment + timedelta(hours=UNCOVERED_HOURS)
    )
    if committee is not None:
        shifts = shifts.filter(committee=committee)
    return (
        shifts.annotate(
            taken=Count("assignments", filter=Q(assignments__position=Position.ON_CALL))
        )
        .filter(taken__lt=F("needed"))
        .order_by("starts_at", "id")
    )


@dataclass(frozen=True)
class OnCall:
    user: User
    committee: Committee
    position: str
    cell: int | None
    ends_at: datetime
    distance_km: float | None = None


def on_call_now(*, now: datetime | None = None) -> list[OnCall]:
    """Everyone on a shift right now (on call, then backups), with a valid
    responder training: one query for the assignments, one for the trainings."""
    moment = now or timezone.now()
    rows = list(
        ShiftAssignment.objects.filter(
            shift__starts_at__lte=moment, shift__ends_at__gt=moment, user__is_active=True
        )
        .select_related("user", "shift__committee")
        .order_by("position", "shift__committee__name", "user__username")
    )
    trained = trained_responders({row.user_id for row in rows}, on=moment.date())
    return [
        OnCall(
            user=row.user,
            committee=row.shift.committee,
            position=row.position,
            cell=row.cell,
            ends_at=row.shift.ends_at,
        )
        for row in rows
        if row.user_id in trained
    ]


def suggest_on_call(cell: int | None, *, now: datetime | None = None) -> list[OnCall]:
    """On-call responders (not backups) whose committee's area holds ``cell``,
    nearest first: the distance between the centres of their on-call cell and the
    incident's cell (a cell-to-cell distance: neither is a point anyone gave)."""
    if cell is None:
        return []
    lat, lng = geo.cell_center(cell)
    found: list[OnCall] = []
    for row in on_call_now(now=now):
        if row.position != Position.ON_CALL or cell not in set(row.committee.area_cells or []):
            continue
        distance = None
        if row.cell is not None:
            there = geo.cell_center(row.cell)
            distance = round(geo.distance_km(lat, lng, there[0], there[1]), 1)
        found.append(OnCall(row.user, row.committee, row.position, row.cell, row.ends_at, distance))
    found.sort(key=lambda r: (r.distance_km is None, r.distance_km or 0.0, r.user.username))
    return found
