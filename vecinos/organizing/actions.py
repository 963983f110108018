"""Every write of the organizing app: ``verb_noun(*, ..., actor)``, atomic, one history
row per state change (``events.record_event``), side effects after commit.

Refusals: ``Forbidden`` (403: not this person's to do), ``InvalidInput`` (422: the
input names something unusable) and ``InvalidTransition`` (409: the state forbids it),
the same exceptions as the reports app's actions.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vecinos.accounts.access import Forbidden, recorded_actor
from vecinos.accounts.models import Role, User
from vecinos.committees.models import Committee, Membership, MembershipRole
from vecinos.core import crypto, geo
from vecinos.organizing import contacts, queries
from vecinos.organizing.events import record_event
from vecinos.organizing.models import (
    CalendarKey,
    Event,
    EventKind,
    EventReminder,
    Hotline,
    Invitation,
    OrganizingEvent,
    Position,
    ReminderKind,
    Rsvp,
    Shift,
    ShiftAssignment,
    TrainingKind,
    TrainingRecord,
)
from vecinos.reports.actions import ActionRefused, InvalidInput, InvalidTransition

__all__ = ["ActionRefused", "Forbidden", "InvalidInput", "InvalidTransition"]

T = OrganizingEvent.Type
# How long a training counts, in months (a responder training: 12).
TRAINING_MONTHS = {TrainingKind.RESPONDER: 12, TrainingKind.KYR: 24}
# Reminders before an event starts.
REMINDERS = {ReminderKind.DAY_BEFORE: timedelta(days=1), ReminderKind.TWO_HOURS: timedelta(hours=2)}
MAX_EVENT_HOURS = 24
MAX_SHIFT_HOURS = 24
CALENDAR_PURPOSE = "organizing.CalendarKey"
LANGUAGES = ("en", "es")


def _coordinator(actor: User, committee: Committee) -> None:
    if not queries.is_coordinator(actor, committee):
        raise Forbidden


def _member(committee: Committee, user: User) -> Membership:
    found = Membership.objects.filter(committee=committee, user=user).first()
    if found is None:
        raise InvalidInput(
            _("%(name)s is not a member of this committee.") % {"name": user.username}
        )
    return found


# Events -----------------------------------------------------------------------------------


def create_event(
    *,
    committee: Committee,
    kind: str,
    title: str,
    place: str,
    language: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int | None = None,
    description: str = "",
    actor: User,
    is_demo: bool = False,
) -> Event:
    """Schedule an event, invite every member of the committee (an RSVP each, not
    answered) and set its two reminders (the day before, two hours before)."""
    _coordinator(actor, committee)
    if kind not in EventKind.values:
        raise InvalidInput(_("Choose a kind of event."))
    title, place = (title or "").strip(), (place or "").strip()
    if not title or len(title) > 120:
        raise InvalidInput(_("Give the event a title of at most 120 characters."))
    if not place or len(place) > 200:
        raise InvalidInput(_("Say where the event takes place (at most 200 characters)."))
    if language not in LANGUAGES:
        raise InvalidInput(_("Choose the language the event is held in."))
    if ends_at <= starts_at or ends_at - starts_at > timedelta(hours=MAX_EVENT_HOURS):
        raise InvalidInput(_("An event ends after it starts, within a day."))
    if capacity is not None and not 1 <= capacity <= 100_000:
        raise InvalidInput(_("The capacity is a whole number of people, at least 1."))
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.create(
            committee=committee,
            kind=kind,
            title=title,
            place=place,
            language=language,
            capacity=capacity,
            starts_at=starts_at,
            ends_at=ends_at,
            description=(description or "").strip(),
            created_by=recorded_actor(actor),
            is_demo=is_demo,
        )
        members = list(
            Membership.objects.filter(committee=committee, user__is_active=True).values_list(
                "user_id", flat=True
            )
        )
        hashes = contacts.sms_hashes(members, committee.pk)
        Invitation.objects.bulk_create(
            [
                Invitation(event=event, user_id=pk, sms_hash=hashes.get(pk, ""), created_at=now)
                for pk in members
            ],
            batch_size=1000,
        )
        EventReminder.objects.bulk_create(
            [
                EventReminder(event=event, kind=reminder, due_at=starts_at - before)
                for reminder, before in REMINDERS.items()
                if starts_at - before > now
            ]
        )
        record_event(committee, T.EVENT_CREATED, actor=actor, event=event.pk, kind=kind)
    return event


def cancel_event(*, event: Event, actor: User) -> Event:
    _coordinator(actor, event.committee)
    with transaction.atomic():
        if event.cancelled_at is not None:
            raise InvalidTransition(_("This event was already cancelled."))
        event.cancelled_at = timezone.now()
        event.save(update_fields=["cancelled_at"])
        record_event(event.committee, T.EVENT_CANCELLED, actor=actor, event=event.pk)
    return event


def answer_rsvp(
    *, event: Event, user: User, answer: str, via: str = "web", actor: User
) -> Invitation:
    """``user`` says whether they come. Only they answer for themselves; a full event
    takes no more yes."""
    if actor.pk != user.pk:
        raise Forbidden
    if answer not in (Rsvp.YES, Rsvp.NO):
        raise InvalidInput(_("Answer yes or no."))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(event=event, user=user).first()
        if invitation is None:
            _member(event.committee, user)
            invitation = Invitation.objects.create(event=event, user=user)
        if event.cancelled_at is not None or event.ends_at <= timezone.now():
            raise InvalidTransition(_("This event is over or cancelled."))
        if (
            answer == Rsvp.YES
            and invitation.rsvp != Rsvp.YES
            and event.capacity is not None
            and queries.coming_count(event) >= event.capacity
        ):
            raise InvalidTransition(_("This event is full."))
        invitation.rsvp = answer
        invitation.answered_at = timezone.now()
        invitation.answered_via = via
        invitation.save(update_fields=["rsvp", "answered_at", "answered_via"])
        record_event(
            event.committee, T.RSVP, actor=actor, subject=user, event=event.pk, rsvp=answer, via=via
        )
    return invitation


def answer_rsvp_by_sms(*, sms_hash: str, answer: str) -> Invitation | None:
    """An SMS answer (``SI``/``YES``, ``NO``) from the number with ``sms_hash``: it
    answers that person's most recent invitation still waiting for an answer, to an
    event not yet begun nor cancelled. None when there is none (the caller then reads
    the word as it always did)."""
    now = timezone.now()
    invitation = (
        Invitation.objects.filter(
            sms_hash=sms_hash,
            rsvp=Rsvp.PENDING,
            event__starts_at__gt=now,
            event__cancelled_at__isnull=True,
            user__is_active=True,
        )
        .select_related("event__committee", "user")
        .order_by("-created_at", "-id")
        .first()
    )
    if invitation is None:
        return None
    try:
        return answer_rsvp(
            event=invitation.event,
            user=invitation.user,
            answer=answer,
            via="sms",
            actor=invitation.user,
        )
    except InvalidTransition:
        return invitation  # full: the reply says so (its rsvp is still pending)


def mark_attendance(*, event: Event, user: User, present: bool, actor: User) -> Invitation:
    """Attendance taken at the door by a coordinator: only members of the committee
    (someone not invited is added)."""
    _coordinator(actor, event.committee)
    _member(event.committee, user)
    with transaction.atomic():
        invitation, _created = Invitation.objects.get_or_create(event=event, user=user)
        invitation.attended_at = timezone.now() if present else None
        invitation.save(update_fields=["attended_at"])
        record_event(
            event.committee, T.ATTENDED, actor=actor, subject=user, event=event.pk, present=present
        )
    return invitation


# Trainings --------------------------------------------------------------------------------


def _plus_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def record_training(
    *,
    committee: Committee,
    user: User,
    kind: str,
    completed_on: date,
    actor: User,
    event: Event | None = None,
) -> TrainingRecord:
    """A coordinator records that a member completed a training; it counts for
    ``TRAINING_MONTHS`` from that day."""
    _coordinator(actor, committee)
    if kind not in TrainingKind.values:
        raise InvalidInput(_("Choose a training."))
    _member(committee, user)
    today = timezone.localdate()
    if completed_on > today:
        raise InvalidInput(_("A training is recorded once it is completed, not before."))
    with transaction.atomic():
        record = TrainingRecord.objects.create(
            committee=committee,
            user=user,
            kind=kind,
            completed_on=completed_on,
            expires_on=_plus_months(completed_on, TRAINING_MONTHS[TrainingKind(kind)]),
            event=event,
            recorded_by=actor,
        )
        record_event(
            committee,
            T.TRAINING_RECORDED,
            actor=actor,
            subject=user,
            kind=kind,
            expires_on=record.expires_on.isoformat() if record.expires_on else None,
        )
    return record


def grant_responder(*, committee: Committee, user: User, actor: User) -> Membership:
    """Give a member the committee's responder role. Only with a valid responder
    training. A person whose account is a plain member becomes a responder (the
    responder pages and dispatch need the account role too)."""
    _coordinator(actor, committee)
    with transaction.atomic():
        member = _member(committee, user)
        if member.role == MembershipRole.COORDINATOR:
            raise InvalidTransition(_("A coordinator keeps the coordinator role."))
        if user.pk not in queries.trained_responders([user.pk]):
            raise InvalidTransition(
                _("%(name)s has no valid responder training. Record it first.")
                % {"name": user.username}
            )
        if member.role != MembershipRole.RESPONDER:
            member.role = MembershipRole.RESPONDER
            member.save(update_fields=["role"])
        lifted = user.role == Role.MEMBER
        if lifted:
            User.objects.filter(pk=user.pk).update(role=Role.RESPONDER)
            user.role = Role.RESPONDER
        record_event(
            committee, T.RESPONDER_GRANTED, actor=actor, subject=user, account_role_lifted=lifted
        )
    return member


def revoke_responder(*, committee: Committee, user: User, actor: User) -> Membership:
    """Take the committee's responder role back: the person's coming shifts there end
    too. An account that a grant lifted from member to responder goes back to member
    when no committee keeps them responder; a responder of the network stays one."""
    _coordinator(actor, committee)
    with transaction.atomic():
        member = _member(committee, user)
        if member.role != MembershipRole.RESPONDER:
            raise InvalidTransition(
                _("%(name)s is not a responder here.") % {"name": user.username}
            )
        member.role = MembershipRole.MEMBER
        member.save(update_fields=["role"])
        left = ShiftAssignment.objects.filter(
            user=user, shift__committee=committee, shift__ends_at__gt=timezone.now()
        ).delete()[0]
        still = Membership.objects.filter(user=user, role=MembershipRole.RESPONDER).exists()
        # Only an account these grants lifted goes back: a network responder who was
        # a responder before any committee made them one stays one.
        lifted = OrganizingEvent.objects.filter(
            type=T.RESPONDER_GRANTED, subject=user, data__account_role_lifted=True
        ).exists()
        lowered = not still and lifted and user.role == Role.RESPONDER
        if lowered:
            User.objects.filter(pk=user.pk).update(role=Role.MEMBER)
            user.role = Role.MEMBER
        record_event(
            committee,
            T.RESPONDER_REVOKED,
            actor=actor,
            subject=user,
            shifts_left=left,
            account_role_lowered=lowered,
        )
    return member


# Shifts -----------------------------------------------------------------------------------


def create_shift(
    *,
    committee: Committee,
    starts_at: datetime,
    ends_at: datetime,
    needed: int = 1,
    actor: User,
    is_demo: bool = False,
) -> Shift:
    _coordinator(actor, committee)
    if ends_at <= starts_at or ends_at - starts_at > timedelta(hours=MAX_SHIFT_HOURS):
        raise InvalidInput(_("A shift ends after it starts, within a day."))
    if not 1 <= needed <= 20:
        raise InvalidInput(_("A shift needs between 1 and 20 responders."))
    with transaction.atomic():
        shift = Shift.objects.create(
            committee=committee,
            starts_at=starts_at,
            ends_at=ends_at,
            needed=needed,
            created_by=recorded_actor(actor),
            is_demo=is_demo,
        )
        record_event(committee, T.SHIFT_CREATED, actor=actor, shift=shift.pk)
    return shift


def create_week(
    *, committee: Committee, first_day: date, hours: tuple[int, ...] = (8, 20), actor: User
) -> list[Shift]:
    """A week of shifts from ``first_day``: one starting at each of ``hours`` every
    day, each until the next (the last until the first of the next day)."""
    _coordinator(actor, committee)
    tz = timezone.get_current_timezone()
    made = []
    with transaction.atomic():
        for offset in range(7):
            day = first_day + timedelta(days=offset)
            for index, hour in enumerate(hours):
                start = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
                following = hours[index + 1] if index + 1 < len(hours) else hours[0] + 24
                made.append(
                    create_shift(
                        committee=committee,
                        starts_at=start,
                        ends_at=start + timedelta(hours=following - hour),
                        actor=actor,
                    )
                )
    return made


def _may_be_on_shift(committee: Committee, user: User) -> None:
    member = Membership.objects.filter(committee=committee, user=user).first()
    if member is None or member.role != MembershipRole.RESPONDER:
        raise Forbidden
    if user.pk not in queries.trained_responders([user.pk]):
        raise InvalidTransition(_("Your responder training is not valid any more."))


def _cell_for(user: User, committee: Committee, lat: float | None, lng: float | None) -> int | None:
    """Where the responder will be: the cell of the point given, else of their
    availability's point, else the centre of the committee's area. Only the cell is
    kept."""
    from vecinos.reports.models import Availability

    if lat is not None and lng is not None:
        if not geo.valid_point(lat, lng):
            raise InvalidInput(_("That location is not a valid point on the map."))
        return geo.cell_for(lat, lng)
    found = Availability.objects.filter(responder=user).first()
    if found is not None and found.lat is not None and found.lng is not None:
        return geo.cell_for(found.lat, found.lng)
    cells = sorted(committee.area_cells or [])
    return int(cells[len(cells) // 2]) if cells else None


def sign_up_shift(
    *,
    shift: Shift,
    user: User,
    position: str = Position.ON_CALL,
    lat: float | None = None,
    lng: float | None = None,
    actor: User,
) -> ShiftAssignment:
    """A responder of the committee, with a valid training, takes a place on a shift
    (on call, or backup)."""
    if actor.pk != user.pk:
        raise Forbidden
    _may_be_on_shift(shift.committee, user)
    if position not in Position.values:
        raise InvalidInput(_("Choose on call or backup."))
    if shift.ends_at <= timezone.now():
        raise InvalidTransition(_("This shift is over."))
    cell = _cell_for(user, shift.committee, lat, lng)
    try:
        with transaction.atomic():
            assignment = ShiftAssignment.objects.create(
                shift=shift, user=user, position=position, cell=cell
            )
            record_event(
                shift.committee,
                T.SHIFT_TAKEN,
                actor=actor,
                subject=user,
                shift=shift.pk,
                position=position,
            )
    except IntegrityError:
        raise InvalidTransition(_("You are already on this shift.")) from None
    return assignment


def leave_shift(*, assignment: ShiftAssignment, actor: User) -> None:
    if actor.pk != assignment.user_id and not queries.is_coordinator(
        actor, assignment.shift.committee
    ):
        raise Forbidden
    with transaction.atomic():
        assignment.delete()
        record_event(
            assignment.shift.committee,
            T.SHIFT_LEFT,
            actor=actor,
            subject=assignment.user,
            shift=assignment.shift_id,
        )


def offer_shift(*, assignment: ShiftAssignment, actor: User) -> ShiftAssignment:
    """Offer one's place on a shift for a swap: another responder may take it."""
    if actor.pk != assignment.user_id:
        raise Forbidden
    with transaction.atomic():
        assignment.offered_at = timezone.now()
        assignment.save(update_fields=["offered_at"])
        record_event(
            assignment.shift.committee,
            T.SHIFT_OFFERED,
            actor=actor,
            subject=actor,
            shift=assignment.shift_id,
        )
    return assignment


