"""Messages to the family go through the outbox (one more kind of delivery): hearing
reminders a week and a day before, and family updates, in the family's language."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.cases.conftest import FAMILY_PHONE
from tests.conftest import signed_in
from vecinos.alerts.models import Delivery, DeliveryStatus
from vecinos.cases import actions
from vecinos.cases.models import CaseEvent, CaseTask, HearingKind
from vecinos.delivery import outbox


def _hearing(case, lucia, days: float):
    return actions.add_hearing(
        case=case,
        kind=HearingKind.HEARING,
        at=timezone.now() + timedelta(days=days),
        place="Adelanto Immigration Court",
        actor=lucia,
    )


def test_the_family_is_reminded_a_week_and_a_day_before_in_spanish(
    case, lucia, console_outbox
) -> None:
    hearing = _hearing(case, lucia, days=10)
    assert actions.remind_hearings() == 0
    with time_machine.travel(hearing.at - timedelta(days=6, hours=23)):
        assert actions.remind_hearings() == 1
        assert actions.remind_hearings() == 0  # once, however often the job runs
        outbox.drain(channel="sms")
    with time_machine.travel(hearing.at - timedelta(hours=20)):
        assert actions.remind_hearings() == 1
        outbox.drain(channel="sms")
    texts = [sent.text for sent in console_outbox if sent.address == FAMILY_PHONE]
    assert len(texts) == 2
    assert texts[0].startswith(f"Vecinos, caso {case.reference}: Recordatorio: audiencia")
    assert texts[1].startswith(f"Vecinos, caso {case.reference}: Mañana: audiencia")
    assert "Adelanto Immigration Court" in texts[0]
    sent = Delivery.objects.filter(kind__in=["case_week", "case_day"], status=DeliveryStatus.SENT)
    assert sent.count() == 2
    assert case.events.filter(type=CaseEvent.Type.REMINDER).count() == 2


def test_no_reminder_when_the_family_did_not_ask_for_updates(case, lucia, console_outbox) -> None:
    case.family_updates = False
    case.save()
    hearing = _hearing(case, lucia, days=3)
    with time_machine.travel(hearing.at - timedelta(hours=20)):
        assert actions.remind_hearings() == 0
    assert not Delivery.objects.exists()


def test_a_case_closed_before_its_turn_sends_nothing(case, lucia, console_outbox) -> None:
    hearing = _hearing(case, lucia, days=0.5)
    assert actions.remind_hearings() == 1
    actions.change_state(case=case, state="closed", actor=lucia)
    outbox.drain(channel="sms")
    assert not list(console_outbox)
    assert Delivery.objects.get().status == DeliveryStatus.SKIPPED
    assert hearing.pk


def test_a_family_update_is_templated_in_their_language_with_the_note(
    case, lucia, facility, console_outbox
) -> None:
    actions.record_locator_check(case=case, result="found", facility=facility, actor=lucia)
    answer = signed_in(lucia).post(
        reverse("cases:update", args=[case.pk]),
        {"template": "located", "note": "Puede visitarlo el sábado."},
    )
    assert answer.status_code == 303
    outbox.drain(channel="sms")
    (sent,) = list(console_outbox)
    assert sent.address == FAMILY_PHONE
    assert (
        "Encontramos dónde está detenido su familiar: Adelanto ICE Processing Center." in sent.text
    )
    assert sent.text.endswith("Nota de su trabajador de caso: Puede visitarlo el sábado.")


def test_the_outbox_row_holds_no_contact_and_no_text(case, lucia, console_outbox) -> None:
    actions.send_family_update(case=case, template="searching", note="secret note", actor=lucia)
    row = Delivery.objects.values().get()
    assert row["alert_id"] is None and row["subscription_id"] is None
    assert row["kind"] == "case_update" and row["recipient_id"] == 0
    assert FAMILY_PHONE not in str(row) and "secret" not in str(row)


def test_an_unanswered_referral_becomes_a_follow_up_task(case, lucia) -> None:
    referral = actions.refer_case(
        case=case, organization="CARECEN", follow_up_hours=24, actor=lucia
    )
    assert actions.follow_up_referrals() == 0
    with time_machine.travel(referral.follow_up_at + timedelta(minutes=1)):
        assert actions.follow_up_referrals() == 1
        assert actions.follow_up_referrals() == 0
    task = CaseTask.objects.get(case=case, assignee=lucia)
    assert "CARECEN" in task.title
    assert case.events.filter(type=CaseEvent.Type.FOLLOW_UP).count() == 1


def test_an_answered_referral_needs_no_follow_up(case, lucia) -> None:
    referral = actions.refer_case(case=case, organization="CARECEN", actor=lucia)
    actions.answer_referral(referral=referral, answer="declined", actor=lucia)
    with time_machine.travel(referral.follow_up_at + timedelta(hours=1)):
        assert actions.follow_up_referrals() == 0
