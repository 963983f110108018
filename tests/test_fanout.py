"""Fan-out: publishing an alert writes one delivery row per person in the area, once."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.factories import BOYLE_HEIGHTS, JEFFERSON_HIGH, MARIACHI_PLAZA, SANTEE_ALLEY
from tests.servers.subscribers import make_alert, make_subscription
from vecinos.alerts import fanout
from vecinos.alerts.fanout import fan_out
from vecinos.alerts.models import AlertKind, Delivery, DeliveryStatus, SubscriptionStatus

pytestmark = pytest.mark.django_db


def recipients(alert: Any) -> set[Any]:
    return set(Delivery.objects.filter(alert=alert).values_list("subscription_id", flat=True))


def test_people_inside_the_area_get_a_delivery_and_people_outside_do_not() -> None:
    home = make_subscription(at=BOYLE_HEIGHTS)
    nearby = make_subscription(channel="email", at=MARIACHI_PLAZA, radius_km=0.5)
    far = make_subscription(at=JEFFERSON_HIGH, radius_km=0.5)
    downtown = make_subscription(channel="email", at=SANTEE_ALLEY, radius_km=0.5)

    alert = make_alert(at=BOYLE_HEIGHTS, radius_km=2)
    assert fan_out(alert=alert) == 2

    assert recipients(alert) == {home.pk, nearby.pk}
    assert far.pk not in recipients(alert) and downtown.pk not in recipients(alert)


def test_each_delivery_is_queued_on_the_subscriptions_channel() -> None:
    sms = make_subscription(channel="sms")
    email = make_subscription(channel="email")
    alert = make_alert()
    fan_out(alert=alert)

    rows = {row.subscription_id: row for row in Delivery.objects.filter(alert=alert)}
    assert rows[sms.pk].channel == "sms"
    assert rows[email.pk].channel == "email"
    assert {row.status for row in rows.values()} == {DeliveryStatus.QUEUED}


@pytest.mark.parametrize(
    "status",
    [SubscriptionStatus.PENDING, SubscriptionStatus.STOPPED, SubscriptionStatus.DISABLED],
)
def test_subscriptions_that_are_not_active_get_nothing(status: str) -> None:
    make_subscription(status=status)
    alert = make_alert()
    assert fan_out(alert=alert) == 0
    assert not Delivery.objects.filter(alert=alert).exists()


def test_a_subscription_with_many_cells_in_the_area_gets_one_delivery() -> None:
    wide = make_subscription(radius_km=3)  # dozens of cells, all inside the alert's area
    alert = make_alert(radius_km=5)
    assert fan_out(alert=alert) == 1
    assert recipients(alert) == {wide.pk}


def test_running_fan_out_again_creates_no_second_delivery() -> None:
    make_subscription()
    make_subscription(channel="email")
    alert = make_alert()
    assert fan_out(alert=alert) == 2
    assert fan_out(alert=alert) == 0
    assert Delivery.objects.filter(alert=alert).count() == 2


def test_a_subscription_added_between_two_runs_is_the_only_new_row() -> None:
    make_subscription()
    alert = make_alert()
    fan_out(alert=alert)
    late = make_subscription(channel="email")
    assert fan_out(alert=alert) == 1
    assert late.pk in recipients(alert)


def test_an_area_larger_than_one_chunk_of_cells_finds_everyone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fanout, "CELL_CHUNK", 7)  # many chunks for a 2 km area
    people = {make_subscription(at=MARIACHI_PLAZA, radius_km=0.3).pk for _ in range(3)}
    people.add(make_subscription(at=BOYLE_HEIGHTS, radius_km=0.3).pk)
    alert = make_alert(radius_km=2)
    assert fan_out(alert=alert) == 4
    assert recipients(alert) == people


def test_a_retraction_reaches_exactly_the_recipients_of_the_original() -> None:
    reached = [make_subscription(), make_subscription(channel="email")]
    alert = make_alert()
    fan_out(alert=alert)
    Delivery.objects.filter(alert=alert).update(status=DeliveryStatus.SENT)
    # Subscribed after the alert went out, in the same area: not a recipient of the
    # original, so not of its retraction either.
    make_subscription()

    retraction = make_alert(original=alert, kind=AlertKind.RETRACTION)
    assert fan_out(alert=retraction) == 2
    assert recipients(retraction) == {subscription.pk for subscription in reached}


def test_a_retraction_ignores_its_own_area() -> None:
    # Even if the retraction's cells were somewhere else, the original's recipients count.
    person = make_subscription(at=BOYLE_HEIGHTS)
    make_subscription(at=JEFFERSON_HIGH, radius_km=0.5)
    alert = make_alert(at=BOYLE_HEIGHTS)
    fan_out(alert=alert)
    Delivery.objects.filter(alert=alert).update(status=DeliveryStatus.SENT)
    retraction = make_alert(original=alert, kind=AlertKind.RETRACTION, at=JEFFERSON_HIGH)
    fan_out(alert=retraction)
    assert recipients(retraction) == {person.pk}


def test_someone_who_sent_stop_gets_no_retraction() -> None:
    stays, leaves = make_subscription(), make_subscription()
    alert = make_alert()
    fan_out(alert=alert)
    Delivery.objects.filter(alert=alert).update(status=DeliveryStatus.SENT)
    leaves.status = SubscriptionStatus.STOPPED
    leaves.save()

    all_clear = make_alert(original=alert, kind=AlertKind.ALL_CLEAR)
    fan_out(alert=all_clear)
    assert recipients(all_clear) == {stays.pk}


def test_a_retraction_cancels_what_was_not_sent_yet_and_skips_those_people() -> None:
    sent_to, waiting = make_subscription(), make_subscription()
    alert = make_alert()
    fan_out(alert=alert)
    Delivery.objects.filter(alert=alert, subscription=sent_to).update(status=DeliveryStatus.SENT)

    retraction = make_alert(original=alert, kind=AlertKind.RETRACTION)
    fan_out(alert=retraction)

    cancelled = Delivery.objects.get(alert=alert, subscription=waiting)
    assert cancelled.status == DeliveryStatus.SKIPPED
    assert cancelled.error == "retracted"
    assert recipients(retraction) == {sent_to.pk}


def test_an_all_clear_does_not_cancel_the_original() -> None:
    make_subscription()
    alert = make_alert()
    fan_out(alert=alert)
    fan_out(alert=make_alert(original=alert, kind=AlertKind.ALL_CLEAR))
    assert Delivery.objects.get(alert=alert).status == DeliveryStatus.QUEUED


def test_workers_are_woken_only_after_commit(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    woken: list[str] = []
    from vecinos.delivery import tasks

    monkeypatch.setattr(tasks, "deliver", woken.append)
    make_subscription(channel="sms")
    make_subscription(channel="email")
    alert = make_alert()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fan_out(alert=alert)
    assert woken == []  # nothing before commit
    for callback in callbacks:
        callback()
    # One task per channel (two rows fit in one batch); a channel without rows finds
    # nothing due and ends at once.
    assert sorted(woken) == ["email", "sms", "webpush"]


def test_nothing_to_send_wakes_nobody(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    woken: list[str] = []
    from vecinos.delivery import tasks

    monkeypatch.setattr(tasks, "deliver", woken.append)
    with django_capture_on_commit_callbacks(execute=True):
        fan_out(alert=make_alert())
    assert woken == []


def inserts_of(alert: Any) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        fan_out(alert=alert)
    return [query["sql"] for query in queries.captured_queries if "INSERT" in query["sql"]]


def test_fan_out_is_one_insert_per_chunk_of_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(5):
        make_subscription()
    alert = make_alert(radius_km=2)  # about 60 cells
    assert len(inserts_of(alert)) == 1
    assert Delivery.objects.filter(alert=alert).count() == 5
    monkeypatch.setattr(fanout, "CELL_CHUNK", 20)
    again = make_alert(radius_km=2)
    assert len(inserts_of(again)) == math.ceil(len(again.cells) / 20)
    assert Delivery.objects.filter(alert=again).count() == 5
