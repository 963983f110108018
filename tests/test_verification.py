"""Verification: what a responder (or a dispatcher) found on the ground, and the
state machine around it: new → dispatched → confirmed | unconfirmed | false → closed.
Every transition the rules do not allow is refused with a message that says why."""

from __future__ import annotations

import pytest

from tests.conftest import make_user
from tests.factories import make_incident, make_report
from vecinos.accounts.access import Forbidden
from vecinos.accounts.models import Role, User
from vecinos.reports import actions
from vecinos.reports.models import (
    Dispatch,
    DispatchStatus,
    Incident,
    IncidentEvent,
    IncidentStatus,
    Verification,
)

pytestmark = pytest.mark.django_db

OUTCOMES = ["confirmed", "unconfirmed", "false"]


@pytest.fixture
def incident() -> Incident:
    incident = make_incident()
    make_report(incident=incident)
    return incident


@pytest.fixture
def dispatched(incident: Incident, dani: User, rosa: User) -> Incident:
    actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)
    incident.refresh_from_db()
    return incident


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_the_dispatched_responder_files_the_outcome(
    dispatched: Incident, rosa: User, outcome: str
) -> None:
    verification = actions.verify_incident(
        incident=dispatched,
        outcome=outcome,
        notes="Two vans, agents left at 10:35",
        vehicles=2,
        officers=6,
        actor=rosa,
    )

    dispatched.refresh_from_db()
    assert dispatched.status == outcome
    assert dispatched.verified_at == verification.created_at
    assert (verification.notes, verification.vehicles, verification.officers) == (
        "Two vans, agents left at 10:35",
        2,
        6,
    )
    assert verification.verified_by == rosa
    assert Dispatch.objects.get(responder=rosa).status == DispatchStatus.COMPLETED
    event = dispatched.events.get(type=IncidentEvent.Type.VERIFIED)
    assert event.data["outcome"] == outcome
    assert event.data["previous"] == IncidentStatus.DISPATCHED
    assert event.actor == rosa


def test_a_dispatcher_may_verify_a_new_incident_directly(incident: Incident, dani: User) -> None:
    actions.verify_incident(incident=incident, outcome="confirmed", actor=dani)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CONFIRMED


def test_a_responder_not_sent_to_the_incident_may_not_verify_it(
    dispatched: Incident, db: None
) -> None:
    other = make_user("ramon", Role.RESPONDER)
    with pytest.raises(Forbidden):
        actions.verify_incident(incident=dispatched, outcome="confirmed", actor=other)
    assert not Verification.objects.exists()


def test_a_responder_who_declined_may_not_verify(dispatched: Incident, rosa: User) -> None:
    dispatch = Dispatch.objects.get(responder=rosa)
    actions.decline_dispatch(dispatch=dispatch, actor=rosa)
    with pytest.raises(Forbidden):
        actions.verify_incident(incident=dispatched, outcome="confirmed", actor=rosa)


@pytest.mark.parametrize("who", ["mara", "olga", "carmen"])
def test_members_and_coordinators_may_not_verify(
    dispatched: Incident, request: pytest.FixtureRequest, who: str
) -> None:
    with pytest.raises(Forbidden):
        actions.verify_incident(
            incident=dispatched, outcome="confirmed", actor=request.getfixturevalue(who)
        )


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("outcome", "maybe", "confirmed, unconfirmed or false"),
        ("notes", "x" * 2001, "at most 2000"),
        ("vehicles", -1, "from 0 to 200"),
        ("vehicles", 201, "from 0 to 200"),
        ("officers", 501, "from 0 to 500"),
    ],
)
def test_bad_values_are_refused_by_name(
    dispatched: Incident, rosa: User, field: str, value: object, words: str
) -> None:
    values: dict[str, object] = {"outcome": "confirmed", field: value}
    with pytest.raises(actions.InvalidInput) as refused:
        actions.verify_incident(incident=dispatched, actor=rosa, **values)  # type: ignore[arg-type]
    assert words in str(refused.value.message)
    assert not Verification.objects.exists()


# The state machine ------------------------------------------------------------------------


def test_a_dispatcher_corrects_confirmed_to_false(
    dispatched: Incident, rosa: User, dani: User
) -> None:
    actions.verify_incident(incident=dispatched, outcome="confirmed", actor=rosa)
    actions.verify_incident(
        incident=dispatched, outcome="false", notes="It was a film set", actor=dani
    )

    dispatched.refresh_from_db()
    assert dispatched.status == IncidentStatus.FALSE
    correction = dispatched.events.filter(type=IncidentEvent.Type.VERIFIED).last()
    assert correction is not None
    assert correction.data == {
        "outcome": "false",
        "previous": "confirmed",
        "correction": True,
        "verification": Verification.objects.latest("id").pk,
    }


@pytest.mark.parametrize("outcome", ["confirmed", "false"])
def test_a_dispatcher_may_upgrade_an_unconfirmed_incident(
    incident: Incident, dani: User, outcome: str
) -> None:
    actions.verify_incident(incident=incident, outcome="unconfirmed", actor=dani)
    actions.verify_incident(incident=incident, outcome=outcome, actor=dani)
    incident.refresh_from_db()
    assert incident.status == outcome


