"""The cases app's tables in the data inventory (vecinos/core/inventory.py)."""

from __future__ import annotations

from vecinos.core.inventory import INTERNAL, PERSONAL, PUBLIC, ROW, SENSITIVE, Entry, Table

CASE_RETENTION = (
    "CASE_RETENTION (VECINOS_CASE_RETENTION_DAYS, default 90 days) after the case is "
    "closed, then erased by `vecinos purge` (job `cases`); only its counts stay in cases.CaseTally"
)
WITH_CASE = "with its case: " + CASE_RETENTION
ENCRYPTED = "; AES-GCM encrypted, shown only to those on the case"

TABLES: dict[str, Table] = {
    "cases.Facility": Table(
        about="A detention facility of the directory (public information).",
        retention="until an admin deletes it",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "name": Entry(PUBLIC, ROW, "the facility's name"),
            "kind": Entry(PUBLIC, ROW, "processing center, field office, jail, other"),
            "address": Entry(PUBLIC, ROW, "its public address"),
            "phone": Entry(PUBLIC, ROW, "its public phone number"),
            "visiting_rules": Entry(PUBLIC, ROW, "visiting hours and rules"),
            "is_demo": Entry(INTERNAL, ROW, "made by `vecinos demo`"),
        },
    ),
    "cases.Case": Table(
        about="A detained person followed by case workers: facts, state, family contact.",
        retention=CASE_RETENTION,
        fields={
            "id": Entry(INTERNAL, ROW, "random id; its first 8 hex digits are the reference"),
            "state": Entry(INTERNAL, ROW, "intake, locating, located, referred, ... closed"),
            "outcome": Entry(INTERNAL, ROW, "released, transferred, removed or other, once closed"),
            "source": Entry(INTERNAL, ROW, "incident, hotline or public form"),
            "incident": Entry(INTERNAL, ROW, "the incident it came from, if any"),
            "committee": Entry(INTERNAL, ROW, "whose coordinators see it"),
            "person_name": Entry(SENSITIVE, ROW, "the detained person's name" + ENCRYPTED),
            "date_of_birth": Entry(SENSITIVE, ROW, "their date of birth, if known" + ENCRYPTED),
            "a_number": Entry(SENSITIVE, ROW, "their A-number, if known" + ENCRYPTED),
            "person_language": Entry(SENSITIVE, ROW, "the language they speak"),
            "taken_at": Entry(SENSITIVE, ROW, "when they were taken"),
            "taken_place": Entry(SENSITIVE, ROW, "where they were taken" + ENCRYPTED),
            "family_name": Entry(SENSITIVE, ROW, "who to keep informed" + ENCRYPTED),
            "family_contact": Entry(
                SENSITIVE, ROW, "the family's phone number or email address" + ENCRYPTED
            ),
            "family_channel": Entry(INTERNAL, ROW, "sms or email"),
            "family_language": Entry(SENSITIVE, ROW, "the family's language (for messages)"),
            "family_updates": Entry(INTERNAL, ROW, "whether the family asked for updates"),
            "dependents": Entry(SENSITIVE, ROW, "children or others who need care" + ENCRYPTED),
            "medical_needs": Entry(SENSITIVE, ROW, "medical needs" + ENCRYPTED),
            "facility": Entry(SENSITIVE, ROW, "where the person is held"),
            "opened_by": Entry(PERSONAL, ROW, "the staff member who opened it (None: public)"),
            "opened_at": Entry(INTERNAL, ROW, "when it was opened (the tally's month)"),
            "referred_at": Entry(INTERNAL, ROW, "first referral (statistics)"),
            "represented_at": Entry(INTERNAL, ROW, "when a lawyer took it (statistics)"),
            "released_at": Entry(INTERNAL, ROW, "when the person was released (statistics)"),
            "closed_at": Entry(INTERNAL, ROW, "when it was closed (starts the retention)"),
            "is_demo": Entry(INTERNAL, ROW, "made by `vecinos demo`"),
        },
    ),
    "cases.CaseAssignment": Table(
        about="A case worker on a case.",
        retention=WITH_CASE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "case": Entry(INTERNAL, ROW, "which case"),
            "user": Entry(PERSONAL, ROW, "the case worker"),
            "assigned_by": Entry(PERSONAL, ROW, "who assigned them"),
            "assigned_at": Entry(INTERNAL, ROW, "when"),
        },
    ),
    "cases.CaseEvent": Table(
        about="The case timeline and audit log: changes, notes, views, exports.",
        retention=WITH_CASE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "case": Entry(INTERNAL, ROW, "which case"),
            "type": Entry(INTERNAL, ROW, "what happened"),
            "actor": Entry(PERSONAL, ROW, "who did it (None: the public form, a job)"),
            "data": Entry(INTERNAL, ROW, "states, ids, an organization's name; never a person"),
            "note": Entry(SENSITIVE, ROW, "a note or a family update's text" + ENCRYPTED),
            "created_at": Entry(INTERNAL, ROW, "when"),
        },
    ),
    "cases.CaseTask": Table(
        about="A task of a case (call the detention center, childcare tonight).",
        retention=WITH_CASE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "case": Entry(INTERNAL, ROW, "which case"),
            "title": Entry(SENSITIVE, ROW, "what to do; AES-GCM encrypted"),
            "assignee": Entry(PERSONAL, ROW, "who does it (sees this task only)"),
            "due_at": Entry(INTERNAL, ROW, "when it is due"),
            "done_at": Entry(INTERNAL, ROW, "when it was done"),
            "created_by": Entry(PERSONAL, ROW, "who added it"),
            "created_at": Entry(INTERNAL, ROW, "when"),
        },
    ),
    "cases.LocatorCheck": Table(
        about="One search for the person: which facility, when, what came of it.",
        retention=WITH_CASE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "case": Entry(INTERNAL, ROW, "which case"),
            "facility": Entry(SENSITIVE, ROW, "the facility asked"),
            "result": Entry(INTERNAL, ROW, "found, not found, no answer"),
            "note": Entry(SENSITIVE, ROW, "what was learned" + ENCRYPTED),
            "checked_at": Entry(INTERNAL, ROW, "when"),
            "actor": Entry(PERSONAL, ROW, "who checked"),
        },
    ),
    "cases.Referral": Table(
        about="The case sent to a legal-aid organization, and its answer.",
        retention=WITH_CASE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "case": Entry(INTERNAL, ROW, "which case"),
            "organization": Entry(INTERNAL, ROW, "the organization's name"),
            "directory_organization": Entry(INTERNAL, ROW, "its legal-aid directory entry, if any"),
            "answer": Entry(INTERNAL, ROW, "pending, accepted, declined, no answer"),
            "referred_at": Entry(INTERNAL, ROW, "when"),
            "answered_at": Entry(INTERNAL, ROW, "when it answered"),
            "follow_up_at": Entry(INTERNAL, ROW, "when to chase it"),
            "followed_up_at": Entry(INTERNAL, ROW, "when the follow-up task was made"),
            "actor": Entry(PERSONAL, ROW, "who referred"),
        },
    ),
    "cases.Hearing": Table(
        about="A court hearing or ICE check-in, and the family's reminders.",
        retention=WITH_CASE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "case": Entry(INTERNAL, ROW, "which case"),
            "kind": Entry(INTERNAL, ROW, "hearing or check-in"),
            "at": Entry(SENSITIVE, ROW, "when (where a person will be)"),
            "place": Entry(SENSITIVE, ROW, "the court or office" + ENCRYPTED),
            "week_reminder_at": Entry(INTERNAL, ROW, "when the week-before reminder was queued"),
            "day_reminder_at": Entry(INTERNAL, ROW, "when the day-before reminder was queued"),
            "created_by": Entry(PERSONAL, ROW, "who added it"),
            "created_at": Entry(INTERNAL, ROW, "when"),
        },
    ),
    "cases.CaseTally": Table(
        about="What is left of erased cases: counts by month opened and outcome.",
        retention="kept (anonymous counts)",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "month": Entry(INTERNAL, ROW, "month the cases were opened"),
            "outcome": Entry(INTERNAL, ROW, "released, transferred, removed, other"),
            "cases": Entry(INTERNAL, ROW, "how many"),
            "referred_within_day": Entry(INTERNAL, ROW, "of which referred within 24 hours"),
            "represented": Entry(INTERNAL, ROW, "of which represented"),
            "released": Entry(INTERNAL, ROW, "of which released"),
        },
    ),
}
