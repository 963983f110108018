"""Dispatch: a dispatcher sends responders to an incident; each responder acknowledges
or declines; requests nobody answers expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import make_user
from tests.factories import BOYLE_HEIGHTS, make_incident, make_report
from vecinos.accounts.access import Forbidden
from vecinos.accounts.models import Role, User
from vecinos.reports import actions
from vecinos.reports.models import (
    Dispatch,
    DispatchStatus,
    Incident,
    IncidentEvent,
    IncidentStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident() -> Incident:
    incident = make_incident(at=BOYLE_HEIGHTS)
    make_report(incident=incident, description="Two vans on Soto St")
    return incident


@pytest.fixture
def ramon(db: None) -> User:
    return make_user("ramon", Role.RESPONDER)


def events(incident: Incident) -> list[str]:
    return list(incident.events.order_by("created_at", "id").values_list("type", flat=True))


# Dispatching ----------------------------------------------------------------------------------


def test_a_dispatcher_sends_a_responder_and_the_incident_becomes_dispatched(
    incident: Incident, dani: User, rosa: User, settings
) -> None:
    settings.DISPATCH_ACK_MINUTES = 10
    before = timezone.now()
    sent = actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)

    assert [d.responder for d in sent] == [rosa]
    dispatch = Dispatch.objects.get(incident=incident, responder=rosa)
    assert dispatch.status == DispatchStatus.REQUESTED
    assert dispatch.dispatched_by == dani
    assert dispatch.acknowledge_by is not None
    assert timedelta(minutes=10) <= dispatch.acknowledge_by - before < timedelta(minutes=11)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DISPATCHED
    event = incident.events.get(type=IncidentEvent.Type.DISPATCHED)
    assert event.actor == dani
    assert event.data["responder"] == rosa.pk  # an id: no name outlives the account


def test_an_admin_may_dispatch_too(incident: Incident, ana: User, rosa: User) -> None:
    actions.dispatch_responders(incident=incident, responders=[rosa], actor=ana)
    assert Dispatch.objects.filter(incident=incident, responder=rosa).exists()


@pytest.mark.parametrize("who", ["rosa", "mara", "olga", "carmen"])
def test_nobody_but_dispatchers_and_admins_may_dispatch(
    incident: Incident, rosa: User, request: pytest.FixtureRequest, who: str
) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        actions.dispatch_responders(incident=incident, responders=[rosa], actor=actor)
    assert not Dispatch.objects.exists()
    assert incident.events.count() == 0


def test_only_responders_can_be_sent(
    incident: Incident, dani: User, mara: User, rosa: User
) -> None:
    with pytest.raises(actions.InvalidInput) as refused:
        actions.dispatch_responders(incident=incident, responders=[rosa, mara], actor=dani)
    assert "mara" in str(refused.value.message)
    assert refused.value.status_code == 422
    assert not Dispatch.objects.exists()


def test_sending_nobody_is_refused(incident: Incident, dani: User) -> None:
    with pytest.raises(actions.InvalidInput):
        actions.dispatch_responders(incident=incident, responders=[], actor=dani)


def test_dispatching_the_same_responder_twice_is_harmless(
    incident: Incident, dani: User, diego: User, rosa: User
) -> None:
    actions.dispatch_responders(incident=incident, responders=[rosa, rosa], actor=dani)
    again = actions.dispatch_responders(incident=incident, responders=[rosa], actor=diego)

    assert again == []
    assert Dispatch.objects.filter(incident=incident).count() == 1
    assert events(incident).count(IncidentEvent.Type.DISPATCHED) == 1


def test_more_responders_can_join_a_dispatched_incident(
    incident: Incident, dani: User, rosa: User, ramon: User
) -> None:
    actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    actions.dispatch_responders(incident=incident, responders=[ramon], actor=dani)
    assert Dispatch.objects.filter(incident=incident).count() == 2


def test_a_responder_who_declined_can_be_asked_again(
    incident: Incident, dani: User, rosa: User
) -> None:
    (dispatch,) = actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    actions.decline_dispatch(dispatch=dispatch, actor=rosa)
    (again,) = actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)

    assert again.pk == dispatch.pk
    again.refresh_from_db()
    assert again.status == DispatchStatus.REQUESTED
    assert again.acknowledged_at is None


@pytest.mark.parametrize(
    "status",
    [
        IncidentStatus.CONFIRMED,
        IncidentStatus.UNCONFIRMED,
        IncidentStatus.FALSE,
        IncidentStatus.CLOSED,
    ],
)
def test_responders_can_only_be_sent_to_new_or_dispatched_incidents(
    dani: User, rosa: User, status: str
) -> None:
    incident = make_incident(status=status)
    with pytest.raises(actions.InvalidTransition) as refused:
        actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    assert "new or dispatched" in str(refused.value.message)
    assert refused.value.status_code == 409
    assert not Dispatch.objects.exists()


# Acknowledging and declining ----------------------------------------------------------------


def test_the_responder_acknowledges_and_the_timeline_says_so(
    incident: Incident, dani: User, rosa: User
) -> None:
    (dispatch,) = actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    actions.acknowledge_dispatch(dispatch=dispatch, actor=rosa)

    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.ACKNOWLEDGED
    assert dispatch.acknowledged_at is not None
    assert events(incident)[-1] == IncidentEvent.Type.ACKNOWLEDGED


def test_acknowledging_twice_is_harmless(incident: Incident, dani: User, rosa: User) -> None:
    (dispatch,) = actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    actions.acknowledge_dispatch(dispatch=dispatch, actor=rosa)
    actions.acknowledge_dispatch(dispatch=dispatch, actor=rosa)
    assert events(incident).count(IncidentEvent.Type.ACKNOWLEDGED) == 1


def test_nobody_else_acknowledges_or_declines_for_the_responder(
    incident: Incident, dani: User, rosa: User, ramon: User
) -> None:
    (dispatch,) = actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    for actor in (ramon, dani):
        with pytest.raises(Forbidden):
            actions.acknowledge_dispatch(dispatch=dispatch, actor=actor)
        with pytest.raises(Forbidden):
            actions.decline_dispatch(dispatch=dispatch, actor=actor)
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.REQUESTED


def test_when_the_only_responder_declines_the_incident_goes_back_to_new(
    incident: Incident, dani: User, rosa: User
) -> None:
    (dispatch,) = actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    actions.decline_dispatch(dispatch=dispatch, actor=rosa)

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW
    declined = incident.events.get(type=IncidentEvent.Type.DECLINED)
    assert declined.data["status"] == IncidentStatus.NEW


def test_while_another_responder_is_going_the_incident_stays_dispatched(
    incident: Incident, dani: User, rosa: User, ramon: User
) -> None:
    sent = actions.dispatch_responders(incident=incident, responders=[rosa, ramon], actor=dani)
    mine = next(d for d in sent if d.responder == rosa)
    actions.decline_dispatch(dispatch=mine, actor=rosa)

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DISPATCHED


def test_a_declined_request_cannot_be_acknowledged(
    incident: Incident, dani: User, rosa: User
) -> None:
    (dispatch,) = actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    actions.decline_dispatch(dispatch=dispatch, actor=rosa)
    with pytest.raises(actions.InvalidTransition) as refused:
        actions.acknowledge_dispatch(dispatch=dispatch, actor=rosa)
    assert "can no longer be acknowledged" in str(refused.value.message)


def test_a_completed_request_cannot_be_declined(incident: Incident, dani: User, rosa: User) -> None:
    (dispatch,) = actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    actions.verify_incident(incident=incident, outcome="confirmed", actor=rosa)
    with pytest.raises(actions.InvalidTransition) as refused:
        actions.decline_dispatch(dispatch=dispatch, actor=rosa)
    assert "can no longer be declined" in str(refused.value.message)


def test_a_request_for_a_closed_incident_cannot_be_acknowledged(
    incident: Incident, dani: User, rosa: User
) -> None:
    (dispatch,) = actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    actions.close_incident(incident=incident, actor=dani)
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.EXPIRED  # closing ended it
    with pytest.raises(actions.InvalidTransition):
        actions.acknowledge_dispatch(dispatch=dispatch, actor=rosa)


# Expiry -------------------------------------------------------------------------------------


def test_an_unacknowledged_request_expires_after_its_time_limit(
    incident: Incident, dani: User, rosa: User, settings
) -> None:
    settings.DISPATCH_ACK_MINUTES = 10
    (dispatch,) = actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)

    assert actions.expire_dispatch(dispatch=dispatch, now=timezone.now()) is False
    later = timezone.now() + timedelta(minutes=11)
    assert actions.expire_dispatch(dispatch=dispatch, now=later) is True
    assert actions.expire_dispatch(dispatch=dispatch, now=later) is False  # twice: harmless

    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.EXPIRED
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW
    assert events(incident).count(IncidentEvent.Type.EXPIRED) == 1


def test_an_acknowledged_request_does_not_expire(
    incident: Incident, dani: User, rosa: User
) -> None:
    (dispatch,) = actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    actions.acknowledge_dispatch(dispatch=dispatch, actor=rosa)
    later = timezone.now() + timedelta(hours=1)
    assert actions.expire_dispatch(dispatch=dispatch, now=later) is False


def test_the_periodic_task_expires_overdue_requests(
    incident: Incident, dani: User, rosa: User, ramon: User, settings
) -> None:
    from vecinos.reports.tasks import expire_dispatches

    settings.DISPATCH_ACK_MINUTES = 10
    sent = actions.dispatch_responders(incident=incident, responders=[rosa, ramon], actor=dani)
    answered = next(d for d in sent if d.responder == ramon)
    actions.acknowledge_dispatch(dispatch=answered, actor=ramon)

    with time_machine.travel(timezone.now() + timedelta(minutes=15)):
        expire_dispatches.call_local()

    statuses = dict(Dispatch.objects.values_list("responder__username", "status"))
    assert statuses == {"rosa": DispatchStatus.EXPIRED, "ramon": DispatchStatus.ACKNOWLEDGED}
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.DISPATCHED


def test_the_responder_is_told_where_they_chose_after_commit(
    incident: Incident,
    dani: User,
    rosa: User,
    console_outbox,
    django_capture_on_commit_callbacks,
) -> None:
    from vecinos.delivery.responders import set_responder_contact

    set_responder_contact(user=rosa, channel="email", address="rosa@example.org", actor=rosa)
    with django_capture_on_commit_callbacks(execute=True):
        (dispatch,) = actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
        assert not console_outbox  # nothing leaves before the commit

    (sent,) = console_outbox
    assert sent.address == "rosa@example.org"
    assert f"/responder/dispatches/{dispatch.pk}" in sent.text
    assert "Two vans" not in sent.text  # no detail of the incident leaves the building


def test_a_failing_notification_does_not_undo_the_dispatch(
    incident: Incident,
    dani: User,
    rosa: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
) -> None:
    from vecinos.delivery import responders

    def broken(dispatch: Dispatch) -> int:
        raise RuntimeError("provider down")

    monkeypatch.setattr(responders, "notify_dispatch", broken)
    with django_capture_on_commit_callbacks(execute=True):
        actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    assert Dispatch.objects.get(responder=rosa).status == DispatchStatus.REQUESTED