def take_shift(
    *,
    assignment: ShiftAssignment,
    user: User,
    lat: float | None = None,
    lng: float | None = None,
    actor: User,
) -> ShiftAssignment:
    """Take over a place offered for a swap: it becomes ``user``'s."""
    if actor.pk != user.pk:
        raise Forbidden
    shift = assignment.shift
    _may_be_on_shift(shift.committee, user)
    with transaction.atomic():
        mine = ShiftAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
        if mine is None or mine.offered_at is None:
            raise InvalidTransition(_("This place is not offered for a swap."))
        if ShiftAssignment.objects.filter(shift=shift, user=user).exists():
            raise InvalidTransition(_("You are already on this shift."))
        before = mine.user
        mine.user = user
        mine.offered_at = None
        mine.cell = _cell_for(user, shift.committee, lat, lng)
        mine.save(update_fields=["user", "offered_at", "cell"])
        record_event(
            shift.committee,
            T.SHIFT_SWAPPED,
            actor=actor,
            subject=user,
            shift=shift.pk,
            previous=before.username,
        )
    return mine


def flag_uncovered_shift(*, shift: Shift) -> bool:
    """Mark a shift flagged as uncovered (once); True if this call flagged it."""
    with transaction.atomic():
        flagged = Shift.objects.filter(pk=shift.pk, flagged_at__isnull=True).update(
            flagged_at=timezone.now()
        )
        if flagged:
            record_event(shift.committee_id, T.SHIFT_UNCOVERED, actor=None, shift=shift.pk)
    return bool(flagged)


