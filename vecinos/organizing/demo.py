"""The organizing part of the demo network (found by the core demo loader): events
(a meeting, a know-your-rights training, responder trainings, an action), the
responder trainings that make rosa and luis valid responders of their committees, a
week of on-call shifts with rosa and luis on call now, and a hotline number (a
555-01xx number, reserved for fiction) for Boyle Heights."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from vecinos.accounts.models import User
from vecinos.committees.models import Committee
from vecinos.delivery.responders import set_responder_contact
from vecinos.organizing import actions
from vecinos.organizing.models import Event, EventKind, Shift, ShiftAssignment, TrainingKind

HOTLINE = "+13235550180"
# The demo responders' phones (555-01xx: reserved for fiction), rung by the hotline.
PHONES = {"rosa": "+12135550190", "luis": "+12135550191"}


@dataclass(frozen=True)
class EventSpec:
    committee: str
    kind: str
    title: str
    place: str
    language: str
    days: int  # from today (negative: in the past)
    hour: int
    hours: int
    capacity: int | None = None


EVENTS = [
    EventSpec(
        "boyle-heights",
        EventKind.RESPONDER_TRAINING,
        "Entrenamiento de respuesta rápida",
        "Biblioteca Benjamin Franklin, sala comunitaria",
        "es",
        -10,
        10,
        4,
        20,
    ),
    EventSpec(
        "boyle-heights",
        EventKind.MEETING,
        "Junta del comité",
        "Salón parroquial, Boyle Heights",
        "es",
        1,
        18,
        2,
    ),
    EventSpec(
        "boyle-heights",
        EventKind.KYR_TRAINING,
        "Conozca sus derechos",
        "Mariachi Plaza, kiosco",
        "es",
        3,
        17,
        2,
        40,
    ),
    EventSpec(
        "boyle-heights",
        EventKind.ACTION,
        "Reparto de tarjetas rojas",
        "Cesar E. Chavez Ave & Soto St",
        "es",
        5,
        9,
        3,
    ),
    EventSpec(
        "boyle-heights",
        EventKind.RESPONDER_TRAINING,
        "Responder training",
        "Benjamin Franklin Library, community room",
        "en",
        9,
        10,
        4,
        15,
    ),
    EventSpec(
        "fremont-high-families",
        EventKind.RESPONDER_TRAINING,
        "Responder training",
        "Fremont High School, library",
        "en",
        -30,
        16,
        3,
        20,
    ),
    EventSpec(
        "fremont-high-families",
        EventKind.MEETING,
        "Parents' meeting",
        "Fremont High School, room 12",
        "en",
        2,
        18,
        1,
    ),
]
# Who schedules for each committee: its coordinator, or the admin where it has none.
ORGANIZERS = {"boyle-heights": "carmen", "fremont-high-families": "ana"}
# The demo responders, their committee, and the past training they completed.
RESPONDERS = [("rosa", "boyle-heights", 0), ("luis", "fremont-high-families", 5)]


def _at(now: datetime, days: int, hour: int) -> datetime:
    day = timezone.localtime(now).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def load(
    *, now: datetime, people: dict[str, User], committees: dict[str, Committee]
) -> dict[str, int]:
    events: list[Event] = []
    for spec in EVENTS:
        start = _at(now, spec.days, spec.hour)
        events.append(
            actions.create_event(
                committee=committees[spec.committee],
                kind=spec.kind,
                title=spec.title,
                place=spec.place,
                language=spec.language,
                capacity=spec.capacity,
                starts_at=start,
                ends_at=start + timedelta(hours=spec.hours),
                actor=people[ORGANIZERS[spec.committee]],
                is_demo=True,
            )
        )
    for name, slug, training in RESPONDERS:
        person, organizer = people[name], people[ORGANIZERS[slug]]
        event = events[training]
        actions.mark_attendance(event=event, user=person, present=True, actor=organizer)
        actions.record_training(
            committee=committees[slug],
            user=person,
            kind=TrainingKind.RESPONDER,
            completed_on=timezone.localtime(event.starts_at).date(),
            actor=organizer,
            event=event,
        )
        actions.grant_responder(committee=committees[slug], user=person, actor=organizer)
        set_responder_contact(user=person, channel="sms", address=PHONES[name], actor=person)
    actions.record_training(
        committee=committees["boyle-heights"],
        user=people["carmen"],
        kind=TrainingKind.KYR,
        completed_on=timezone.localdate() - timedelta(days=200),
        actor=people["carmen"],
    )
    actions.answer_rsvp(event=events[2], user=people["rosa"], answer="yes", actor=people["rosa"])

    shifts: list[Shift] = []
    for name, slug, _training in RESPONDERS:
        week = actions.create_week(
            committee=committees[slug],
            first_day=timezone.localdate() - timedelta(days=1),
            actor=people[ORGANIZERS[slug]],
        )
        shifts += week
        # On call now and through the next day; the rest of the week is open, so the
        # coordinator sees uncovered shifts flagged.
        for shift in week:
            if shift.ends_at > now and shift.starts_at < now + timedelta(hours=24):
                actions.sign_up_shift(shift=shift, user=people[name], actor=people[name])
    Shift.objects.filter(pk__in=[shift.pk for shift in shifts]).update(is_demo=True)
    actions.set_hotline(
        committee=committees["boyle-heights"], number=HOTLINE, actor=people["carmen"]
    )
    return {
        "events": len(events),
        "trainings": len(RESPONDERS) + 1,
        "shifts": len(shifts),
        "shift places taken": ShiftAssignment.objects.filter(shift__in=shifts).count(),
        "hotlines": 1,
    }
