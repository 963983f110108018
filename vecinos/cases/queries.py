"""Who sees which case, and the reads of the case pages.

A case is visible to (and nobody else, not dispatchers):

- the case workers assigned to it;
- the coordinators of its committee (a coordinator by role with a coordinator's
  membership of that committee);
- admins.

Unassigned cases (the intake queue) are also listed, without any personal field, to
every case worker, coordinator and admin, so one can take them up; opening one still
goes through ``get_case_for_user``. A member who was given a task of a case sees that
task (its title) and can mark it done, never the case.

Getters answer 404 for anything outside reach, exactly like for a case that does not
exist.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from vecinos.accounts.access import parse_uuid
from vecinos.accounts.models import Role, User
from vecinos.cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseState,
    CaseTally,
    CaseTask,
    Facility,
    Hearing,
    Referral,
)


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def may_work_cases(user: Any) -> bool:
    """Case workers, coordinators and admins: those who see the case list at all."""
    return _active(user) and user.role in {Role.CASE_WORKER, Role.COORDINATOR, Role.ADMIN}


def may_open_cases(user: Any) -> bool:
    """Dispatchers and case workers open cases (admins and coordinators too)."""
    return _active(user) and user.role in {
        Role.CASE_WORKER,
        Role.DISPATCHER,
        Role.COORDINATOR,
        Role.ADMIN,
    }


def may_see_statistics(user: Any) -> bool:
    return _active(user) and user.role in {Role.COORDINATOR, Role.ADMIN}


# Who may be given a task of a case: members and responders (accompany to a check-in,
# childcare tonight) and those who work cases. Not dispatchers: their pages stay free
# of case work, and the header's "My tasks" costs them no query.
TASK_ROLES = frozenset(
    {Role.MEMBER, Role.RESPONDER, Role.CASE_WORKER, Role.COORDINATOR, Role.ADMIN}
)


def has_tasks(user: Any) -> bool:
    """For the header link: members and responders with an open task (case workers,
    coordinators and admins reach their tasks from the case list)."""
    return (
        _active(user)
        and user.role in {Role.MEMBER, Role.RESPONDER}
        and CaseTask.objects.filter(assignee=user, done_at__isnull=True).exists()
    )


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Every case ``user`` may open (the rule above)."""
    if not _active(user):
        return Case.objects.none()
    if user.role == Role.ADMIN:
        return Case.objects.all()
    rule = Q(Exists(CaseAssignment.objects.filter(case=OuterRef("pk"), user=user)))
    if user.role == Role.COORDINATOR:
        rule |= Q(committee__memberships__user=user, committee__memberships__role="coordinator")
    elif user.role != Role.CASE_WORKER:
        return Case.objects.none()
    return Case.objects.filter(rule).distinct()


def unassigned_cases_for(user: Any) -> QuerySet[Case]:
    """The intake queue: open cases nobody works yet (listed without personal fields)."""
    if not may_work_cases(user):
        return Case.objects.none()
    return Case.objects.exclude(state=CaseState.CLOSED).exclude(
        Exists(CaseAssignment.objects.filter(case=OuterRef("pk")))
    )


