"""Event and shift reminders go through the outbox: one row per person, sent once in
their language, skipped for those who said no or an event cancelled."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from tests.organizing.conftest import ROSA_PHONE, remind_of_a_shift, schedule, shift_at
from vecinos.accounts.models import User
from vecinos.alerts.models import Delivery
from vecinos.committees.models import Committee
from vecinos.delivery import outbox
from vecinos.delivery.models import ResponderContact
from vecinos.organizing import actions, reminders
from vecinos.organizing.models import Event


def test_the_day_before_each_invited_member_with_a_contact_gets_one_reminder(
    event: Event, rosa: User, mara: User, rosa_phone: str, console_outbox
) -> None:
    mara.email = "mara@example.org"
    mara.language = "es"
    mara.save()
    with time_machine.travel(event.starts_at - timedelta(hours=23)):
        reminders.queue_due()
        reminders.queue_due()  # a second run queues nothing more
        rows = list(Delivery.objects.filter(kind="event_reminder").order_by("recipient_id"))
        assert {(row.recipient_id, row.channel) for row in rows} == {
            (rosa.pk, "sms"),
            (mara.pk, "email"),
        }
        for channel in ("sms", "email"):
            outbox.drain(channel=channel)

    sent = {message.address: message for message in console_outbox}
    assert set(sent) == {ROSA_PHONE, "mara@example.org"}
    assert "Reply SI or YES" in sent[ROSA_PHONE].text
    assert "Responda SI o YES" in sent["mara@example.org"].text
    assert "Salón parroquial" not in sent[ROSA_PHONE].text  # the place stays on the site
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_who_said_no_gets_no_reminder(
    event: Event, rosa: User, rosa_phone: str, console_outbox
) -> None:
    actions.answer_rsvp(event=event, user=rosa, answer="no", actor=rosa)
    with time_machine.travel(event.starts_at - timedelta(hours=1)):
        reminders.queue_due()
        outbox.drain(channel="sms")

    assert not Delivery.objects.exists()
    assert list(console_outbox) == []


def test_a_reminder_queued_before_the_event_was_cancelled_is_skipped(
    event: Event, carmen: User, rosa: User, rosa_phone: str, console_outbox
) -> None:
    with time_machine.travel(event.starts_at - timedelta(hours=23)):
        reminders.queue_due()
        actions.cancel_event(event=event, actor=carmen)
        outbox.drain(channel="sms")

    assert list(Delivery.objects.values_list("status", "error")) == [("skipped", "cancelled")]
    assert list(console_outbox) == []


def test_responders_on_a_shift_are_reminded_before_it_starts(
    committee: Committee, carmen: User, trained_rosa: User, rosa_phone: str, console_outbox
) -> None:
    remind_of_a_shift(committee, carmen, trained_rosa)

    (message,) = console_outbox
    assert message.address == ROSA_PHONE
    assert "on-call shift" in message.text or "turno" in message.text


def test_an_uncovered_shift_in_the_next_48_hours_is_flagged_to_coordinators_once(
    committee: Committee, carmen: User, olga: User, console_outbox
) -> None:
    ResponderContact.objects.create(user=carmen, channel="email", contact="carmen@example.org")
    shift = shift_at(committee, carmen, timezone.now() + timedelta(hours=30))

    reminders.queue_due()
    reminders.queue_due()
    outbox.drain(channel="email")

    shift.refresh_from_db()
    assert shift.flagged_at is not None
    (message,) = console_outbox
    assert message.address == "carmen@example.org"
    assert "nobody on call" in message.text


def test_reminders_reach_only_the_members_of_the_event(
    committee: Committee, east: Committee, carmen: User, olga: User
) -> None:
    olga.email = "olga@example.org"
    olga.save()
    event = schedule(committee, carmen, in_hours=20)
    with time_machine.travel(event.starts_at - timedelta(hours=1)):
        reminders.queue_due()

    assert not Delivery.objects.filter(recipient_id=olga.pk).exists()


def test_a_shift_reminder_in_spanish_says_the_day_in_spanish(
    committee: Committee, carmen: User, trained_rosa: User, rosa_phone: str, console_outbox
) -> None:
    from django.utils import formats, translation

    trained_rosa.language = "es"
    trained_rosa.save()
    shift = remind_of_a_shift(committee, carmen, trained_rosa)

    (message,) = console_outbox
    local = timezone.localtime(shift.starts_at)
    with translation.override("es"):
        day = formats.date_format(local, "D")
    with translation.override("en"):
        english = formats.date_format(local, "D")
    assert "turno" in message.text
    assert day in message.text
    assert day == english or english not in message.text
