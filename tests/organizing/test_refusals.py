"""Every organizing page and action, asked by every role: those without the right are
refused (sign-in for the anonymous and the deactivated, 404 outside their committee,
403 inside it without the role). The same table as tests/access/rules_organizing.py,
with this package's people: mara (member), rosa (trained responder), carmen
(coordinator), olga (coordinator of another committee), dani (dispatcher), ana (admin),
gone (deactivated)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import make_user
from vecinos.accounts.models import Role, User
from vecinos.committees.models import Committee, Membership, MembershipRole
from vecinos.organizing import actions
from vecinos.organizing.models import ShiftAssignment

ACTORS = ("anonymous", "mara", "rosa", "carmen", "olga", "dani", "ana", "gone")
MEMBERS = {"mara", "rosa", "carmen", "ana"}
COORDINATORS = {"carmen", "ana"}


@dataclass(frozen=True)
class Case:
    method: str
    url: Callable[[dict[str, Any]], str]
    allowed: set[str]
    data: dict[str, str] = field(default_factory=dict)


CASES = {
    "home": Case("GET", lambda w: "/organizing", {"mara", "rosa", "carmen", "olga", "dani", "ana"}),
    "committee": Case("GET", lambda w: "/organizing/c/boyle-heights", MEMBERS),
    "event_new": Case(
        "POST",
        lambda w: "/organizing/c/boyle-heights/events",
        COORDINATORS,
        {"kind": "meeting", "title": "x", "place": "y", "language": "es"},
    ),
    "calendar_key": Case(
        "POST", lambda w: "/organizing/c/boyle-heights/calendar", {"mara", "rosa", "carmen"}
    ),
    "trainings": Case("GET", lambda w: "/organizing/c/boyle-heights/trainings", COORDINATORS),
    "training_new": Case(
        "POST",
        lambda w: "/organizing/c/boyle-heights/trainings/new",
        COORDINATORS,
        {"user": "mara", "kind": "responder", "completed_on": "2026-01-05"},
    ),
    "raise_own_role": Case(
        "POST",
        lambda w: "/organizing/c/boyle-heights/responders",
        COORDINATORS,
        {"user": "mara", "grant": "1"},
    ),
    "shifts": Case(
        "GET", lambda w: "/organizing/c/boyle-heights/shifts", {"rosa", "carmen", "ana"}
    ),
    "shift_week": Case(
        "POST",
        lambda w: "/organizing/c/boyle-heights/shifts/week",
        COORDINATORS,
        {"first_day": "2026-01-05"},
    ),
    "hotline": Case(
        "POST",
        lambda w: "/organizing/c/boyle-heights/hotline",
        COORDINATORS,
        {"number": "+13235550181"},
    ),
    "event": Case("GET", lambda w: f"/organizing/events/{w['event'].pk}", MEMBERS),
    "event_ics": Case("GET", lambda w: f"/organizing/events/{w['event'].pk}.ics", MEMBERS),
    "rsvp": Case(
        "POST", lambda w: f"/organizing/events/{w['event'].pk}/rsvp", MEMBERS, {"rsvp": "yes"}
    ),
    "attendance": Case(
        "POST",
        lambda w: f"/organizing/events/{w['event'].pk}/attendance",
        COORDINATORS,
        {"user": "mara", "present": "1"},
    ),
    "event_cancel": Case(
        "POST", lambda w: f"/organizing/events/{w['event'].pk}/cancel", COORDINATORS
    ),
    "shift_signup": Case("POST", lambda w: f"/organizing/shifts/{w['shift'].pk}/signup", {"rosa"}),
    "shift_leave": Case("POST", lambda w: f"/organizing/shifts/{w['shift'].pk}/leave", {"rosa"}),
    "shift_offer": Case("POST", lambda w: f"/organizing/shifts/{w['shift'].pk}/offer", {"rosa"}),
    "shift_take": Case(
        "POST",
        lambda w: f"/organizing/shifts/{w['shift'].pk}/take",
        {"rosa"},
        {"assignment": "OFFERED"},
    ),
}


@pytest.fixture
def world(
    committee: Committee, carmen: User, mara: User, trained_rosa: User, dani: User, ana: User
) -> dict[str, Any]:
    start = timezone.now() + timedelta(days=2)
    event = actions.create_event(
        committee=committee,
        kind="meeting",
        title="Junta",
        place="Salón",
        language="es",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        actor=carmen,
    )
    shift = actions.create_shift(
        committee=committee, starts_at=start, ends_at=start + timedelta(hours=12), actor=carmen
    )
    ShiftAssignment.objects.create(shift=shift, user=trained_rosa)
    luis = User.objects.create_user(username="luis", password="x", role=Role.RESPONDER)
    Membership.objects.create(committee=committee, user=luis, role=MembershipRole.RESPONDER)
    offered = ShiftAssignment.objects.create(shift=shift, user=luis, offered_at=timezone.now())
    gone = make_user("gone", Role.DISPATCHER)
    gone.is_active = False
    gone.save()
    return {"event": event, "shift": shift, "offered": offered, "gone": gone}


def _client(actor: str) -> Client:
    client = Client()
    if actor != "anonymous":
        client.force_login(User.objects.get(username=actor))
    return client


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_page_refuses_everyone_without_the_right(name: str, world: dict[str, Any]) -> None:
    case = CASES[name]
    url = case.url(world)
    data = {k: (str(world["offered"].pk) if v == "OFFERED" else v) for k, v in case.data.items()}
    for actor in ACTORS:
        client = _client(actor)
        response = client.get(url) if case.method == "GET" else client.post(url, data)
        status = response.status_code
        assert status < 500, (actor, status)
        if actor in case.allowed:
            assert status not in (401, 403, 404) and not (
                status == 302 and "/accounts/login" in response["Location"]
            ), (actor, status)
        elif actor in ("anonymous", "gone"):
            assert status == 302 and "/accounts/login" in response["Location"], (actor, status)
        else:
            assert status in (403, 404), (actor, status)


def test_outside_the_committee_the_answer_is_404_not_403(
    world: dict[str, Any], olga: User, dani: User
) -> None:
    for actor in ("olga", "dani"):
        client = _client(actor)
        assert client.get("/organizing/c/boyle-heights").status_code == 404
        assert client.get(f"/organizing/events/{world['event'].pk}").status_code == 404
        assert client.post(f"/organizing/shifts/{world['shift'].pk}/signup").status_code == 404
