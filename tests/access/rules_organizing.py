"""Access rules of the organizing app (vecinos/organizing/urls.py): a committee's
pages for its members, its changes for its coordinators (and admins), shifts for its
responders, the calendar feed for whoever holds a member's secret address, and the
hotline's Twilio webhooks (the signature is the credential)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from tests.access.matrix import EVERYONE, Rule, World
from vecinos.accounts.models import Role, User
from vecinos.committees.models import Membership, MembershipRole
from vecinos.delivery.inbound import compute_signature
from vecinos.organizing import actions
from vecinos.organizing.models import ShiftAssignment

TWILIO_TOKEN = "matrix-twilio-token"
PUBLIC_URL = "https://vecinos.example.org"
SETTINGS = {
    "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
    "VECINOS_PUBLIC_URL": PUBLIC_URL,
    "VECINOS_PUBLIC_ORIGIN": PUBLIC_URL,
}
MEMBERS = {"mara", "rosa", "carmen", "ana"}  # ana: admins reach every committee
COORDINATORS = {"carmen", "ana"}
HOTLINE = "+13235550180"
CALL = {"CallSid": "CA" + "d" * 32, "From": "+12135550155", "To": HOTLINE}
RECORDING = {**CALL, "RecordingSid": "RE" + "e" * 32, "RecordingDuration": "7"}


def signed(path: str, params: dict[str, str]) -> dict[str, str]:
    url = settings.VECINOS_PUBLIC_URL + path
    signature = compute_signature(url, {k: [v] for k, v in params.items()}, TWILIO_TOKEN)
    return {"X-Twilio-Signature": signature}


def setup(world: World) -> None:
    carmen, rosa, mara = world.user("carmen"), world.user("rosa"), world.user("mara")
    start = timezone.now() + timedelta(days=2)
    world.event = actions.create_event(
        committee=world.committee,
        kind="meeting",
        title="Junta",
        place="Salón",
        language="es",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        actor=carmen,
    )
    world.shift = actions.create_shift(
        committee=world.committee,
        starts_at=start,
        ends_at=start + timedelta(hours=12),
        actor=carmen,
    )
    ShiftAssignment.objects.create(shift=world.shift, user=rosa)
    # A place offered for a swap by another responder of the committee.
    luis = User.objects.create_user(username="luis", password="x", role=Role.RESPONDER)
    Membership.objects.create(committee=world.committee, user=luis, role=MembershipRole.RESPONDER)
    world.offered = ShiftAssignment.objects.create(
        shift=world.shift, user=luis, offered_at=timezone.now()
    )
    world.calendar_secret = actions.make_calendar_key(
        committee=world.committee, user=mara, actor=mara
    )
    actions.set_hotline(committee=world.committee, number=HOTLINE, actor=carmen)


def slug(w: World) -> dict[str, str]:
    return {"slug": w.committee.slug}


def event(w: World) -> dict[str, int]:
    return {"event_id": w.event.pk}


def shift(w: World) -> dict[str, int]:
    return {"shift_id": w.shift.pk}


RULES = [
    Rule("organizing:home", allowed={"mara", "rosa", "carmen", "olga", "dani", "ana"}),
    Rule("organizing:committee", kwargs=slug, allowed=MEMBERS),
    Rule(
        "organizing:event_new",
        method="POST",
        kwargs=slug,
        data=lambda w: {"kind": "meeting", "title": "x", "place": "y", "language": "es"},
        allowed=COORDINATORS,
    ),
    # Only members make their own calendar address (an admin is not a member here).
    Rule("organizing:calendar_key", method="POST", kwargs=slug, allowed={"mara", "rosa", "carmen"}),
    Rule("organizing:trainings", kwargs=slug, allowed=COORDINATORS),
    Rule(
        "organizing:training_new",
        method="POST",
        kwargs=slug,
        data=lambda w: {"user": "mara", "kind": "responder", "completed_on": "2026-01-05"},
        allowed=COORDINATORS,
    ),
    # A member cannot raise their own role: the page is their coordinators'.
    Rule(
        "organizing:responder_role",
        method="POST",
        kwargs=slug,
        data=lambda w: {"user": "mara", "grant": "1"},
        allowed=COORDINATORS,
    ),
    Rule("organizing:shifts", kwargs=slug, allowed={"rosa", "carmen", "ana"}),
    Rule(
        "organizing:shift_week",
        method="POST",
        kwargs=slug,
        data=lambda w: {"first_day": "2026-01-05"},
        allowed=COORDINATORS,
    ),
    Rule(
        "organizing:hotline",
        method="POST",
        kwargs=slug,
        data=lambda w: {"number": "+13235550181"},
        allowed=COORDINATORS,
    ),
    Rule("organizing:event", kwargs=event, allowed=MEMBERS),
    Rule("organizing:event_ics", kwargs=event, allowed=MEMBERS),
    # ana reaches the event and is told she is not a member (422): not a refusal.
    Rule(
        "organizing:rsvp",
        method="POST",
        kwargs=event,
        data=lambda w: {"rsvp": "yes"},
        allowed=MEMBERS,
    ),
    Rule(
        "organizing:attendance",
        method="POST",
        kwargs=event,
        data=lambda w: {"user": "mara", "present": "1"},
        allowed=COORDINATORS,
    ),
    Rule("organizing:event_cancel", method="POST", kwargs=event, allowed=COORDINATORS),
    # Responders of the committee only (rosa, untrained here, is told so: 409).
    Rule(
        "organizing:shift_signup",
        method="POST",
        kwargs=shift,
        data=lambda w: {},
        allowed={"rosa"},
    ),
    Rule("organizing:shift_leave", method="POST", kwargs=shift, allowed={"rosa"}),
    Rule("organizing:shift_offer", method="POST", kwargs=shift, allowed={"rosa"}),
    Rule(
        "organizing:shift_take",
        method="POST",
        kwargs=shift,
        data=lambda w: {"assignment": str(w.offered.pk)},
        allowed={"rosa"},
    ),
    # The secret address is the credential, whoever asks with it.
    Rule(
        "organizing:calendar_feed",
        kwargs=lambda w: {"secret": w.calendar_secret},
        allowed=EVERYONE,
    ),
    Rule(
        "organizing:hotline_voice",
        method="POST",
        data=lambda w: CALL,
        headers=lambda w: signed("/hotline/twilio/voice", CALL),
        allowed=EVERYONE,
    ),
    Rule(
        "organizing:hotline_dialed",
        method="POST",
        path="/hotline/twilio/voice/dialed?stage=on_call",
        data=lambda w: {**CALL, "DialCallStatus": "no-answer"},
        headers=lambda w: signed(
            "/hotline/twilio/voice/dialed?stage=on_call", {**CALL, "DialCallStatus": "no-answer"}
        ),
        allowed=EVERYONE,
    ),
    Rule(
        "organizing:hotline_recorded",
        method="POST",
        data=lambda w: RECORDING,
        headers=lambda w: signed("/hotline/twilio/voice/recorded", RECORDING),
        allowed=EVERYONE,
    ),
]
