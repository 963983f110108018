"""Every write of a case: ``verb_noun(*, ..., actor)``, atomic, one event row per change,
messages to the family through the outbox after commit (vecinos/cases/messages.py).

Refusals: ``Forbidden`` (the role may not; 403), ``CaseRefused`` (the case's state
does not allow it; 409) and ``InvalidCase`` (a value is wrong; 422, naming the field).
Permission to *see* a case is checked before, by the getters of vecinos/cases/queries.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vecinos.accounts.access import Forbidden
from vecinos.accounts.models import Role, User
from vecinos.cases import messages, phrases, queries
from vecinos.cases.events import record_event
from vecinos.cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseSource,
    CaseState,
    CaseTask,
    Facility,
    FamilyChannel,
    Hearing,
    HearingKind,
    LocatorCheck,
    LocatorResult,
    Referral,
    ReferralAnswer,
)
from vecinos.core import crypto

MAX_TEXT = 2000
MAX_SHORT = 200
FOLLOW_UP_HOURS = 48
# States from which a case ends (its outcome), and the order a case usually moves in:
# an automatic move (a locator check finding the person) only goes forwards.
OUTCOMES = {CaseState.RELEASED, CaseState.TRANSFERRED, CaseState.REMOVED}
ORDER = list(CaseState.values)
# The facts of a case: the form fields and API fields that may be set at opening.
FACTS = (
    "person_name",
    "date_of_birth",
    "a_number",
    "person_language",
    "taken_at",
    "taken_place",
    "family_name",
    "family_contact",
    "family_channel",
    "family_language",
    "family_updates",
    "dependents",
    "medical_needs",
)
LANGUAGES = (
    "en", "es", "zh-hans", "zh-hant", "ko", "tl", "vi", "hy", "fa", "ru", "ja", "km",
)  # fmt: skip


class CaseRefused(Exception):
    status_code = 409

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidCase(CaseRefused):
    status_code = 422


def _require(actor: Any, check: Any) -> None:
    if not check(actor):
        raise Forbidden


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise CaseRefused(_("This case is closed."))


def _text(value: Any, field: str, *, limit: int = MAX_TEXT, required: bool = False) -> str:
    text = "" if value is None else str(value)
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
        raise InvalidCase(_("Control characters are not allowed."), field=field)
    text = text.strip()
    if len(text) > limit:
        raise InvalidCase(_("At most %(limit)d characters.") % {"limit": limit}, field=field)
    if required and not text:
        raise InvalidCase(_("This field is required."), field=field)
    return text


def clean_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise the facts of a case; raise ``InvalidCase`` naming the field."""
    unknown = sorted(set(facts) - set(FACTS))
    if unknown:
        raise InvalidCase(_("Unknown field."), field=unknown[0])
    clean: dict[str, Any] = {}
    for name in ("person_name", "family_name", "a_number", "date_of_birth"):
        if name in facts:
            clean[name] = _text(facts[name], name, limit=MAX_SHORT)
    for name in ("taken_place", "dependents", "medical_needs"):
        if name in facts:
            clean[name] = _text(facts[name], name)
    if clean.get("a_number"):
        digits = "".join(ch for ch in clean["a_number"] if ch.isdigit())
        if (
            not 8 <= len(digits) <= 9
            or not clean["a_number"]
            .upper()
            .lstrip("A- ")
            .replace("-", "")
            .replace(" ", "")
            .isdigit()
        ):
            raise InvalidCase(_("An A-number has 8 or 9 digits."), field="a_number")
        clean["a_number"] = "A" + digits.zfill(9)
    if clean.get("date_of_birth"):
        try:
            born = date.fromisoformat(clean["date_of_birth"])
        except ValueError:
            raise InvalidCase(_("Write the date as YYYY-MM-DD."), field="date_of_birth") from None
        if not date(1900, 1, 1) <= born <= timezone.localdate():
            raise InvalidCase(_("This date is not possible."), field="date_of_birth")
        clean["date_of_birth"] = born.isoformat()
    for name in ("person_language", "family_language"):
        if facts.get(name):
            if facts[name] not in LANGUAGES:
                raise InvalidCase(_("Choose one of the languages offered."), field=name)
            clean[name] = facts[name]
    if "taken_at" in facts and facts["taken_at"] is not None:
        taken = facts["taken_at"]
        if not isinstance(taken, datetime):
            raise InvalidCase(_("Give a date and time."), field="taken_at")
        if timezone.is_naive(taken):
            taken = timezone.make_aware(taken)
        if taken > timezone.now() + timedelta(minutes=5):
            raise InvalidCase(_("This time is in the future."), field="taken_at")
        clean["taken_at"] = taken
    if "family_updates" in facts:
        clean["family_updates"] = bool(facts["family_updates"])
    channel = facts.get("family_channel") or ""
    contact = _text(facts.get("family_contact"), "family_contact", limit=MAX_SHORT)
    if contact:
        if channel not in FamilyChannel.values:
            raise InvalidCase(_("Choose SMS or email."), field="family_channel")
        try:
            contact = (
                crypto.normalize_phone(contact)
                if channel == FamilyChannel.SMS
                else crypto.normalize_email(contact)
            )
        except ValueError:
            message = (
                _("This is not a phone number.")
                if channel == FamilyChannel.SMS
                else _("This is not an email address.")
            )
            raise InvalidCase(message, field="family_contact") from None
        clean["family_contact"], clean["family_channel"] = contact, channel
    elif "family_contact" in facts:
        clean["family_contact"], clean["family_channel"] = "", ""
        clean["family_updates"] = False
    return clean


