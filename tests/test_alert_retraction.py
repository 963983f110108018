"""Retraction and all-clear: one dispatcher, at once, to exactly the people the original
reached, each in their own language; pinned on the public alerts page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import JEFFERSON_HIGH
from tests.servers.subscribers import make_subscription
from vecinos.accounts.access import Forbidden
from vecinos.accounts.models import User
from vecinos.alerts import queries
from vecinos.alerts.actions import (
    AlertRefused,
    InvalidAlert,
    approve_alert,
    draft_alert,
    retract_alert,
)
from vecinos.alerts.models import Alert, AlertKind, AlertStatus, Delivery
from vecinos.reports.models import Incident

pytestmark = pytest.mark.django_db


def recipients(alert: Alert) -> set[Any]:
    return set(Delivery.objects.filter(alert=alert).values_list("subscription_id", flat=True))


@pytest.fixture
def published(confirmed_incident: Incident, dani: User, diego: User) -> Alert:
    make_subscription()
    make_subscription(channel="email", language="es")
    alert = draft_alert(incident=confirmed_incident, actor=dani)
    return approve_alert(alert=alert, actor=diego)


def test_a_retraction_goes_out_at_once_to_exactly_the_original_recipients(
    confirmed_incident: Incident,
    dani: User,
    diego: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    english = make_subscription(language="en")
    spanish = make_subscription(channel="email", language="es")
    make_subscription(at=JEFFERSON_HIGH, radius_km=0.5)  # outside the area
    with django_capture_on_commit_callbacks(execute=True):  # the workers send it
        original = approve_alert(
            alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego
        )
    late = make_subscription()  # subscribed after the alert went out

    retraction = retract_alert(alert=original, reason="Responder found nothing", actor=dani)

    assert retraction.kind == AlertKind.RETRACTION
    assert retraction.status == AlertStatus.PUBLISHED  # no second approval
    assert retraction.original == original
    assert recipients(retraction) == {english.pk, spanish.pk}
    assert late.pk not in recipients(retraction)
    original.refresh_from_db()
    assert original.status == AlertStatus.RETRACTED
    assert original.retracted_at is not None


def test_each_recipient_gets_the_retraction_in_their_language(
    confirmed_incident: Incident,
    dani: User,
    diego: User,
    console_outbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_subscription(language="en")
    make_subscription(language="zh-hant")
    make_subscription(channel="email", language="es")
    with django_capture_on_commit_callbacks(execute=True):
        original = approve_alert(
            alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego
        )
    console_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        retract_alert(alert=original, reason="wrong place", actor=dani)

    texts = sorted(sent.message.subject or sent.text for sent in console_outbox)
    assert len(texts) == 3
    assert any(text.startswith("CORRECTION") for text in texts)
    assert any(text.startswith("CORRECCIÓN") for text in texts)
    assert any(text.startswith("更正") for text in texts)


def test_people_the_alert_had_not_reached_yet_get_neither_it_nor_the_retraction(
    published: Alert, dani: User
) -> None:
    # No worker has run: the original's rows are still queued when it is withdrawn.
    assert Delivery.objects.filter(alert=published, status="queued").exists()
    retraction = retract_alert(alert=published, reason="mistake", actor=dani)
    assert recipients(retraction) == set()
    assert set(Delivery.objects.filter(alert=published).values_list("status", flat=True)) == {
        "skipped"
    }


def test_an_all_clear_reaches_the_same_people(published: Alert, dani: User) -> None:
    all_clear = retract_alert(
        alert=published, reason="Agents left at 11:30", kind=AlertKind.ALL_CLEAR, actor=dani
    )
    assert all_clear.kind == AlertKind.ALL_CLEAR
    assert recipients(all_clear) == recipients(published)
    assert Alert.objects.get(pk=published.pk).status == AlertStatus.RETRACTED


def test_the_same_dispatcher_who_drafted_may_retract(
    confirmed_incident: Incident, dani: User, diego: User
) -> None:
    alert = approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)
    assert retract_alert(alert=alert, reason="mistake", actor=dani).created_by == dani


def test_a_reason_is_required_and_kept_for_the_audit_log(published: Alert, dani: User) -> None:
    with pytest.raises(InvalidAlert) as refused:
        retract_alert(alert=published, reason="  ", actor=dani)
    assert refused.value.field == "reason"
    followup = retract_alert(alert=published, reason="Duplicate of another alert", actor=dani)
    assert followup.reason == "Duplicate of another alert"
    event = published.events.get(type="retracted")
    assert event.actor == dani
    assert event.data["reason"] == "Duplicate of another alert"
    assert event.data["followup"] == str(followup.pk)
    assert [e.type for e in followup.events.order_by("created_at", "id")] == [
        "drafted",
        "published",
    ]


def test_an_unknown_kind_is_refused(published: Alert, dani: User) -> None:
    with pytest.raises(InvalidAlert) as refused:
        retract_alert(alert=published, reason="x", kind="alert", actor=dani)
    assert refused.value.field == "kind"


def test_an_alert_is_retracted_once(published: Alert, dani: User, diego: User) -> None:
    retraction = retract_alert(alert=published, reason="mistake", actor=dani)
    with pytest.raises(AlertRefused, match="retracted"):
        retract_alert(alert=published, reason="again", actor=diego)
    with pytest.raises(AlertRefused, match="cannot itself"):
        retract_alert(alert=retraction, reason="undo", actor=diego)


def test_a_draft_is_cancelled_not_retracted(confirmed_incident: Incident, dani: User) -> None:
    draft = draft_alert(incident=confirmed_incident, actor=dani)
    with pytest.raises(AlertRefused, match="published"):
        retract_alert(alert=draft, reason="no", actor=dani)


@pytest.mark.parametrize("person", ["rosa", "carmen", "mara"])
def test_only_dispatchers_retract(
    published: Alert, person: str, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(Forbidden):
        retract_alert(alert=published, reason="x", actor=request.getfixturevalue(person))
    assert Alert.objects.get(pk=published.pk).status == AlertStatus.PUBLISHED


def test_the_retraction_stays_pinned_for_a_day_after_the_alert_is_gone(
    published: Alert, dani: User
) -> None:
    assert queries.active_public_alerts() == [published]
    retraction = retract_alert(alert=published, reason="mistake", actor=dani)
    now = timezone.now()
    assert queries.active_public_alerts(now=now) == [retraction]
    assert queries.active_public_alerts(now=now + timedelta(hours=23)) == [retraction]
    assert queries.active_public_alerts(now=now + timedelta(hours=25)) == []


def test_retractions_are_pinned_above_the_alerts_in_force(
    confirmed_incident: Incident, published: Alert, dani: User, diego: User
) -> None:
    newer = approve_alert(alert=draft_alert(incident=confirmed_incident, actor=dani), actor=diego)
    retraction = retract_alert(alert=published, reason="mistake", actor=dani)
    assert queries.active_public_alerts() == [retraction, newer]
