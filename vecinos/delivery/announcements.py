"""How the outbox delivers a committee's announcement (registered from delivery's
``apps.ready``: committees sit below delivery and reach it through
``hooks.announcement_sent``).

An announcement's outbox rows are ``alerts.Delivery`` rows of kind ``announcement``:
``item_id`` the announcement, ``recipient_id`` the membership. For a batch of rows the
preparer reads their announcements and memberships in two queries and renders each
message in the member's language, to the contact and channel on the membership. A
member who left before their turn is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vecinos.alerts.models import Delivery, DeliveryStatus
from vecinos.committees.models import Announcement, Membership
from vecinos.delivery.outbox import Prepared
from vecinos.delivery.transports import OutgoingMessage

KIND = "announcement"

SMS_BODY_LIMIT = 600


def queue(*, announcement_id: int, recipients: Sequence[tuple[int, str]]) -> int:
    """One outbox row per (announcement, membership), inserted idempotently (the unique
    constraint on kind, item and recipient), then the channels' workers rung after
    commit. Called inside the committee's transaction."""
    now = timezone.now()
    made = Delivery.objects.bulk_create(
        [
            Delivery(
                kind=KIND,
                item_id=announcement_id,
                recipient_id=membership_id,
                channel=channel,
                status=DeliveryStatus.QUEUED,
                next_attempt_at=now,
                created_at=now,
            )
            for membership_id, channel in recipients
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    channels = sorted({channel for _id, channel in recipients})
    transaction.on_commit(lambda: _wake(channels))
    return len(made)


def _wake(channels: Sequence[str]) -> None:
    from vecinos.delivery import tasks

    for channel in channels:
        tasks.deliver(channel)


def prepare(rows: Sequence[Delivery]) -> dict[int, Prepared]:
    announcements = Announcement.objects.select_related("committee").in_bulk(
        {row.item_id for row in rows if row.item_id is not None}
    )
    memberships = Membership.objects.in_bulk(
        {row.recipient_id for row in rows if row.recipient_id is not None}
    )
    prepared: dict[int, Prepared] = {}
    for row in rows:
        announcement = announcements.get(row.item_id or 0)
        membership = memberships.get(row.recipient_id or 0)
        if announcement is None:
            prepared[row.pk] = Prepared(status=DeliveryStatus.SKIPPED, reason="withdrawn")
        elif (
            membership is None
            or membership.committee_id != announcement.committee_id
            or not membership.contact
        ):
            prepared[row.pk] = Prepared(status=DeliveryStatus.SKIPPED, reason="left")
        else:
            prepared[row.pk] = Prepared(message=_message(row, announcement, membership))
    return prepared


def _message(row: Delivery, announcement: Announcement, membership: Membership) -> OutgoingMessage:
    committee = announcement.committee
    text = announcement.text_for(membership.language)
    url = settings.VECINOS_PUBLIC_URL + reverse(
        "committees:announcements", kwargs={"slug": committee.slug}
    )
    with translation.override(membership.language):
        subject = _("%(committee)s: %(subject)s") % {
            "committee": committee.name,
            "subject": text["subject"],
        }
        body = text["body"]
        if row.channel == "sms" and len(body) > SMS_BODY_LIMIT:
            body = body[: SMS_BODY_LIMIT - 1] + "…"
        footer = _("Read it on Vecinos: %(url)s") % {"url": url}
    return OutgoingMessage(
        key=f"d{row.pk}",
        channel=row.channel,
        address=membership.contact or "",
        subject=str(subject),
        text=f"{subject}\n\n{body}\n\n{footer}",
        url=url,
        ttl=24 * 3600,
    )
