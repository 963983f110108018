"""The family's messages, as kinds of outbox delivery (vecinos/delivery/outbox.py,
``register_kind``). A row holds only its kind and ids, never a contact or a text:

- ``case_week`` / ``case_day``: a hearing's reminders (``item_id`` = the hearing);
- ``case_update``: a family update (``item_id`` = its ``CaseEvent``, which holds the
  template key and the optional note).

``recipient_id`` is 0: the one recipient is the case's family contact. When a worker
sends the rows, ``prepare`` reads the contact from the case (decrypted there) and
builds the text from vecinos/cases/phrases.py in the family's language. A case closed
or erased meanwhile, or whose family stopped updates, gets nothing (skipped).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from vecinos.alerts.models import Delivery, DeliveryStatus
from vecinos.cases import phrases
from vecinos.cases.models import Case, CaseEvent, Hearing
from vecinos.delivery.outbox import Prepared
from vecinos.delivery.transports.base import OutgoingMessage

TTL = 24 * 3600
WEEK, DAY, UPDATE = "case_week", "case_day", "case_update"
KINDS = (WEEK, DAY, UPDATE)
FAMILY = 0  # recipient_id: the case's family contact


def queue(*, kind: str, item_id: int, channel: str) -> bool:
    """One message in the outbox, once per (kind, item); the workers are rung after
    commit. Returns whether a row was added."""
    from vecinos.delivery import tasks

    try:
        with transaction.atomic():
            Delivery.objects.create(
                kind=kind, item_id=item_id, recipient_id=FAMILY, channel=channel
            )
    except IntegrityError:
        return False
    transaction.on_commit(partial(tasks.deliver, channel))
    return True


def _sendable(case: Case) -> bool:
    return bool(case.is_open and case.family_updates and case.family_contact)


def hearing_text(hearing: Hearing, which: str, book: phrases.Book) -> str:
    local = timezone.localtime(hearing.at)
    sentence = book.week if which == "week" else book.day
    place = book.at_place.format(place=hearing.place) if hearing.place else ""
    return sentence.format(
        kind=book.kinds[hearing.kind],
        date=local.strftime("%Y-%m-%d"),
        time=local.strftime("%H:%M"),
        place=place,
    )


def update_text(case: Case, template: str, note: str, book: phrases.Book) -> str:
    facility = case.facility.name if case.facility is not None else ""
    text = book.updates[template].format(facility=facility)
    if note:
        text = f"{text} {book.note} {note}"
    return text


def _message(row: Delivery, case: Case, body: str) -> Prepared:
    if not _sendable(case):
        return Prepared(status=DeliveryStatus.SKIPPED, reason="gone")
    book = phrases.book(case.family_language)
    return Prepared(
        message=OutgoingMessage(
            key=f"d{row.pk}",
            channel=row.channel,
            address=case.family_contact,
            subject=book.subject.format(ref=case.reference),
            text=f"{book.signature.format(ref=case.reference)} {body}",
            ttl=TTL,
        )
    )


def prepare(rows: Sequence[Delivery]) -> dict[int, Prepared]:
    """The outbox's preparer for the three kinds: one query per kind for the batch."""
    now: datetime = timezone.now()
    gone = Prepared(status=DeliveryStatus.SKIPPED, reason="gone")
    answers: dict[int, Prepared] = {row.pk: gone for row in rows}
    hearing_ids = {row.item_id for row in rows if row.kind in {WEEK, DAY}}
    hearings: dict[Any, Hearing] = Hearing.objects.select_related("case", "case__facility").in_bulk(
        hearing_ids
    )
    event_ids = {row.item_id for row in rows if row.kind == UPDATE}
    events: dict[Any, CaseEvent] = (
        CaseEvent.objects.select_related("case", "case__facility")
        .filter(type=CaseEvent.Type.FAMILY_UPDATE)
        .in_bulk(event_ids)
    )
    for row in rows:
        if row.kind in {WEEK, DAY}:
            hearing = hearings.get(row.item_id)
            if hearing is None or hearing.at <= now:
                continue
            book = phrases.book(hearing.case.family_language)
            which = "week" if row.kind == WEEK else "day"
            answers[row.pk] = _message(row, hearing.case, hearing_text(hearing, which, book))
        elif row.kind == UPDATE:
            event = events.get(row.item_id)
            if event is None:
                continue
            book = phrases.book(event.case.family_language)
            template = str(event.data.get("template", ""))
            if template in book.updates:
                body = update_text(event.case, template, event.note, book)
                answers[row.pk] = _message(row, event.case, body)
    return answers
