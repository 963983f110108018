"""Answering an invitation by SMS: SI or YES, NO. The answer goes to the person's most
recent invitation still waiting; the other keywords keep working."""

from __future__ import annotations

from tests.conftest import SignedTwilio
from tests.organizing.conftest import ROSA_PHONE, schedule
from vecinos.accounts.models import User
from vecinos.alerts.models import Subscription
from vecinos.committees.models import Committee
from vecinos.organizing.models import Event, Invitation, Rsvp


def test_si_answers_the_most_recent_pending_invitation(
    committee: Committee, carmen: User, rosa: User, rosa_phone: str, twilio_webhook: SignedTwilio
) -> None:
    older = schedule(committee, carmen, in_hours=30, title="Junta")
    newer = schedule(committee, carmen, in_hours=60, title="Taller")

    reply = twilio_webhook.reply("Sí", sender=rosa_phone)

    assert Invitation.objects.get(event=newer, user=rosa).rsvp == Rsvp.YES
    assert Invitation.objects.get(event=older, user=rosa).rsvp == Rsvp.PENDING
    assert Invitation.objects.get(event=newer, user=rosa).answered_via == "sms"
    assert "Taller" in reply


def test_the_next_answer_goes_to_the_next_pending_invitation(
    committee: Committee, carmen: User, rosa: User, rosa_phone: str, twilio_webhook: SignedTwilio
) -> None:
    older = schedule(committee, carmen, in_hours=30, title="Junta")
    schedule(committee, carmen, in_hours=60, title="Taller")
    twilio_webhook.reply("YES", sender=rosa_phone)

    reply = twilio_webhook.reply("no", sender=rosa_phone)

    assert Invitation.objects.get(event=older, user=rosa).rsvp == Rsvp.NO
    assert "Junta" in reply


def test_yes_without_an_invitation_still_turns_alerts_back_on(
    twilio_webhook: SignedTwilio, db: None
) -> None:
    twilio_webhook.reply("JOIN 90033", sender="+12135550177")
    twilio_webhook.reply("STOP", sender="+12135550177")

    reply = twilio_webhook.reply("YES", sender="+12135550177")

    assert Subscription.objects.get().status == "active"
    assert "on again" in reply


def test_an_answer_from_an_unknown_number_gets_help(
    event: Event, twilio_webhook: SignedTwilio
) -> None:
    reply = twilio_webhook.reply("SI", sender="+12135550178")

    assert "JOIN" in reply
    assert not Invitation.objects.exclude(rsvp=Rsvp.PENDING).exists()


def test_stop_still_stops_a_member_with_an_invitation(
    event: Event, rosa: User, rosa_phone: str, twilio_webhook: SignedTwilio
) -> None:
    reply = twilio_webhook.reply("STOP", sender=ROSA_PHONE)

    assert "no more" in reply
    assert Invitation.objects.get(event=event, user=rosa).rsvp == Rsvp.PENDING