# (status before, outcome asked for, words of the refusal) for a dispatcher.
REFUSED_FOR_DISPATCHERS = [
    ("confirmed", "confirmed", "already Confirmed"),
    ("confirmed", "unconfirmed", "cannot be changed to Unconfirmed"),
    ("unconfirmed", "unconfirmed", "already Unconfirmed"),
    ("false", "confirmed", "cannot be changed to Confirmed"),
    ("false", "unconfirmed", "cannot be changed to Unconfirmed"),
    ("false", "false", "already False"),
    ("closed", "confirmed", "Reopen it"),
    ("closed", "unconfirmed", "Reopen it"),
    ("closed", "false", "Reopen it"),
]


@pytest.mark.parametrize(("status", "outcome", "words"), REFUSED_FOR_DISPATCHERS)
def test_every_other_change_of_outcome_is_refused_with_a_message(
    dani: User, status: str, outcome: str, words: str
) -> None:
    incident = make_incident(status=status)
    with pytest.raises(actions.InvalidTransition) as refused:
        actions.verify_incident(incident=incident, outcome=outcome, actor=dani)
    assert words in str(refused.value.message)
    assert refused.value.status_code == 409
    incident.refresh_from_db()
    assert incident.status == status
    assert not Verification.objects.exists()
    assert incident.events.count() == 0


def test_a_responder_cannot_overrule_an_outcome(
    dispatched: Incident, dani: User, rosa: User, db: None
) -> None:
    ramon = make_user("ramon", Role.RESPONDER)
    actions.dispatch_responders(incident=dispatched, responders=[ramon], actor=dani)
    actions.verify_incident(incident=dispatched, outcome="confirmed", actor=rosa)

    with pytest.raises(actions.InvalidTransition) as refused:
        actions.verify_incident(incident=dispatched, outcome="false", actor=ramon)
    assert "already been checked" in str(refused.value.message)
    assert "Tell the dispatcher" in str(refused.value.message)


def test_a_responder_cannot_file_twice(dispatched: Incident, rosa: User) -> None:
    actions.verify_incident(incident=dispatched, outcome="unconfirmed", actor=rosa)
    with pytest.raises(actions.InvalidTransition):
        actions.verify_incident(incident=dispatched, outcome="confirmed", actor=rosa)


def test_closing_from_any_open_state_and_not_twice(dani: User) -> None:
    for status in ["new", "dispatched", "confirmed", "unconfirmed", "false"]:
        incident = make_incident(status=status)
        actions.close_incident(incident=incident, actor=dani)
        incident.refresh_from_db()
        assert incident.status == IncidentStatus.CLOSED
        assert incident.closed_at is not None
        closed = incident.events.get(type=IncidentEvent.Type.CLOSED)
        assert closed.data["previous"] == status
        with pytest.raises(actions.InvalidTransition) as refused:
            actions.close_incident(incident=incident, actor=dani)
        assert "already closed" in str(refused.value.message)


@pytest.mark.parametrize("who", ["rosa", "mara", "olga"])
def test_only_dispatchers_close_and_reopen(
    request: pytest.FixtureRequest, dani: User, who: str
) -> None:
    actor = request.getfixturevalue(who)
    incident = make_incident()
    with pytest.raises(Forbidden):
        actions.close_incident(incident=incident, actor=actor)
    actions.close_incident(incident=incident, actor=dani)
    with pytest.raises(Forbidden):
        actions.reopen_incident(incident=incident, actor=actor)


def test_reopening_returns_to_the_last_outcome(incident: Incident, dani: User) -> None:
    actions.verify_incident(incident=incident, outcome="confirmed", actor=dani)
    actions.close_incident(incident=incident, actor=dani)
    actions.reopen_incident(incident=incident, actor=dani)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CONFIRMED
    assert incident.closed_at is None
    assert incident.events.last().type == IncidentEvent.Type.REOPENED  # type: ignore[union-attr]


def test_reopening_an_unchecked_incident_makes_it_new(dispatched: Incident, dani: User) -> None:
    actions.close_incident(incident=dispatched, actor=dani)
    actions.reopen_incident(incident=dispatched, actor=dani)
    dispatched.refresh_from_db()
    assert dispatched.status == IncidentStatus.NEW  # closing ended the dispatches


@pytest.mark.parametrize("status", ["new", "dispatched", "confirmed", "unconfirmed", "false"])
def test_only_a_closed_incident_can_be_reopened(dani: User, status: str) -> None:
    incident = make_incident(status=status)
    with pytest.raises(actions.InvalidTransition) as refused:
        actions.reopen_incident(incident=incident, actor=dani)
    assert "Only a closed incident" in str(refused.value.message)


def test_an_incident_merged_away_cannot_be_reopened(dani: User) -> None:
    source, into = make_incident(), make_incident()
    make_report(incident=source)
    actions.merge_incidents(source=source, into=into, actor=dani)
    with pytest.raises(actions.InvalidTransition) as refused:
        actions.reopen_incident(incident=source, actor=dani)
    assert "merged into another" in str(refused.value.message)


def test_a_public_label_is_set_by_a_dispatcher_only(
    incident: Incident, dani: User, rosa: User
) -> None:
    actions.set_public_label(incident=incident, label="  Cesar Chavez Ave &\n Soto St ", actor=dani)
    incident.refresh_from_db()
    assert incident.public_label == "Cesar Chavez Ave & Soto St"
    assert incident.events.get(type=IncidentEvent.Type.LABELLED).data == {
        "label": "Cesar Chavez Ave & Soto St"
    }
    with pytest.raises(Forbidden):
        actions.set_public_label(incident=incident, label="Elsewhere", actor=rosa)
    with pytest.raises(actions.InvalidInput) as refused:
        actions.set_public_label(incident=incident, label="x" * 121, actor=dani)
    assert "at most 120" in str(refused.value.message)
