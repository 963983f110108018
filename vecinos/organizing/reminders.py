"""Reminders through the outbox: event reminders (the day before, two hours before),
shift reminders (before a shift starts) and uncovered-shift notices to coordinators.

Each is one more kind of ``Delivery`` row (``vecinos.delivery.outbox``): one row per
(kind, thing, person), unique, so queueing twice sends nothing twice; the workers
claim, send, retry and record them exactly like alert deliveries. The handlers below
find the contact and word the message when a row is sent (``contacts``), so no
contact is copied into the outbox.

Queueing an event reminder for N members (:func:`queue_event_reminder`):

1. Claim the reminder (``UPDATE … WHERE queued_at IS NULL``): one worker queues it.
2. One ``INSERT … SELECT … ON CONFLICT DO NOTHING`` inside the database: the invited
   members who have not said no, each with the channel they are reached on (an index
   lookup per channel, ``contacts.channel_sql``); no row goes through Python.
3. One count per channel; after commit, the channels' workers are woken. O(N) rows,
   a constant number of statements (benchmarks/reminders.py: 5,000 members).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from vecinos.accounts.models import User
from vecinos.alerts.fanout import QUEUED_COLUMNS, QUEUED_VALUES
from vecinos.alerts.models import Delivery, DeliveryStatus
from vecinos.committees.models import Membership, MembershipRole
from vecinos.delivery import outbox, tasks
from vecinos.delivery.outbox import Prepared
from vecinos.delivery.transports import OutgoingMessage
from vecinos.organizing import contacts, queries
from vecinos.organizing.actions import flag_uncovered_shift
from vecinos.organizing.models import (
    EventReminder,
    Invitation,
    Rsvp,
    Shift,
    ShiftAssignment,
)

EVENT_REMINDER = "event_reminder"
SHIFT_REMINDER = "shift_reminder"
SHIFT_UNCOVERED = "shift_uncovered"
# A shift's reminder goes this long before it starts.
SHIFT_REMINDER_BEFORE = timedelta(hours=2)


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "D j M, H:i")


def _rows(kind: str, ref: int, people: QuerySet[Any], committee_id: int) -> dict[str, int]:
    """One queued outbox row per active person of ``people`` (a query of user ids) who
    can be reached, on their channel for ``committee_id`` (``contacts.channel_sql``:
    the contact they gave the committee first), made inside the
    database: ``INSERT … SELECT … ON CONFLICT DO NOTHING``, so running it twice adds
    nothing. Returns the rows per channel and wakes the workers after commit."""
    quote = connection.ops.quote_name
    meta = Delivery._meta
    columns = ", ".join(
        quote(meta.get_field(name).column)  # type: ignore[union-attr, arg-type]
        for name in ("kind", "item_id", "recipient_id", "channel", *QUEUED_COLUMNS)
    )
    people_sql, people_params = people.query.sql_with_params()
    now = meta.get_field("created_at").get_db_prep_value(timezone.now(), connection)
    user = quote(User._meta.db_table)
    # Only quoted names from the models' metadata and %s placeholders go into the text.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT %s, %s, r.uid, r.channel, {QUEUED_VALUES} FROM ("
        f"SELECT u.{quote('id')} AS uid, {contacts.channel_sql('u', committee_id)} AS channel "
        f"FROM {user} u WHERE u.{quote('is_active')} = %s AND u.{quote('id')} IN ({people_sql})"
        ") AS r WHERE r.channel IS NOT NULL ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, ref, DeliveryStatus.QUEUED, now, now, True, *people_params])
    counts = dict(
        Delivery.objects.filter(kind=kind, item_id=ref)
        .values_list("channel")
        .annotate(rows=Count("id"))
        .values_list("channel", "rows")
    )
    transaction.on_commit(lambda: tasks.wake_channels(counts))
    return counts


def queue_event_reminder(reminder: EventReminder) -> int:
    """Queue one reminder's rows (see the module's docstring); 0 if another worker
    queued it, or the event was cancelled."""
    with transaction.atomic():
        claimed = EventReminder.objects.filter(pk=reminder.pk, queued_at__isnull=True).update(
            queued_at=timezone.now()
        )
        if not claimed:
            return 0
        event = reminder.event
        if event.cancelled_at is not None:
            return 0
        people = Invitation.objects.filter(event=event).exclude(rsvp=Rsvp.NO).values("user_id")
        made = sum(_rows(EVENT_REMINDER, reminder.pk, people, event.committee_id).values())
        EventReminder.objects.filter(pk=reminder.pk).update(queued=made)
    return made


def queue_due(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic job: event reminders due, shift reminders due, uncovered shifts in
    the next 48 hours flagged to the committee's coordinators."""
    moment = now or timezone.now()
    done = {"event_reminders": 0, "shift_reminders": 0, "uncovered": 0}
    for reminder in EventReminder.objects.filter(
        queued_at__isnull=True, due_at__lte=moment
    ).select_related("event"):
        done["event_reminders"] += queue_event_reminder(reminder)
    for shift in Shift.objects.filter(
        reminded_at__isnull=True,
        starts_at__gt=moment,
        starts_at__lte=moment + SHIFT_REMINDER_BEFORE,
    ):
        with transaction.atomic():
            if Shift.objects.filter(pk=shift.pk, reminded_at__isnull=True).update(
                reminded_at=moment
            ):
                people = shift.assignments.values("user_id")
                done["shift_reminders"] += sum(
                    _rows(SHIFT_REMINDER, shift.pk, people, shift.committee_id).values()
                )
    for shift in queries.uncovered_shifts(now=moment).filter(flagged_at__isnull=True):
        with transaction.atomic():
            if flag_uncovered_shift(shift=shift):
                coordinators = Membership.objects.filter(
                    committee_id=shift.committee_id,
                    role=MembershipRole.COORDINATOR,
                    user__is_active=True,
                ).values("user_id")
                done["uncovered"] += sum(
                    _rows(SHIFT_UNCOVERED, shift.pk, coordinators, shift.committee_id).values()
                )
    return done