# Opening and assigning --------------------------------------------------------------------


def open_case(
    *,
    source: str,
    facts: dict[str, Any],
    actor: User | None,
    incident: Any = None,
    committee: Any = None,
    is_demo: bool = False,
) -> Case:
    """Open a case. ``actor`` None: the public form (no account). A case worker who
    opens a case is put on it; anyone else leaves it in the intake queue."""
    if source not in CaseSource.values:
        raise InvalidCase(_("Unknown source."), field="source")
    if actor is None:
        if source != CaseSource.PUBLIC:
            raise Forbidden
    else:
        _require(actor, queries.may_open_cases)
    clean = clean_facts(facts)
    with transaction.atomic():
        case = Case.objects.create(
            source=source,
            incident=incident,
            committee=committee,
            opened_by=actor,
            is_demo=is_demo,
            **clean,
        )
        if incident is not None and case.taken_at is None:
            case.taken_at = incident.first_seen_at
            case.save(update_fields=["taken_at"])
        record_event(
            case,
            CaseEvent.Type.OPENED,
            actor=actor,
            source=source,
            incident=str(incident.pk) if incident is not None else None,
        )
        if actor is not None and actor.role == Role.CASE_WORKER:
            _assign(case, actor, actor)
    return case


def update_facts(*, case: Case, facts: dict[str, Any], actor: User) -> list[str]:
    """Correct or complete the facts (an A-number found later, a misspelt name). The
    event names the fields changed, never their values. Returns those names."""
    _require_open(case)
    clean = clean_facts(facts)
    changed = sorted(name for name, value in clean.items() if getattr(case, name) != value)
    if not changed:
        return []
    with transaction.atomic():
        for name in changed:
            setattr(case, name, clean[name])
        case.save(update_fields=changed)
        record_event(case, CaseEvent.Type.FACTS, actor=actor, fields=changed)
    return changed


def _assign(case: Case, worker: User, actor: User) -> None:
    _, created = CaseAssignment.objects.get_or_create(
        case=case, user=worker, defaults={"assigned_by": actor}
    )
    if created:
        record_event(case, CaseEvent.Type.ASSIGNED, actor=actor, worker=worker.username)