# Hotline and calendar ----------------------------------------------------------------------


def set_hotline(*, committee: Committee, number: str, actor: User) -> Hotline | None:
    """Set (or, with an empty number, remove) the committee's hotline number."""
    _coordinator(actor, committee)
    number = (number or "").strip()
    with transaction.atomic():
        if not number:
            Hotline.objects.filter(committee=committee).delete()
            record_event(committee, T.HOTLINE_SET, actor=actor, removed=True)
            return None
        try:
            normal = crypto.normalize_phone(number)
        except ValueError:
            raise InvalidInput(
                _("Give the number in international form, e.g. +13235550123.")
            ) from None
        if Hotline.objects.filter(number=normal).exclude(committee=committee).exists():
            raise InvalidInput(_("Another committee already uses this number."))
        hotline, _created = Hotline.objects.update_or_create(
            committee=committee, defaults={"number": normal}
        )
        record_event(committee, T.HOTLINE_SET, actor=actor)
    return hotline


def calendar_digest(secret: str) -> str:
    return crypto.keyed_hash(secret, purpose=CALENDAR_PURPOSE)


def make_calendar_key(*, committee: Committee, user: User, actor: User) -> str:
    """A new secret calendar address for ``user`` (a member) and ``committee``; the
    previous one stops working. Returns the secret: only its keyed hash is kept."""
    if actor.pk != user.pk:
        raise Forbidden
    if queries.membership(user, committee) is None:
        raise Forbidden
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        CalendarKey.objects.update_or_create(
            committee=committee, user=user, defaults={"digest": calendar_digest(secret)}
        )
        record_event(committee, T.CALENDAR_KEY, actor=actor, subject=user)
    return secret