# Outbox handlers ---------------------------------------------------------------------------


def _url(name: str, *args: Any) -> str:
    return settings.VECINOS_PUBLIC_URL + reverse(name, args=args)


class _Base:
    """A kind's preparer for the outbox (``outbox.register_kind``): for a batch of its
    rows, reads what they need in a few queries (``prepare``), then answers each row
    with its message, or why it is not sent (``verdict``)."""

    def __call__(self, rows: Sequence[Delivery]) -> dict[int, Prepared]:
        self.prepare(rows)
        now = timezone.now()
        answers: dict[int, Prepared] = {}
        for row in rows:
            status, reason = self.verdict(row, now)
            answers[row.pk] = (
                Prepared(status=status, reason=reason)
                if status
                else Prepared(message=self.message(row, now))
            )
        return answers

    def prepare(self, rows: Sequence[Delivery]) -> None:
        raise NotImplementedError

    def verdict(self, row: Delivery, now: datetime) -> tuple[str, str]:
        raise NotImplementedError

    def message(self, row: Delivery, now: datetime) -> OutgoingMessage:
        raise NotImplementedError

    def _people(self, rows: Sequence[Delivery], committee_of: dict[int, int]) -> None:
        """Each row's language and address: the contact the person gave the row's
        committee (``committee_of``: row id -> committee id) when the row is on its
        channel, else their other contacts (``contacts``)."""
        ids = {row.recipient_id for row in rows if row.recipient_id is not None}
        languages: dict[int | None, str] = dict(
            User.objects.filter(pk__in=ids).values_list("pk", "language")
        )
        addresses = contacts.addresses_of(ids)
        own = contacts.membership_addresses(
            (row.recipient_id, committee_of[row.pk])
            for row in rows
            if row.recipient_id is not None and row.pk in committee_of
        )
        for row in rows:
            person = row.recipient_id or 0
            row._language = languages.get(row.recipient_id) or settings.LANGUAGE_CODE  # type: ignore[attr-defined]
            channel, address = own.get((person, committee_of.get(row.pk, 0)), ("", None))
            if channel != row.channel:
                address = addresses.get((person, row.channel))
            row._address = address  # type: ignore[attr-defined]

    def _message(
        self, row: Delivery, subject: str, text: str, url: str, ttl: int
    ) -> OutgoingMessage:
        return OutgoingMessage(
            key=f"d{row.pk}",
            channel=row.channel,
            address=row._address,  # type: ignore[attr-defined]
            subject=subject,
            text=text,
            url=url,
            ttl=max(60, ttl),
        )


