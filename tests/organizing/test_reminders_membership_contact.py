"""A committee's reminders reach a member first on the contact and channel they gave
that committee when they joined; without one, as before (responder contacts, then the
account's email)."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.organizing.conftest import ROSA_PHONE, remind_of_a_shift, schedule
from vecinos.accounts.models import User
from vecinos.alerts import subscriptions
from vecinos.alerts.models import Delivery
from vecinos.committees.actions import normalize_contact
from vecinos.committees.models import Committee, Membership
from vecinos.delivery import outbox
from vecinos.organizing import actions, reminders
from vecinos.organizing.models import Invitation, Rsvp

ROSA_OWN = "rosa.vecina@example.org"
MARA_OWN = "+12135550111"


def give_contact(committee: Committee, user: User, channel: str, contact: str) -> None:
    channel, normal, key = normalize_contact(channel, contact)
    Membership.objects.filter(committee=committee, user=user).update(
        channel=channel, contact_hash=key
    )
    membership = Membership.objects.get(committee=committee, user=user)
    membership.contact = normal
    membership.save(update_fields=["contact"])


def test_an_event_reminder_goes_to_the_contact_given_the_committee_first(
    committee: Committee,
    east: Committee,
    carmen: User,
    rosa: User,
    mara: User,
    olga: User,
    rosa_phone: str,
    console_outbox,
) -> None:
    give_contact(committee, rosa, "email", ROSA_OWN)  # over her responder SMS number
    give_contact(committee, mara, "sms", MARA_OWN)
    carmen.email = "carmen@example.org"  # no contact given: the account's email
    carmen.save()
    event = schedule(committee, carmen)
    with time_machine.travel(event.starts_at - timedelta(hours=23)):
        reminders.queue_due()
        assert set(Delivery.objects.values_list("recipient_id", "channel")) == {
            (rosa.pk, "email"),
            (mara.pk, "sms"),
            (carmen.pk, "email"),
        }
        for channel in ("sms", "email"):
            outbox.drain(channel=channel)

    assert {message.address for message in console_outbox} == {
        ROSA_OWN,
        MARA_OWN,
        "carmen@example.org",
    }
    assert ROSA_PHONE not in {message.address for message in console_outbox}
    # An SMS answer from the number mara gave the committee is her answer.
    answered = actions.answer_rsvp_by_sms(
        sms_hash=subscriptions.contact_hash("sms", MARA_OWN), answer=Rsvp.YES
    )
    assert answered is not None and answered.user == mara
    assert Invitation.objects.get(event=event, user=mara).rsvp == Rsvp.YES


def test_a_shift_reminder_goes_to_the_contact_given_that_committee_not_another(
    committee: Committee,
    east: Committee,
    carmen: User,
    trained_rosa: User,
    rosa_phone: str,
    console_outbox,
) -> None:
    Membership.objects.create(committee=east, user=trained_rosa)
    give_contact(east, trained_rosa, "email", "rosa.east@example.org")  # not this committee
    give_contact(committee, trained_rosa, "sms", MARA_OWN)
    remind_of_a_shift(committee, carmen, trained_rosa, ("sms", "email"))

    (message,) = console_outbox
    assert message.address == MARA_OWN


def test_without_a_contact_given_the_committee_the_responder_number_is_used(
    committee: Committee, carmen: User, trained_rosa: User, rosa_phone: str, console_outbox
) -> None:
    remind_of_a_shift(committee, carmen, trained_rosa)

    (message,) = console_outbox
    assert message.address == ROSA_PHONE
