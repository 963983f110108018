"""Organizing a committee between raids: events and their RSVPs, trainings, on-call
shifts and the hotline. Sits above ``vecinos.committees`` (imports it, never the
reverse); see docs/architecture.md, "Organizing"."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.committees.models import Committee


class EventKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    KYR_TRAINING = "kyr_training", _("Know-your-rights training")
    RESPONDER_TRAINING = "responder_training", _("Responder training")
    ACTION = "action", _("Action")


class Event(models.Model):
    """A meeting, a training or an action of one committee."""

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="organizing_events"
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    # Where: a hall, a school library, "call-in". Shown to members only.
    place = models.CharField(max_length=200)
    language = models.CharField(max_length=8, default="es")
    capacity = models.PositiveIntegerField(null=True, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["committee", "starts_at"], name="event_committee_start")]

    def __str__(self) -> str:
        return self.title


class Rsvp(models.TextChoices):
    PENDING = "pending", _("Not answered")
    YES = "yes", _("Coming")
    NO = "no", _("Not coming")


class Invitation(models.Model):
    """One member invited to one event: their RSVP and whether they came."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    rsvp = models.CharField(max_length=8, choices=Rsvp.choices, default=Rsvp.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_via = models.CharField(max_length=8, blank=True)  # "web" or "sms"
    # Keyed hash of the SMS number the invitation reached (the subscriptions' hash),
    # so an SMS answer (SI, YES, NO) finds it without keeping the number.
    sms_hash = models.CharField(max_length=64, blank=True, db_index=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="one_invitation_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.event_id}: {self.rsvp}"


class ReminderKind(models.TextChoices):
    DAY_BEFORE = "day_before", _("The day before")
    TWO_HOURS = "two_hours", _("Two hours before")


class EventReminder(models.Model):
    """A reminder due for an event: when due, one outbox row per invited member who
    has not said no (``vecinos.organizing.reminders``)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    due_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)
    queued = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="one_reminder_per_kind")
        ]
        indexes = [models.Index(fields=["queued_at", "due_at"], name="reminder_due")]

    def __str__(self) -> str:
        return f"{self.kind} reminder of {self.event_id}"


class TrainingKind(models.TextChoices):
    RESPONDER = "responder", _("Responder training")
    KYR = "kyr", _("Know-your-rights training")


class TrainingRecord(models.Model):
    """A coordinator's record that someone completed a training, and until when it
    counts. A valid responder training is what the responder role, shifts and
    dispatch need (``vecinos.organizing.trainings``)."""

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="training_records"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records"
    )
    kind = models.CharField(max_length=12, choices=TrainingKind.choices)
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on", "id"]
        indexes = [models.Index(fields=["user", "kind", "expires_on"], name="training_valid")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.user_id} until {self.expires_on}"


class Shift(models.Model):
    """One on-call slot of a committee's weekly roster."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Responders wanted on call (the backup is one more, rung second).
    needed = models.PositiveSmallIntegerField(default=1)
    reminded_at = models.DateTimeField(null=True, blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["committee", "starts_at"], name="shift_committee_start"),
            models.Index(fields=["starts_at", "ends_at"], name="shift_time"),
        ]

    def __str__(self) -> str:
        return f"shift {self.pk} of {self.committee_id} at {self.starts_at:%Y-%m-%d %H:%M}"


class Position(models.TextChoices):
    ON_CALL = "on_call", _("On call")
    BACKUP = "backup", _("Backup")


class ShiftAssignment(models.Model):
    """A responder on a shift. Where they will be is kept as an H3 cell (resolution
    8), never a point: enough to suggest the nearest, not to find a home."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_assignments"
    )
    position = models.CharField(max_length=8, choices=Position.choices, default=Position.ON_CALL)
    cell = models.BigIntegerField(null=True, blank=True)
    # Offered for a swap: another responder of the committee may take it over.
    offered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shift", "user"], name="one_assignment_per_shift")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.position} on {self.shift_id}"


class Hotline(models.Model):
    """A committee's public phone number (a Twilio number whose Voice webhook points
    at ``/hotline/twilio/voice``)."""

    committee = models.OneToOneField(Committee, on_delete=models.CASCADE, related_name="voice_line")
    number = models.CharField(max_length=20, unique=True)  # E.164, published
    ring_seconds = models.PositiveSmallIntegerField(default=20)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"hotline {self.number} of {self.committee_id}"


class CalendarKey(models.Model):
    """A member's secret calendar-feed address for one committee. Only a keyed hash
    of the secret is kept; the address is shown when it is made (and can be made
    again, which retires the old one)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["committee", "user"], name="one_calendar_key")
        ]

    def __str__(self) -> str:
        return f"calendar key of {self.user_id} for {self.committee_id}"


class OrganizingEvent(models.Model):
    """The organizing history of a committee: an event made or cancelled, an RSVP,
    attendance, a training recorded, the responder role granted or revoked, a shift
    signed up for or swapped, a hotline voicemail. Written by
    ``vecinos.organizing.events.record_event``."""

    class Type(models.TextChoices):
        EVENT_CREATED = "event_created", _("Event created")
        EVENT_CANCELLED = "event_cancelled", _("Event cancelled")
        RSVP = "rsvp", _("RSVP")
        ATTENDED = "attended", _("Attendance taken")
        TRAINING_RECORDED = "training_recorded", _("Training recorded")
        RESPONDER_GRANTED = "responder_granted", _("Responder role granted")
        RESPONDER_REVOKED = "responder_revoked", _("Responder role revoked")
        SHIFT_CREATED = "shift_created", _("Shift created")
        SHIFT_TAKEN = "shift_taken", _("Shift signed up for")
        SHIFT_LEFT = "shift_left", _("Shift given up")
        SHIFT_OFFERED = "shift_offered", _("Shift offered for a swap")
        SHIFT_SWAPPED = "shift_swapped", _("Shift swapped")
        SHIFT_UNCOVERED = "shift_uncovered", _("Uncovered shift flagged")
        HOTLINE_SET = "hotline_set", _("Hotline number set")
        VOICEMAIL = "voicemail", _("Hotline voicemail")
        CALENDAR_KEY = "calendar_key", _("Calendar address made")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=Type.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The member the change is about (an RSVP, a training, a role), if any.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["committee", "created_at"], name="organizing_event_time")]

    def __str__(self) -> str:
        return f"{self.type} in {self.committee_id}"
