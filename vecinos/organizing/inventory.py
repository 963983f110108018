"""The organizing app's tables in the data inventory (``vecinos.core.inventory``)."""

from vecinos.core.inventory import INTERNAL, PERSONAL, PUBLIC, ROW, SECRET, SENSITIVE, Entry, Table

UNTIL_COMMITTEE = "until the committee is deleted"

TABLES: dict[str, Table] = {
    "organizing.Event": Table(
        about="A meeting, training or action of a committee (members only).",
        retention=UNTIL_COMMITTEE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(INTERNAL, ROW, "whose event"),
            "kind": Entry(INTERNAL, ROW, "meeting, know-your-rights or responder training, action"),
            "title": Entry(PERSONAL, ROW, "written by a coordinator"),
            "description": Entry(PERSONAL, ROW, "written by a coordinator"),
            "place": Entry(SENSITIVE, ROW, "where members meet; shown to members only"),
            "language": Entry(INTERNAL, ROW, "the language it is held in"),
            "capacity": Entry(INTERNAL, ROW, "places"),
            "starts_at": Entry(INTERNAL, ROW, "when it starts"),
            "ends_at": Entry(INTERNAL, ROW, "when it ends"),
            "created_by": Entry(PERSONAL, ROW, "the coordinator who scheduled it"),
            "created_at": Entry(INTERNAL, ROW, "when it was scheduled"),
            "cancelled_at": Entry(INTERNAL, ROW, "when it was cancelled"),
            "is_demo": Entry(INTERNAL, ROW, "made by `vecinos demo`"),
        },
    ),
    "organizing.Invitation": Table(
        about="A member's invitation to an event: their RSVP and attendance.",
        retention="with its event, or until the account is deleted",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "event": Entry(INTERNAL, ROW, "which event"),
            "user": Entry(PERSONAL, ROW, "who is invited"),
            "rsvp": Entry(PERSONAL, ROW, "pending, yes or no"),
            "answered_at": Entry(PERSONAL, ROW, "when they answered"),
            "answered_via": Entry(INTERNAL, ROW, "web or sms"),
            "sms_hash": Entry(
                SECRET,
                "until its event ends, then deleted by `vecinos purge` (job `organizing`)",
                "keyed hash of the SMS number it reached, to match SI/YES/NO answers",
            ),
            "attended_at": Entry(PERSONAL, ROW, "when they were marked present at the door"),
            "created_at": Entry(INTERNAL, ROW, "when they were invited"),
        },
    ),
    "organizing.EventReminder": Table(
        about="A reminder due for an event (the day before, two hours before).",
        retention="with its event",
        fields={
            "id": Entry(INTERNAL, ROW, "row number; the outbox rows' ref"),
            "event": Entry(INTERNAL, ROW, "which event"),
            "kind": Entry(INTERNAL, ROW, "day_before or two_hours"),
            "due_at": Entry(INTERNAL, ROW, "when it is due"),
            "queued_at": Entry(INTERNAL, ROW, "when its outbox rows were made"),
            "queued": Entry(INTERNAL, ROW, "how many rows"),
        },
    ),
    "organizing.TrainingRecord": Table(
        about="That a member completed a training, and until when it counts.",
        retention="until the account is deleted (needed to prove a responder was trained)",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(INTERNAL, ROW, "the committee that recorded it"),
            "user": Entry(PERSONAL, ROW, "who was trained"),
            "kind": Entry(PERSONAL, ROW, "responder or know-your-rights"),
            "completed_on": Entry(PERSONAL, ROW, "the day it was completed"),
            "expires_on": Entry(PERSONAL, ROW, "the last day it counts"),
            "event": Entry(INTERNAL, ROW, "the training event, if recorded from one"),
            "recorded_by": Entry(PERSONAL, ROW, "the coordinator who recorded it"),
            "created_at": Entry(INTERNAL, ROW, "when it was recorded"),
        },
    ),
    "organizing.Shift": Table(
        about="One on-call slot of a committee's weekly roster.",
        retention=UNTIL_COMMITTEE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(INTERNAL, ROW, "whose roster"),
            "starts_at": Entry(INTERNAL, ROW, "start"),
            "ends_at": Entry(INTERNAL, ROW, "end"),
            "needed": Entry(INTERNAL, ROW, "responders wanted on call"),
            "reminded_at": Entry(INTERNAL, ROW, "when the reminders were queued"),
            "flagged_at": Entry(INTERNAL, ROW, "when it was flagged uncovered to coordinators"),
            "created_by": Entry(PERSONAL, ROW, "the coordinator who made it"),
            "created_at": Entry(INTERNAL, ROW, "when it was made"),
            "is_demo": Entry(INTERNAL, ROW, "made by `vecinos demo`"),
        },
    ),
    "organizing.ShiftAssignment": Table(
        about="A responder on a shift (on call or backup).",
        retention="30 days after the shift ended, then deleted by `vecinos purge` "
        "(job `organizing`)",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "shift": Entry(INTERNAL, ROW, "which shift"),
            "user": Entry(PERSONAL, ROW, "the responder"),
            "position": Entry(INTERNAL, ROW, "on_call or backup"),
            "cell": Entry(SENSITIVE, ROW, "H3 resolution-8 cell they cover from (never a point)"),
            "offered_at": Entry(INTERNAL, ROW, "when it was offered for a swap"),
            "created_at": Entry(INTERNAL, ROW, "when they signed up"),
        },
    ),
    "organizing.Hotline": Table(
        about="A committee's public hotline number.",
        retention=UNTIL_COMMITTEE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(INTERNAL, ROW, "whose number"),
            "number": Entry(PUBLIC, ROW, "the published phone number (E.164)"),
            "ring_seconds": Entry(INTERNAL, ROW, "how long the on-call phones ring"),
            "created_at": Entry(INTERNAL, ROW, "when it was set"),
        },
    ),
    "organizing.CalendarKey": Table(
        about="A member's secret calendar-feed address for a committee (its keyed hash).",
        retention="until replaced, or the account is deleted",
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(INTERNAL, ROW, "which committee's calendar"),
            "user": Entry(PERSONAL, ROW, "whose address"),
            "digest": Entry(SECRET, ROW, "keyed hash of the secret; the secret is not kept"),
            "created_at": Entry(INTERNAL, ROW, "when it was made"),
        },
    ),
    "organizing.OrganizingEvent": Table(
        about="The organizing history of a committee (who changed what, when).",
        retention=UNTIL_COMMITTEE,
        fields={
            "id": Entry(INTERNAL, ROW, "row number"),
            "committee": Entry(INTERNAL, ROW, "which committee"),
            "type": Entry(INTERNAL, ROW, "what happened"),
            "actor": Entry(PERSONAL, ROW, "who did it; empty for the system or a caller"),
            "subject": Entry(PERSONAL, ROW, "the member it is about"),
            "data": Entry(
                INTERNAL, ROW, "ids, kinds, states, a recording sid; never a contact or a number"
            ),
            "created_at": Entry(INTERNAL, ROW, "when"),
        },
    ),
}