def assign_case(*, case: Case, worker: User, actor: User) -> None:
    """Put ``worker`` (a case worker) on ``case``: a coordinator or admin who sees the
    case, or a case worker taking an unassigned case up themself."""
    _require_open(case)
    if worker.role != Role.CASE_WORKER or not worker.is_active:
        raise InvalidCase(_("Choose an active case worker."), field="worker")
    if actor.role == Role.CASE_WORKER:
        if worker != actor or case.assignments.exists():
            raise Forbidden
    elif actor.role not in {Role.COORDINATOR, Role.ADMIN}:
        raise Forbidden
    with transaction.atomic():
        _assign(case, worker, actor)
        if case.state == CaseState.INTAKE:
            _move(case, CaseState.LOCATING, actor)


# State ------------------------------------------------------------------------------------


def _move(case: Case, state: str, actor: Any) -> None:
    previous = case.state
    if previous == state:
        return
    now = timezone.now()
    case.state = state
    fields = ["state"]
    if state == CaseState.REFERRED and case.referred_at is None:
        case.referred_at, fields = now, [*fields, "referred_at"]
    if state == CaseState.REPRESENTED and case.represented_at is None:
        case.represented_at, fields = now, [*fields, "represented_at"]
    if state == CaseState.RELEASED and case.released_at is None:
        case.released_at, fields = now, [*fields, "released_at"]
    if state == CaseState.CLOSED:
        case.closed_at = now
        case.outcome = previous if previous in OUTCOMES else "other"
        fields += ["closed_at", "outcome"]
    case.save(update_fields=fields)
    record_event(case, CaseEvent.Type.STATE, actor=actor, previous=previous, state=state)


def change_state(*, case: Case, state: str, actor: User, note: str = "") -> Case:
    _require_open(case)
    if state not in CaseState.values:
        raise InvalidCase(_("Unknown state."), field="state")
    if state == case.state:
        raise CaseRefused(_("The case is already in this state."), field="state")
    note = _text(note, "note")
    with transaction.atomic():
        _move(case, state, actor)
        if note:
            record_event(case, CaseEvent.Type.NOTE, actor=actor, note=note)
    return case


def add_note(*, case: Case, text: str, actor: User) -> CaseEvent:
    text = _text(text, "text", required=True)
    return record_event(case, CaseEvent.Type.NOTE, actor=actor, note=text)


# Tasks ------------------------------------------------------------------------------------


def add_task(
    *,
    case: Case,
    title: str,
    actor: User,
    assignee: User | None = None,
    due_at: datetime | None = None,
) -> CaseTask:
    _require_open(case)
    title = _text(title, "title", limit=MAX_SHORT, required=True)
    if assignee is not None and not assignee.is_active:
        raise InvalidCase(_("This account is deactivated."), field="assignee")
    if assignee is not None and assignee.role not in queries.TASK_ROLES:
        raise InvalidCase(_("Tasks go to members, responders and case workers."), field="assignee")
    with transaction.atomic():
        task = CaseTask.objects.create(
            case=case, title=title, assignee=assignee, due_at=due_at, created_by=actor
        )
        record_event(
            case,
            CaseEvent.Type.TASK_ADDED,
            actor=actor,
            task=task.pk,
            assignee=assignee.username if assignee else None,
        )
    return task


def complete_task(*, task: CaseTask, actor: User) -> CaseTask:
    if task.done_at is not None:
        raise CaseRefused(_("This task is already done."))
    with transaction.atomic():
        if not CaseTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
            done_at=timezone.now()
        ):
            raise CaseRefused(_("This task is already done."))
        task.refresh_from_db()
        record_event(task.case, CaseEvent.Type.TASK_DONE, actor=actor, task=task.pk)
    return task


# Locating, referring, hearings ------------------------------------------------------------


