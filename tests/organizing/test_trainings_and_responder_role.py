"""Trainings are recorded by coordinators and expire; only a member with a valid
responder training holds the committee's responder role or is dispatched.

The dispatch rule: someone who belongs to a committee is dispatched only with a valid
responder training (any committee's record counts); a responder in no committee is
judged by the account role alone, as before."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import make_incident
from tests.organizing.conftest import train
from vecinos.accounts.models import Role, User
from vecinos.committees.models import Committee, Membership
from vecinos.organizing import actions
from vecinos.organizing.models import TrainingRecord
from vecinos.reports import actions as report_actions
from vecinos.reports import queries as report_queries


def test_a_coordinator_records_a_responder_training_valid_twelve_months(
    committee: Committee, carmen: User, mara: User
) -> None:
    response = signed_in(carmen).post(
        f"/organizing/c/{committee.slug}/trainings/new",
        {"user": "mara", "kind": "responder", "completed_on": "2026-02-28"},
    )

    record = TrainingRecord.objects.get()
    assert response.status_code == 302
    assert (record.user, record.expires_on, record.recorded_by) == (
        mara,
        date(2027, 2, 28),
        carmen,
    )


def test_a_training_in_the_future_is_refused(committee: Committee, carmen: User) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = signed_in(carmen).post(
        f"/organizing/c/{committee.slug}/trainings/new",
        {"user": "mara", "kind": "responder", "completed_on": tomorrow.isoformat()},
    )

    assert response.status_code == 422
    assert not TrainingRecord.objects.exists()


def test_the_responder_role_needs_a_valid_training(
    committee: Committee, carmen: User, mara: User
) -> None:
    response = signed_in(carmen).post(
        f"/organizing/c/{committee.slug}/responders", {"user": "mara", "grant": "1"}
    )

    assert response.status_code == 409
    assert "no valid responder training" in response.content.decode()
    assert Membership.objects.get(user=mara).role == "member"


def test_a_trained_member_is_made_responder_and_can_be_dispatched(
    committee: Committee, carmen: User, mara: User, dani: User
) -> None:
    train(committee, mara, by=carmen)
    signed_in(carmen).post(
        f"/organizing/c/{committee.slug}/responders", {"user": "mara", "grant": "1"}
    )

    mara.refresh_from_db()
    assert Membership.objects.get(user=mara).role == "responder"
    assert mara.role == Role.RESPONDER
    sent = report_actions.dispatch_responders(
        incident=make_incident(), responders=[mara], actor=dani
    )
    assert [d.responder for d in sent] == [mara]


def test_revoking_the_role_ends_the_coming_shifts_and_the_account_role(
    committee: Committee, carmen: User, mara: User
) -> None:
    train(committee, mara, by=carmen)
    actions.grant_responder(committee=committee, user=mara, actor=carmen)

    signed_in(carmen).post(
        f"/organizing/c/{committee.slug}/responders", {"user": "mara", "grant": "0"}
    )

    mara.refresh_from_db()
    assert (Membership.objects.get(user=mara).role, mara.role) == ("member", Role.MEMBER)


def test_a_committee_responder_without_valid_training_is_not_dispatched(
    committee: Committee, rosa: User, dani: User
) -> None:
    with pytest.raises(report_actions.InvalidInput, match="no valid responder training"):
        report_actions.dispatch_responders(incident=make_incident(), responders=[rosa], actor=dani)


def test_an_expired_training_stops_dispatch_and_the_suggestions(
    committee: Committee, carmen: User, rosa: User, dani: User
) -> None:
    train(committee, rosa, by=carmen, days_ago=1)
    report_actions.set_availability(
        responder=rosa, available=True, lat=34.0403, lng=-118.2093, actor=rosa
    )
    incident = make_incident()
    assert [n.responder for n in report_queries.nearest_available_responders(incident)] == [rosa]

    with time_machine.travel(timezone.now() + timedelta(days=370)):
        assert report_queries.nearest_available_responders(incident) == []
        assert rosa not in report_queries.responder_choices()
        with pytest.raises(report_actions.InvalidInput):
            report_actions.dispatch_responders(incident=incident, responders=[rosa], actor=dani)


def test_a_responder_in_no_committee_is_dispatched_as_before(rosa: User, dani: User) -> None:
    sent = report_actions.dispatch_responders(
        incident=make_incident(), responders=[rosa], actor=dani
    )

    assert [d.responder for d in sent] == [rosa]


def test_olga_cannot_record_trainings_in_another_committee(
    committee: Committee, olga: User, mara: User
) -> None:
    with pytest.raises(actions.Forbidden):
        actions.record_training(
            committee=committee,
            user=mara,
            kind="responder",
            completed_on=timezone.localdate(),
            actor=olga,
        )


def test_revoking_keeps_a_network_responder_a_responder(
    committee: Committee, carmen: User, trained_rosa: User
) -> None:
    actions.revoke_responder(committee=committee, user=trained_rosa, actor=carmen)

    trained_rosa.refresh_from_db()
    assert Membership.objects.get(user=trained_rosa).role == "member"
    assert trained_rosa.role == Role.RESPONDER
