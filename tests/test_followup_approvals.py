"""A follow-up that carries a note is free text to every recipient of the original,
so it needs the same approvals as an alert; a published alert past its time in force
becomes expired, and only an admin may issue a correction to it. A single dispatcher
can no longer broadcast free text to every recipient of any alert, forever."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.servers.subscribers import make_subscription
from vecinos.accounts.models import User
from vecinos.alerts import actions
from vecinos.alerts.actions import (
    AlertRefused,
    ApprovalRefused,
    approve_alert,
    draft_alert,
    retract_alert,
)
from vecinos.alerts.models import (
    Alert,
    AlertEvent,
    AlertKind,
    AlertStatus,
    Delivery,
    DeliveryStatus,
)
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(confirmed_incident: Incident, dani: User, diego: User) -> Alert:
    make_subscription()
    make_subscription(channel="email", language="es")
    return approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)


def past_its_time(alert: Alert, settings: Any) -> Any:
    assert alert.expires_at is not None
    return time_machine.travel(alert.expires_at + timedelta(minutes=1), tick=False)


def test_a_follow_up_with_a_note_waits_for_a_second_dispatcher(
    published: Alert, dani: User, diego: User
) -> None:
    followup = retract_alert(
        alert=published,
        reason="over",
        kind=AlertKind.ALL_CLEAR,
        note="Meet at the church",
        actor=dani,
    )

    assert followup.status == AlertStatus.PENDING_APPROVAL
    assert not Delivery.objects.filter(alert=followup).exists()
    published.refresh_from_db()
    assert published.status == AlertStatus.PUBLISHED
    with pytest.raises(ApprovalRefused):
        approve_alert(alert=followup, actor=dani)

    approve_alert(alert=followup, actor=diego)

    followup.refresh_from_db()
    published.refresh_from_db()
    assert followup.status == AlertStatus.PUBLISHED
    assert published.status == AlertStatus.RETRACTED
    assert Delivery.objects.filter(alert=followup).count() == 2


def test_a_follow_up_without_a_note_still_goes_out_at_once(published: Alert, dani: User) -> None:
    Delivery.objects.filter(alert=published).update(status=DeliveryStatus.SENT)
    followup = retract_alert(alert=published, reason="nothing there", actor=dani)

    assert followup.status == AlertStatus.PUBLISHED
    assert Delivery.objects.filter(alert=followup).count() == 2


def test_a_published_alert_past_its_time_becomes_expired(published: Alert, settings: Any) -> None:
    with past_its_time(published, settings):
        assert actions.expire_alerts() == 1
        assert actions.expire_alerts() == 0

    published.refresh_from_db()
    assert published.status == AlertStatus.EXPIRED
    assert AlertEvent.objects.filter(alert=published, type="expired").count() == 1


def test_a_dispatcher_cannot_correct_an_expired_alert(
    published: Alert, dani: User, settings: Any
) -> None:
    with past_its_time(published, settings):
        # Not yet marked by the minute's job: the retraction marks it and refuses.
        with pytest.raises(AlertRefused, match="Only an admin"):
            retract_alert(alert=published, reason="old", note="free text to everyone", actor=dani)
        with pytest.raises(AlertRefused, match="Only an admin"):
            retract_alert(alert=published, reason="old", actor=dani)

    assert Alert.objects.filter(original=published).count() == 0


def test_an_admin_may_correct_an_expired_alert_with_the_approvals_a_note_needs(
    published: Alert, ana: User, diego: User, settings: Any
) -> None:
    Delivery.objects.filter(alert=published).update(status=DeliveryStatus.SENT)
    with past_its_time(published, settings):
        actions.expire_alerts()
        followup = retract_alert(
            alert=published, reason="it was wrong", note="There was no raid", actor=ana
        )
        assert followup.status == AlertStatus.PENDING_APPROVAL
        approve_alert(alert=followup, actor=diego)

    published.refresh_from_db()
    assert published.status == AlertStatus.RETRACTED
    assert Delivery.objects.filter(alert=followup).count() == 2


def test_the_console_form_says_a_note_waits_for_approval(
    published: Alert, dani: User, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.conftest import signed_in

    response = signed_in(dani).post(
        f"/console/alerts/{published.pk}/retract",
        {"reason": "over", "kind": "all_clear", "note": "Meet at the church", "confirm": "1"},
        follow=True,
    )

    assert response.status_code == 200
    assert "waits for a second dispatcher" in response.content.decode()
    assert timezone.now() < published.expires_at  # type: ignore[operator]