def record_locator_check(
    *, case: Case, result: str, actor: User, facility: Facility | None = None, note: str = ""
) -> LocatorCheck:
    """A call or search of a facility's locator. Found: the case is located there."""
    _require_open(case)
    if result not in LocatorResult.values:
        raise InvalidCase(_("Unknown result."), field="result")
    if result == LocatorResult.FOUND and facility is None:
        raise InvalidCase(_("Say which facility holds the person."), field="facility")
    note = _text(note, "note")
    with transaction.atomic():
        check = LocatorCheck.objects.create(
            case=case, facility=facility, result=result, note=note, actor=actor
        )
        record_event(
            case,
            CaseEvent.Type.LOCATOR_CHECK,
            actor=actor,
            result=result,
            facility=facility.name if facility else None,
        )
        if result == LocatorResult.FOUND:
            case.facility = facility
            case.save(update_fields=["facility"])
            if ORDER.index(case.state) < ORDER.index(CaseState.LOCATED):
                _move(case, CaseState.LOCATED, actor)
        elif case.state == CaseState.INTAKE:
            _move(case, CaseState.LOCATING, actor)
    return check


def refer_case(
    *,
    case: Case,
    actor: User,
    organization: str = "",
    directory_organization: Any = None,
    follow_up_hours: int = FOLLOW_UP_HOURS,
) -> Referral:
    """Refer to an organization of the legal-aid directory, or to one named by text."""
    _require_open(case)
    organization = _text(organization, "organization", limit=160)
    if directory_organization is not None and not organization:
        organization = directory_organization.name
    if not organization:
        raise InvalidCase(
            _("Choose an organization of the directory or write its name."),
            field="organization",
        )
    if not 1 <= follow_up_hours <= 24 * 14:
        raise InvalidCase(_("Between 1 hour and 14 days."), field="follow_up_hours")
    now = timezone.now()
    with transaction.atomic():
        referral = Referral.objects.create(
            case=case,
            organization=organization,
            directory_organization=directory_organization,
            referred_at=now,
            follow_up_at=now + timedelta(hours=follow_up_hours),
            actor=actor,
        )
        record_event(case, CaseEvent.Type.REFERRAL, actor=actor, organization=organization)
        if case.referred_at is None:
            case.referred_at = now
            case.save(update_fields=["referred_at"])
        if ORDER.index(case.state) < ORDER.index(CaseState.REFERRED):
            _move(case, CaseState.REFERRED, actor)
    return referral


def answer_referral(*, referral: Referral, answer: str, actor: User) -> Referral:
    case = referral.case
    _require_open(case)
    if answer not in ReferralAnswer.values or answer == ReferralAnswer.PENDING:
        raise InvalidCase(_("Accepted, declined or no answer."), field="answer")
    with transaction.atomic():
        referral.answer = answer
        referral.answered_at = timezone.now()
        referral.save(update_fields=["answer", "answered_at"])
        record_event(
            case,
            CaseEvent.Type.REFERRAL_ANSWER,
            actor=actor,
            organization=referral.organization,
            answer=answer,
        )
        if answer == ReferralAnswer.ACCEPTED and ORDER.index(case.state) < ORDER.index(
            CaseState.REPRESENTED
        ):
            _move(case, CaseState.REPRESENTED, actor)
    return referral


def add_hearing(*, case: Case, kind: str, at: datetime, actor: User, place: str = "") -> Hearing:
    _require_open(case)
    if kind not in HearingKind.values:
        raise InvalidCase(_("A hearing or a check-in."), field="kind")
    if not isinstance(at, datetime):
        raise InvalidCase(_("Give a date and time."), field="at")
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at < timezone.now():
        raise InvalidCase(_("This time has passed."), field="at")
    place = _text(place, "place", limit=MAX_SHORT)
    with transaction.atomic():
        hearing = Hearing.objects.create(case=case, kind=kind, at=at, place=place, created_by=actor)
        record_event(case, CaseEvent.Type.HEARING, actor=actor, kind=kind, at=at.isoformat())
    return hearing


# The family -------------------------------------------------------------------------------


