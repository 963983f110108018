"""The two-person rule: a draft goes out only when ALERT_APPROVALS_REQUIRED distinct
people stand behind it, the drafter counting as one. With 2 (the default) a second
dispatcher must approve; with 1 (one committee) the drafter's own approval publishes."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from pytest_django import Settings

from tests.conftest import make_user
from tests.servers.subscribers import make_subscription
from vecinos.accounts.access import Forbidden
from vecinos.accounts.models import Role, User
from vecinos.alerts.actions import (
    AlertRefused,
    ApprovalRefused,
    approve_alert,
    cancel_alert,
    draft_alert,
)
from vecinos.alerts.models import Alert, AlertApproval, AlertStatus, Delivery
from vecinos.reports.models import Incident, IncidentStatus

pytestmark = pytest.mark.django_db


def status(alert: Alert) -> str:
    return Alert.objects.get(pk=alert.pk).status


def test_the_drafter_cannot_approve_their_own_alert(
    confirmed_incident: Incident, dani: User
) -> None:
    make_subscription()
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    with pytest.raises(ApprovalRefused, match="another dispatcher") as refused:
        approve_alert(alert=alert, actor=dani)
    assert refused.value.status == 403
    assert status(alert) == AlertStatus.PENDING_APPROVAL
    assert not AlertApproval.objects.exists()
    assert not Delivery.objects.exists()


def test_a_second_dispatchers_approval_publishes_and_fans_out(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    inside = make_subscription()
    alert = draft_alert(incident=confirmed_incident, actor=dani)

    approved = approve_alert(alert=alert, actor=diego)

    assert approved.status == AlertStatus.PUBLISHED
    assert approved.published_at is not None
    assert approved.expires_at is not None and approved.expires_at > timezone.now()
    assert list(Delivery.objects.values_list("subscription_id", flat=True)) == [inside.pk]
    assert [(e.type, e.actor) for e in approved.events.order_by("created_at", "id")] == [
        ("drafted", dani),
        ("approved", diego),
        ("published", diego),
    ]


def test_the_workers_are_woken_only_after_the_commit(
    confirmed_incident: Incident,
    dani: User,
    diego: User,
    django_capture_on_commit_callbacks: Any,
    console_outbox: Any,
) -> None:
    make_subscription(language="es")
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approve_alert(alert=alert, actor=diego)
    assert len(console_outbox) == 0  # nothing has left before the commit
    for callback in callbacks:
        callback()
    assert len(console_outbox) == 1
    assert console_outbox[0].text.startswith("ALERTA")


def test_nobody_approves_twice(
    settings: Settings, confirmed_incident: Incident, dani: User, diego: User
) -> None:
    settings.ALERT_APPROVALS_REQUIRED = 3
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    approve_alert(alert=alert, actor=diego)
    with pytest.raises(AlertRefused, match="already approved"):
        approve_alert(alert=alert, actor=diego)
    assert status(alert) == AlertStatus.PENDING_APPROVAL


def test_three_required_means_the_drafter_and_two_others(
    settings: Settings, confirmed_incident: Incident, dani: User, diego: User, ana: User
) -> None:
    settings.ALERT_APPROVALS_REQUIRED = 3
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    assert approve_alert(alert=alert, actor=diego).status == AlertStatus.PENDING_APPROVAL
    assert approve_alert(alert=alert, actor=ana).status == AlertStatus.PUBLISHED


def test_in_the_one_committee_setting_the_drafters_own_approval_publishes(
    settings: Settings, confirmed_incident: Incident, dani: User
) -> None:
    settings.ALERT_APPROVALS_REQUIRED = 1
    make_subscription()
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    assert status(alert) == AlertStatus.PENDING_APPROVAL  # drafting alone sends nothing
    assert approve_alert(alert=alert, actor=dani).status == AlertStatus.PUBLISHED
    assert Delivery.objects.count() == 1


def test_a_published_alert_cannot_be_approved_again(
    confirmed_incident: Incident, dani: User, diego: User, ana: User
) -> None:
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    approve_alert(alert=alert, actor=diego)
    with pytest.raises(AlertRefused, match="published") as refused:
        approve_alert(alert=alert, actor=ana)
    assert refused.value.status == 409


def test_a_cancelled_draft_cannot_be_approved(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    cancel_alert(alert=alert, actor=diego, reason="wrong incident")
    assert status(alert) == AlertStatus.CANCELLED
    with pytest.raises(AlertRefused):
        approve_alert(alert=alert, actor=dani)
    with pytest.raises(AlertRefused, match="only a draft"):
        cancel_alert(alert=alert, actor=dani)


def test_a_draft_whose_incident_is_no_longer_confirmed_cannot_be_approved(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    Incident.objects.filter(pk=confirmed_incident.pk).update(status=IncidentStatus.FALSE)
    with pytest.raises(AlertRefused, match="no longer confirmed"):
        approve_alert(alert=alert, actor=diego)
    assert status(alert) == AlertStatus.PENDING_APPROVAL


@pytest.mark.parametrize("person", ["rosa", "carmen", "mara"])
def test_only_dispatchers_approve(
    confirmed_incident: Incident, dani: User, person: str, request: pytest.FixtureRequest
) -> None:
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    with pytest.raises(Forbidden):
        approve_alert(alert=alert, actor=request.getfixturevalue(person))
    assert status(alert) == AlertStatus.PENDING_APPROVAL


def test_when_the_drafters_account_is_gone_two_other_people_are_needed(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    other = make_user("dora", Role.DISPATCHER)
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    # What deleting dani's account does to the row (created_by is SET_NULL).
    Alert.objects.filter(pk=alert.pk).update(created_by=None)
    assert approve_alert(alert=alert, actor=other).status == AlertStatus.PENDING_APPROVAL
    assert approve_alert(alert=alert, actor=diego).status == AlertStatus.PUBLISHED
