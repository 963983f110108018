"""The committees' tables in the data inventory (collected by
``vecinos.core.inventory.tables``); the fields of Committee and Membership are in
vecinos/core/inventory.py."""

from __future__ import annotations

from vecinos.core.inventory import (
    INTERNAL,
    PERSONAL,
    PUBLIC,
    ROW,
    SECRET,
    SENSITIVE,
    Entry,
    Table,
)

FORMER = "VECINOS_FORMER_CONTACT_DAYS (default 30) after the person left, then deleted"
DECIDED = (
    "while pending; contact and reason blanked when decided; deleted "
    "VECINOS_JOIN_REQUEST_DAYS (default 30) after the decision"
)
COMMITTEE_LIFE = "until the committee is deleted"

TABLES: dict[str, Table] = {
    "committees.CommitteeCell": Table(
        about="One H3 cell of a committee's area (lookups by ZIP code or incident).",
        retention=COMMITTEE_LIFE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(PUBLIC, ROW, "which committee"),
            "cell": Entry(PUBLIC, ROW, "H3 resolution-8 cell"),
        },
    ),
    "committees.FormerContact": Table(
        about="The contact of someone who left or was removed, until the retention clock.",
        retention=FORMER,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(PERSONAL, ROW, "which committee"),
            "user": Entry(PERSONAL, ROW, "whose contact; emptied if the account goes"),
            "alias": Entry(PERSONAL, ROW, "their alias"),
            "channel": Entry(PERSONAL, ROW, "sms or email"),
            "contact": Entry(SENSITIVE, ROW, "phone or email, AES-GCM encrypted"),
            "reason": Entry(PERSONAL, ROW, "left, removed, or account deactivated"),
            "ended_at": Entry(PERSONAL, ROW, "when the membership ended"),
            "erase_after": Entry(INTERNAL, ROW, "when `vecinos purge` deletes the row"),
        },
    ),
    "committees.JoinRequest": Table(
        about="Someone asking to join a committee (or a record of an invite used).",
        retention=DECIDED,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(PERSONAL, ROW, "which committee"),
            "alias": Entry(PERSONAL, ROW, "the alias they chose"),
            "channel": Entry(PERSONAL, ROW, "sms or email"),
            "contact": Entry(
                SENSITIVE, "blanked when the request is decided", "phone or email, encrypted"
            ),
            "contact_hash": Entry(SENSITIVE, ROW, "keyed hash: one pending request per contact"),
            "language": Entry(PERSONAL, ROW, "their language"),
            "why": Entry(SENSITIVE, "blanked when the request is decided", "why they ask"),
            "status": Entry(INTERNAL, ROW, "pending, approved or declined"),
            "user": Entry(PERSONAL, ROW, "their account, when they had or got one"),
            "invite": Entry(INTERNAL, ROW, "the invite used, if any"),
            "vouched_by": Entry(PERSONAL, ROW, "the member who vouched"),
            "vouched_at": Entry(INTERNAL, ROW, "when"),
            "decided_by": Entry(PERSONAL, ROW, "the coordinator who decided"),
            "decided_at": Entry(INTERNAL, ROW, "when"),
            "created_at": Entry(INTERNAL, ROW, "when they asked"),
        },
    ),
    "committees.Invite": Table(
        about="An invite link/code to a committee; only a keyed hash of the code is kept.",
        retention=COMMITTEE_LIFE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(INTERNAL, ROW, "which committee"),
            "label": Entry(INTERNAL, ROW, "a note by the coordinator who made it"),
            "prefix": Entry(INTERNAL, ROW, "first characters of the code, to tell invites apart"),
            "code_hash": Entry(SECRET, ROW, "keyed hash of the code; the code is never kept"),
            "max_uses": Entry(INTERNAL, ROW, "how many people may use it"),
            "uses": Entry(INTERNAL, ROW, "how many did"),
            "expires_at": Entry(INTERNAL, ROW, "when it stops working"),
            "revoked_at": Entry(INTERNAL, ROW, "when it was revoked"),
            "created_by": Entry(PERSONAL, ROW, "the coordinator who made it"),
            "created_at": Entry(INTERNAL, ROW, "when"),
        },
    ),
    "committees.ContactAudit": Table(
        about="Every view or export of a member's contact: who looked, whose, when.",
        retention=COMMITTEE_LIFE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(PERSONAL, ROW, "which committee"),
            "actor": Entry(PERSONAL, ROW, "who looked"),
            "subject": Entry(PERSONAL, ROW, "whose contact"),
            "subject_alias": Entry(PERSONAL, ROW, "their alias at the time"),
            "kind": Entry(INTERNAL, ROW, "viewed or exported"),
            "created_at": Entry(INTERNAL, ROW, "when"),
        },
    ),
    "committees.Announcement": Table(
        about="A coordinator's message to every member, one text per language.",
        retention=COMMITTEE_LIFE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(INTERNAL, ROW, "which committee"),
            "author": Entry(PERSONAL, ROW, "the coordinator who wrote it"),
            "texts": Entry(PERSONAL, ROW, "subject and body per language (members read it)"),
            "recipients": Entry(INTERNAL, ROW, "how many members it was sent to"),
            "created_at": Entry(INTERNAL, ROW, "when"),
        },
    ),
    "committees.Task": Table(
        about="A committee's to-do (flyers at a school gate, a phone-tree call list).",
        retention=COMMITTEE_LIFE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(INTERNAL, ROW, "which committee"),
            "title": Entry(PERSONAL, ROW, "what to do (members read it)"),
            "notes": Entry(PERSONAL, ROW, "details"),
            "assignee": Entry(PERSONAL, ROW, "the member doing it"),
            "status": Entry(INTERNAL, ROW, "to do, in progress, done"),
            "due_on": Entry(INTERNAL, ROW, "due date"),
            "created_by": Entry(PERSONAL, ROW, "the coordinator who made it"),
            "created_at": Entry(INTERNAL, ROW, "when"),
            "updated_at": Entry(INTERNAL, ROW, "last change"),
        },
    ),
    "committees.CommitteeEvent": Table(
        about="The committee's history: one row per state change (who, what, whom, when).",
        retention=COMMITTEE_LIFE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(INTERNAL, ROW, "which committee"),
            "type": Entry(INTERNAL, ROW, "what happened"),
            "actor": Entry(PERSONAL, ROW, "who did it; empty for the system or command line"),
            "subject": Entry(PERSONAL, ROW, "whom it was about"),
            "data": Entry(INTERNAL, ROW, "ids, roles and counts; never a contact"),
            "created_at": Entry(INTERNAL, ROW, "when"),
        },
    ),
}
