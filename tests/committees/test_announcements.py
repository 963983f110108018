"""An announcement reaches each member once, in their language, over their channel,
through the alerts' outbox (rows of kind "announcement"); a worker that runs again
sends nothing more; someone who left before their turn is skipped; members read the
archive on the web."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vecinos.alerts.models import Delivery
from vecinos.committees import actions
from vecinos.committees.models import Membership
from vecinos.delivery import outbox

pytestmark = pytest.mark.django_db

TEXTS = {
    "es": {"subject": "Reunión el martes", "body": "A las 7 en la plaza."},
    "en": {"subject": "Meeting on Tuesday", "body": "At 7 at the plaza."},
}


def drain() -> None:
    for channel in outbox.CHANNELS:
        outbox.drain(channel=channel, max_seconds=10)


def test_each_member_gets_it_once_in_their_language(world, carmen, console_outbox) -> None:
    Membership.objects.filter(user__username="rosa").update(language="en")
    announcement = actions.send_announcement(committee=world.committee, texts=TEXTS, actor=carmen)
    assert announcement.recipients == 4
    assert Delivery.objects.filter(kind="announcement", item_id=announcement.pk).count() == 4

    drain()
    drain()

    by_number = {m.address: m for m in console_outbox}
    assert len(console_outbox) == 4
    assert "Meeting on Tuesday" in by_number["+12135550102"].text  # rosa reads English
    assert "Reunión el martes" in by_number["+12135550103"].text  # mara reads Spanish
    assert set(Delivery.objects.filter(kind="announcement").values_list("status", flat=True)) == {
        "sent"
    }


def test_someone_who_left_before_their_turn_is_skipped(world, carmen, console_outbox) -> None:
    actions.send_announcement(committee=world.committee, texts=TEXTS, actor=carmen)
    mara = Membership.objects.get(user__username="mara")
    mara_id = mara.pk
    actions.leave_committee(membership=mara, actor=mara.user)

    drain()

    assert "+12135550103" not in {m.address for m in console_outbox}
    row = Delivery.objects.get(kind="announcement", recipient_id=mara_id)
    assert (row.status, row.error) == ("skipped", "left")


def test_the_same_announcement_cannot_make_a_second_row_per_member(world, carmen) -> None:
    announcement = actions.send_announcement(committee=world.committee, texts=TEXTS, actor=carmen)
    mara = Membership.objects.get(user__username="mara")
    Delivery.objects.bulk_create(
        [
            Delivery(
                kind="announcement", item_id=announcement.pk, recipient_id=mara.pk, channel="sms"
            )
        ],
        ignore_conflicts=True,
    )
    assert Delivery.objects.filter(kind="announcement", recipient_id=mara.pk).count() == 1


def test_an_announcement_needs_a_subject_and_a_message(world, carmen) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.send_announcement(
            committee=world.committee, texts={"es": {"subject": "Solo"}}, actor=carmen
        )
    with pytest.raises(ValidationError):
        actions.send_announcement(committee=world.committee, texts={}, actor=carmen)


def test_members_read_the_archive_and_olga_cannot_send(world, carmen, olga) -> None:
    from vecinos.accounts.access import Forbidden

    actions.send_announcement(committee=world.committee, texts=TEXTS, actor=carmen)
    page = world.client("mara").get(
        reverse("committees:announcements", kwargs={"slug": world.committee.slug})
    )
    assert "Reunión el martes" in page.content.decode()
    with pytest.raises(Forbidden):
        actions.send_announcement(committee=world.committee, texts=TEXTS, actor=olga)
    refused = world.client("mara").post(
        reverse("committees:announce", kwargs={"slug": world.committee.slug}),
        {"subject_es": "x", "body_es": "y"},
    )
    assert refused.status_code == 404
