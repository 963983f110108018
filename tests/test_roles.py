"""Roles and the permission-checked getters: who reaches which incident, dispatch and
token. Anything out of reach is a 404, exactly like something that does not exist."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from vecinos.accounts.access import Forbidden, require_role
from vecinos.accounts.actions import create_api_token
from vecinos.accounts.models import Role, User
from vecinos.accounts.queries import get_api_token_for_user
from vecinos.reports.models import Dispatch, DispatchStatus, Incident, Kind
from vecinos.reports.queries import get_dispatch_for_responder, get_incident_for_user

pytestmark = pytest.mark.django_db


def make_incident() -> Incident:
    now = timezone.now()
    return Incident.objects.create(kind=Kind.RAID, first_seen_at=now, last_seen_at=now)


def dispatch(incident: Incident, responder: User, status: str) -> Dispatch:
    return Dispatch.objects.create(incident=incident, responder=responder, status=status)


# Roles ------------------------------------------------------------------------------------


def test_only_admin_coordinator_and_dispatcher_need_a_second_factor(
    ana: User, carmen: User, dani: User, rosa: User, mara: User
) -> None:
    assert [u.needs_mfa for u in (ana, carmen, dani, rosa, mara)] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_every_role_but_member_may_hold_api_tokens(
    ana: User, carmen: User, dani: User, rosa: User, mara: User
) -> None:
    assert [u.may_have_api_tokens for u in (ana, carmen, dani, rosa, mara)] == [
        True,
        True,
        True,
        True,
        False,
    ]


def test_a_deactivated_account_may_hold_no_api_tokens(rosa: User) -> None:
    rosa.is_active = False
    assert not rosa.may_have_api_tokens


def test_dispatchers_and_admins_dispatch(ana: User, dani: User, rosa: User, carmen: User) -> None:
    assert ana.is_dispatcher and dani.is_dispatcher
    assert not rosa.is_dispatcher and not carmen.is_dispatcher


def test_require_role_lets_the_role_and_admins_through(ana: User, dani: User) -> None:
    require_role(dani, Role.DISPATCHER)
    require_role(ana, Role.DISPATCHER)


@pytest.mark.parametrize("name", ["rosa", "carmen", "mara"])
def test_require_role_refuses_other_roles(name: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(name)
    with pytest.raises(Forbidden):
        require_role(user, Role.DISPATCHER)


def test_require_role_refuses_an_anonymous_visitor() -> None:
    with pytest.raises(Forbidden):
        require_role(AnonymousUser(), Role.RESPONDER)  # type: ignore[arg-type]


# Incidents --------------------------------------------------------------------------------


def test_a_dispatcher_sees_any_incident(dani: User) -> None:
    incident = make_incident()
    assert get_incident_for_user(dani, incident.id) == incident
    assert get_incident_for_user(dani, str(incident.id), write=True) == incident


def test_an_admin_sees_any_incident(ana: User) -> None:
    incident = make_incident()
    assert get_incident_for_user(ana, incident.id) == incident


@pytest.mark.parametrize(
    "status", [DispatchStatus.REQUESTED, DispatchStatus.ACKNOWLEDGED, DispatchStatus.COMPLETED]
)
def test_a_responder_sees_an_incident_they_were_dispatched_to(rosa: User, status: str) -> None:
    incident = make_incident()
    dispatch(incident, rosa, status)
    assert get_incident_for_user(rosa, incident.id) == incident


def test_a_responder_does_not_see_an_incident_they_were_not_dispatched_to(
    rosa: User, dani: User
) -> None:
    incident = make_incident()
    other_responder = User.objects.create_user(username="ruben", role=Role.RESPONDER)
    dispatch(incident, other_responder, DispatchStatus.REQUESTED)
    with pytest.raises(Http404):
        get_incident_for_user(rosa, incident.id)


@pytest.mark.parametrize("status", [DispatchStatus.DECLINED, DispatchStatus.EXPIRED])
def test_a_responder_loses_an_incident_they_declined_or_let_expire(rosa: User, status: str) -> None:
    incident = make_incident()
    dispatch(incident, rosa, status)
    with pytest.raises(Http404):
        get_incident_for_user(rosa, incident.id)


@pytest.mark.parametrize("name", ["mara", "carmen", "olga"])
def test_members_and_coordinators_see_no_incident(
    name: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(name)
    incident = make_incident()
    with pytest.raises(Http404):
        get_incident_for_user(user, incident.id)


def test_an_anonymous_visitor_sees_no_incident() -> None:
    incident = make_incident()
    with pytest.raises(Http404):
        get_incident_for_user(AnonymousUser(), incident.id)  # type: ignore[arg-type]


@pytest.mark.parametrize("incident_id", ["not-a-uuid", "", "1; DROP TABLE", None])
def test_a_malformed_incident_id_is_a_404_not_an_error(dani: User, incident_id: object) -> None:
    with pytest.raises(Http404):
        get_incident_for_user(dani, incident_id)


def test_a_missing_incident_is_a_404(dani: User) -> None:
    with pytest.raises(Http404):
        get_incident_for_user(dani, uuid.uuid4())


# Dispatches and tokens --------------------------------------------------------------------


def test_a_responder_reaches_their_own_dispatch(rosa: User) -> None:
    own = dispatch(make_incident(), rosa, DispatchStatus.REQUESTED)
    assert get_dispatch_for_responder(rosa, own.pk) == own
    assert get_dispatch_for_responder(rosa, str(own.pk)) == own


def test_nobody_reaches_someone_elses_dispatch(rosa: User, dani: User) -> None:
    other = User.objects.create_user(username="ruben", role=Role.RESPONDER)
    theirs = dispatch(make_incident(), other, DispatchStatus.REQUESTED)
    for user in (rosa, dani):
        with pytest.raises(Http404):
            get_dispatch_for_responder(user, theirs.pk)
    with pytest.raises(Http404):
        get_dispatch_for_responder(rosa, "x")


def test_a_person_reaches_only_their_own_api_tokens(rosa: User, dani: User, ana: User) -> None:
    token, _ = create_api_token(user=rosa, name="phone", actor=rosa)
    assert get_api_token_for_user(rosa, token.pk) == token
    for user in (dani, ana):
        with pytest.raises(Http404):
            get_api_token_for_user(user, token.pk)
    with pytest.raises(Http404):
        get_api_token_for_user(AnonymousUser(), token.pk)  # type: ignore[arg-type]
    with pytest.raises(Http404):
        get_api_token_for_user(rosa, "x")