def _may_message_family(case: Case) -> bool:
    return bool(case.is_open and case.family_updates and case.family_contact)


def send_family_update(*, case: Case, template: str, actor: User, note: str = "") -> CaseEvent:
    """A templated update in the family's language, plus an optional note, through the
    outbox (the row names the event; the text is rendered when it is sent)."""
    _require_open(case)
    if template not in phrases.UPDATES:
        raise InvalidCase(_("Choose one of the updates offered."), field="template")
    if template == "located" and case.facility is None:
        raise InvalidCase(_("The case has no facility yet."), field="template")
    if not case.family_contact:
        raise CaseRefused(_("The case has no family contact."))
    if not case.family_updates:
        raise CaseRefused(_("The family did not ask for updates."))
    note = _text(note, "note", limit=300)
    with transaction.atomic():
        event = record_event(
            case, CaseEvent.Type.FAMILY_UPDATE, actor=actor, note=note, template=template
        )
        messages.queue(kind=messages.UPDATE, item_id=event.pk, channel=case.family_channel)
    return event


def remind_hearings(*, now: datetime | None = None) -> int:
    """The periodic job: a week and a day before each hearing or check-in of an open
    case whose family asked for updates, one reminder each in the outbox. Each is
    claimed with a conditional update, so overlapping runs remind once. Returns the
    reminders queued."""
    now = now or timezone.now()
    queued = 0
    for window, field in (
        (timedelta(days=7), "week_reminder_at"),
        (timedelta(days=1), "day_reminder_at"),
    ):
        due = Hearing.objects.filter(
            at__gt=now,
            at__lte=now + window,
            **{f"{field}__isnull": True},
        ).select_related("case")
        for hearing in due:
            with transaction.atomic():
                if not Hearing.objects.filter(pk=hearing.pk, **{f"{field}__isnull": True}).update(
                    **{field: now}
                ):
                    continue
                which = "week" if field == "week_reminder_at" else "day"
                if which == "week" and hearing.at - now <= timedelta(days=1):
                    continue  # added late: the day-before reminder is the one that counts
                case = hearing.case
                if not _may_message_family(case):
                    continue
                kind = messages.WEEK if which == "week" else messages.DAY
                if messages.queue(kind=kind, item_id=hearing.pk, channel=case.family_channel):
                    record_event(case, CaseEvent.Type.REMINDER, hearing=hearing.pk, which=which)
                    queued += 1
    return queued


def follow_up_referrals(*, now: datetime | None = None) -> int:
    """The periodic job: a referral still waiting at its follow-up time gets a task
    for the case worker who made it ("no answer yet: call again"). Claimed with a
    conditional update. Returns the reminders made."""
    now = now or timezone.now()
    made = 0
    for referral in Referral.objects.filter(
        answer=ReferralAnswer.PENDING, follow_up_at__lte=now, followed_up_at__isnull=True
    ).select_related("case", "actor"):
        with transaction.atomic():
            if not Referral.objects.filter(pk=referral.pk, followed_up_at__isnull=True).update(
                followed_up_at=now
            ):
                continue
            case = referral.case
            if not case.is_open:
                continue
            task = CaseTask.objects.create(
                case=case,
                title=_("No answer yet from %(organization)s: follow up the referral.")
                % {"organization": referral.organization},
                assignee=referral.actor if referral.actor and referral.actor.is_active else None,
                due_at=now,
            )
            record_event(
                case,
                CaseEvent.Type.FOLLOW_UP,
                organization=referral.organization,
                task=task.pk,
            )
            made += 1
    return made


# Audit ------------------------------------------------------------------------------------


def record_view(*, case: Case, actor: User, what: str = "page") -> None:
    record_event(case, CaseEvent.Type.VIEWED, actor=actor, what=what)


def record_export(*, case: Case, actor: User) -> None:
    record_event(case, CaseEvent.Type.EXPORTED, actor=actor, format="pdf")