def get_case_for_user(user: Any, case_id: object, *, write: bool = False) -> Case:
    """A case ``user`` may see; ``write`` (working on it) is the same rule except that
    a closed case is read-only for everyone."""
    pk = parse_uuid(case_id)
    try:
        case = cases_visible_to(user).select_related("facility", "committee").get(pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None
    return case


def get_unassigned_case_for_user(user: Any, case_id: object) -> Case:
    """An unassigned open case ``user`` may take up (the intake queue)."""
    pk = parse_uuid(case_id)
    try:
        return unassigned_cases_for(user).get(pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None


def get_task_for_user(user: Any, task_id: object) -> CaseTask:
    """A task assigned to ``user``, or any task of a case ``user`` sees."""
    if not _active(user):
        raise Http404
    try:
        pk = int(str(task_id))
        return CaseTask.objects.select_related("case").get(
            Q(assignee=user) | Q(case__in=cases_visible_to(user)), pk=pk
        )
    except (ValueError, CaseTask.DoesNotExist):
        raise Http404 from None


def get_referral_for_user(user: Any, referral_id: object) -> Referral:
    try:
        pk = int(str(referral_id))
        return Referral.objects.select_related("case").get(pk=pk, case__in=cases_visible_to(user))
    except (ValueError, Referral.DoesNotExist):
        raise Http404 from None


def case_workers() -> QuerySet[User]:
    return User.objects.filter(role=Role.CASE_WORKER, is_active=True).order_by("username")


def task_assignees() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=TASK_ROLES).order_by("username")


def facilities() -> QuerySet[Facility]:
    return Facility.objects.all()


# Pages ------------------------------------------------------------------------------------


@dataclass
class CaseRow:
    """One line of the case list: no personal field."""

    id: uuid.UUID
    reference: str
    state: str
    state_label: str
    source: str
    source_label: str
    opened_at: datetime
    next_hearing: datetime | None
    open_tasks: int
    visible: bool = True


def case_rows(cases: QuerySet[Case], *, viewer: Any = None) -> list[CaseRow]:
    """The list, in three queries whatever its length (cases, hearings, tasks)."""
    found = list(cases.only("id", "state", "source", "opened_at").order_by("-opened_at")[:200])
    ids = [case.pk for case in found]
    visible = (
        set(ids)
        if viewer is None
        else set(cases_visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    )
    hearings: dict[uuid.UUID, datetime] = {}
    for case_id, at in (
        Hearing.objects.filter(case_id__in=ids, at__gte=datetime.now().astimezone())
        .order_by("-at")
        .values_list("case_id", "at")
    ):
        hearings[case_id] = at  # the earliest wins (ordered latest first)
    tasks: dict[uuid.UUID, int] = defaultdict(int)
    for case_id in CaseTask.objects.filter(case_id__in=ids, done_at__isnull=True).values_list(
        "case_id", flat=True
    ):
        tasks[case_id] += 1
    return [
        CaseRow(
            id=case.pk,
            reference=case.reference,
            state=case.state,
            state_label=case.get_state_display(),
            source=case.source,
            source_label=case.get_source_display(),
            opened_at=case.opened_at,
            next_hearing=hearings.get(case.pk),
            open_tasks=tasks[case.pk],
            visible=case.pk in visible,
        )
        for case in found
    ]


def describe(event: CaseEvent) -> str:
    """What the timeline says after the event's type, in the reader's language: states,
    results and answers by their labels, never a raw value."""
    from vecinos.cases.forms import UPDATE_LABELS
    from vecinos.cases.models import HearingKind, LocatorResult, ReferralAnswer

    data = event.data or {}

    def label(choices: Any, value: Any) -> str:
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value or "")

    if event.type == CaseEvent.Type.STATE:
        return f"{label(CaseState, data.get('previous'))} → {label(CaseState, data.get('state'))}"
    if event.type == CaseEvent.Type.LOCATOR_CHECK:
        found = label(LocatorResult, data.get("result"))
        return f"{found}, {data['facility']}" if data.get("facility") else found
    if event.type in {CaseEvent.Type.REFERRAL, CaseEvent.Type.FOLLOW_UP}:
        return str(data.get("organization", ""))
    if event.type == CaseEvent.Type.REFERRAL_ANSWER:
        return f"{data.get('organization', '')}: {label(ReferralAnswer, data.get('answer'))}"
    if event.type == CaseEvent.Type.HEARING:
        return label(HearingKind, data.get("kind"))
    if event.type == CaseEvent.Type.FAMILY_UPDATE:
        return str(UPDATE_LABELS.get(str(data.get("template")), ""))
    if event.type == CaseEvent.Type.FACTS:
        from vecinos.cases.forms import StaffCaseForm

        fields = StaffCaseForm.base_fields
        return ", ".join(
            str(fields[name].label) for name in data.get("fields", []) if name in fields
        )
    if event.type == CaseEvent.Type.ASSIGNED:
        return str(data.get("worker", ""))
    return ""


def timeline(case: Case) -> list[CaseEvent]:
    events = list(
        case.events.select_related("actor").exclude(
            type__in=[CaseEvent.Type.VIEWED, CaseEvent.Type.EXPORTED]
        )
    )
    for event in events:
        event.detail = describe(event)  # type: ignore[attr-defined]
    return events


def audit(case: Case) -> list[CaseEvent]:
    return list(
        case.events.select_related("actor").filter(
            type__in=[CaseEvent.Type.VIEWED, CaseEvent.Type.EXPORTED]
        )
    )


def my_tasks(user: Any) -> list[CaseTask]:
    if not _active(user):
        return []
    return list(
        CaseTask.objects.filter(assignee=user)
        .select_related("case")
        .order_by("done_at", "due_at", "id")
    )


# Statistics -------------------------------------------------------------------------------


@dataclass
class MonthStats:
    month: date
    opened: int = 0
    referred_within_day: int = 0
    represented: int = 0
    released: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


def _month(moment: datetime) -> date:
    return moment.date().replace(day=1)


def statistics() -> list[MonthStats]:
    """Counts by month opened, from the cases kept and the tallies of erased ones.
    Nothing personal goes in or out: only states and times are read."""
    months: dict[date, MonthStats] = {}

    def get(month: date) -> MonthStats:
        if month not in months:
            months[month] = MonthStats(month=month)
        return months[month]

    for opened_at, referred_at, represented_at, released_at, outcome in Case.objects.values_list(
        "opened_at", "referred_at", "represented_at", "released_at", "outcome"
    ):
        row = get(_month(opened_at))
        row.opened += 1
        if referred_at is not None and referred_at - opened_at <= timedelta(hours=24):
            row.referred_within_day += 1
        row.represented += represented_at is not None
        row.released += released_at is not None
        key = outcome or "open"
        row.outcomes[key] = row.outcomes.get(key, 0) + 1
    for tally in CaseTally.objects.all():
        row = get(tally.month)
        row.opened += tally.cases
        row.referred_within_day += tally.referred_within_day
        row.represented += tally.represented
        row.released += tally.released
        row.outcomes[tally.outcome] = row.outcomes.get(tally.outcome, 0) + tally.cases
    return [months[month] for month in sorted(months, reverse=True)]