class EventReminderKind(_Base):
    """Kind ``event_reminder``: ``item_id`` is the ``EventReminder``, ``recipient_id``
    the invited person's user id."""

    def prepare(self, rows: Sequence[Delivery]) -> None:
        reminders = EventReminder.objects.select_related("event__committee").in_bulk(
            {row.item_id for row in rows}
        )
        answers = {
            (event_id, user_id): rsvp
            for event_id, user_id, rsvp in Invitation.objects.filter(
                event_id__in={r.event_id for r in reminders.values()},
                user_id__in={row.recipient_id for row in rows},
            ).values_list("event_id", "user_id", "rsvp")
        }
        self._people(
            rows,
            {
                row.pk: reminders[row.item_id].event.committee_id
                for row in rows
                if row.item_id in reminders
            },
        )
        for row in rows:
            reminder = reminders.get(row.item_id or 0)
            row._reminder = reminder  # type: ignore[attr-defined]
            key = (reminder.event_id, row.recipient_id or 0) if reminder else (0, 0)
            row._rsvp = answers.get(key)  # type: ignore[attr-defined]

    def verdict(self, row: Delivery, now: datetime) -> tuple[str, str]:
        reminder = row._reminder  # type: ignore[attr-defined]
        if reminder is None or reminder.event.cancelled_at is not None:
            return DeliveryStatus.SKIPPED, "cancelled"
        if row._rsvp == Rsvp.NO:  # type: ignore[attr-defined]
            return DeliveryStatus.SKIPPED, "declined"
        if now >= reminder.event.starts_at:
            return DeliveryStatus.FAILED, "expired"
        if row._address is None:  # type: ignore[attr-defined]
            return DeliveryStatus.FAILED, "no contact"
        return "", ""

    def message(self, row: Delivery, now: datetime) -> OutgoingMessage:
        event = row._reminder.event  # type: ignore[attr-defined]
        url = _url("organizing:event", event.pk)
        with translation.override(row._language):  # type: ignore[attr-defined]
            subject = _("Vecinos: %(title)s, %(when)s") % {
                "title": event.title,
                "when": _when(event.starts_at),
            }
            text = _(
                "Vecinos, %(committee)s: %(title)s, %(when)s. Where and what: %(url)s "
                "Reply SI or YES if you come, NO if you cannot."
            ) % {
                "committee": event.committee.name,
                "title": event.title,
                "when": _when(event.starts_at),
                "url": url,
            }
        return self._message(row, subject, text, url, int((event.starts_at - now).total_seconds()))


class ShiftKind(_Base):
    """Kinds ``shift_reminder`` (to the responders on a shift) and ``shift_uncovered``
    (to the committee's coordinators): ``item_id`` is the ``Shift``, ``recipient_id``
    the person's user id."""

    def __init__(self, *, uncovered: bool) -> None:
        self.uncovered = uncovered

    def prepare(self, rows: Sequence[Delivery]) -> None:
        shifts = Shift.objects.select_related("committee").in_bulk({row.item_id for row in rows})
        on = set(
            ShiftAssignment.objects.filter(shift_id__in=shifts).values_list("shift_id", "user_id")
        )
        self._people(
            rows,
            {row.pk: shifts[row.item_id].committee_id for row in rows if row.item_id in shifts},
        )
        for row in rows:
            row._shift = shifts.get(row.item_id or 0)  # type: ignore[attr-defined]
            row._on = (row.item_id, row.recipient_id or 0) in on  # type: ignore[attr-defined]

    def verdict(self, row: Delivery, now: datetime) -> tuple[str, str]:
        shift = row._shift  # type: ignore[attr-defined]
        if shift is None:
            return DeliveryStatus.SKIPPED, "cancelled"
        if not self.uncovered and not row._on:  # type: ignore[attr-defined]
            return DeliveryStatus.SKIPPED, "left the shift"
        if now >= (shift.starts_at if self.uncovered else shift.ends_at):
            return DeliveryStatus.FAILED, "expired"
        if row._address is None:  # type: ignore[attr-defined]
            return DeliveryStatus.FAILED, "no contact"
        return "", ""

    def message(self, row: Delivery, now: datetime) -> OutgoingMessage:
        shift = row._shift  # type: ignore[attr-defined]
        url = _url("organizing:shifts", shift.committee.slug)
        with translation.override(row._language):  # type: ignore[attr-defined]
            # The day and month names are the reader's too.
            values = {"committee": shift.committee.name, "when": _when(shift.starts_at), "url": url}
            if self.uncovered:
                subject = _("Vecinos: a shift has nobody on call")
                text = (
                    _(
                        "Vecinos, %(committee)s: the on-call shift of %(when)s has nobody on "
                        "call yet. The roster: %(url)s"
                    )
                    % values
                )
            else:
                subject = _("Vecinos: your on-call shift")
                text = (
                    _(
                        "Vecinos, %(committee)s: your on-call shift starts %(when)s. Keep your "
                        "phone at hand. The roster: %(url)s"
                    )
                    % values
                )
        return self._message(row, subject, text, url, int((shift.ends_at - now).total_seconds()))


def register() -> None:
    outbox.register_kind(EVENT_REMINDER, EventReminderKind())
    outbox.register_kind(SHIFT_REMINDER, ShiftKind(uncovered=False))
    outbox.register_kind(SHIFT_UNCOVERED, ShiftKind(uncovered=True))
