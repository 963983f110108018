"""Render the family's messages when the outbox worker sends them (the ``case`` kind of
vecinos/delivery/kinds.py). The outbox row holds only a reference:

- ``hearing:<hearing id>:week`` / ``hearing:<hearing id>:day``: the reminders;
- ``update:<event id>``: a family update (its template key and optional note are on
  the ``CaseEvent``).

The contact is read from the case (decrypted here, in the worker) and the text is
built from vecinos/cases/phrases.py in the family's language. A case that was closed
or erased meanwhile, or whose family stopped updates, gets nothing (``None``: the row
is skipped).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from vecinos.cases import phrases
from vecinos.cases.models import Case, CaseEvent, Hearing
from vecinos.delivery.transports.base import OutgoingMessage

TTL = 24 * 3600


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


def render(case: Case, body: str) -> tuple[str, str]:
    """(subject, text) in the family's language."""
    book = phrases.book(case.family_language)
    subject = book.subject.format(ref=case.reference)
    return subject, f"{book.signature.format(ref=case.reference)} {body}"


def build(delivery: object, now: datetime) -> OutgoingMessage | None:
    ref = str(getattr(delivery, "ref", ""))
    what, _sep, rest = ref.partition(":")
    if what == "hearing":
        hearing_id, _sep, which = rest.partition(":")
        hearing = (
            Hearing.objects.select_related("case", "case__facility")
            .filter(pk=int(hearing_id) if hearing_id.isdigit() else 0)
            .first()
        )
        if hearing is None or which not in {"week", "day"} or hearing.at <= now:
            return None
        case = hearing.case
        body = hearing_text(hearing, which, phrases.book(case.family_language))
    elif what == "update":
        event = (
            CaseEvent.objects.select_related("case", "case__facility")
            .filter(pk=int(rest) if rest.isdigit() else 0, type=CaseEvent.Type.FAMILY_UPDATE)
            .first()
        )
        if event is None:
            return None
        case = event.case
        book = phrases.book(case.family_language)
        template = str(event.data.get("template", ""))
        if template not in book.updates:
            return None
        body = update_text(case, template, event.note, book)
    else:
        return None
    if not _sendable(case):
        return None
    subject, text = render(case, body)
    return OutgoingMessage(
        key="",
        channel=str(getattr(delivery, "channel", case.family_channel)),
        address=case.family_contact,
        subject=subject,
        text=text,
        ttl=TTL,
    )
