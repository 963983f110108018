"""Detention support: a case follows one detained person from "someone was taken" to a
lawyer and a family kept informed (docs/architecture.md, "Cases").

Every field that says something about the detained person or their family is an
``EncryptedTextField`` (AES-GCM, purpose-bound, vecinos/core/fields.py); what stays
in clear is states, times and ids. A closed case's personal fields are erased after
``CASE_RETENTION`` days and the case becomes a line of ``CaseTally``
(vecinos/cases/retention.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.core.fields import EncryptedTextField


class FacilityKind(models.TextChoices):
    PROCESSING_CENTER = "processing", _("Processing center")
    FIELD_OFFICE = "field_office", _("Field office holding rooms")
    JAIL = "jail", _("County jail")
    OTHER = "other", _("Other")


class Facility(models.Model):
    """A place where people are held: public information (name, address, phone,
    visiting rules), the same for every case."""

    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=16, choices=FacilityKind.choices)
    address = models.CharField(max_length=240, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    visiting_rules = models.TextField(blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return self.name


class CaseState(models.TextChoices):
    INTAKE = "intake", _("Intake")
    LOCATING = "locating", _("Locating")
    LOCATED = "located", _("Located")
    REFERRED = "referred", _("Referred")
    REPRESENTED = "represented", _("Represented")
    BOND_REQUESTED = "bond_requested", _("Bond requested")
    RELEASED = "released", _("Released")
    TRANSFERRED = "transferred", _("Transferred")
    REMOVED = "removed", _("Removed")
    CLOSED = "closed", _("Closed")


class CaseSource(models.TextChoices):
    INCIDENT = "incident", _("From an incident")
    HOTLINE = "hotline", _("Hotline call")
    PUBLIC = "public", _("Public request")


class FamilyChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    state = models.CharField(max_length=16, choices=CaseState.choices, default=CaseState.INTAKE)
    # The last of released / transferred / removed before closing ("" while open,
    # "other" for a case closed from any other state): what the tally counts.
    outcome = models.CharField(max_length=16, blank=True)
    source = models.CharField(max_length=16, choices=CaseSource.choices)
    incident = models.ForeignKey(
        "reports.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Whose coordinators see the case (None: admins and its case workers only).
    committee = models.ForeignKey(
        "committees.Committee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    # The detained person, as the family gives it. Encrypted; blank when unknown.
    person_name = EncryptedTextField(blank=True)
    date_of_birth = EncryptedTextField(blank=True)
    a_number = EncryptedTextField(blank=True)
    person_language = models.CharField(max_length=8, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_place = EncryptedTextField(blank=True)
    # The family contact: who to keep informed, how, and in which language.
    family_name = EncryptedTextField(blank=True)
    family_contact = EncryptedTextField(blank=True)
    family_channel = models.CharField(max_length=8, choices=FamilyChannel.choices, blank=True)
    family_language = models.CharField(max_length=8, default="en")
    family_updates = models.BooleanField(default=False)
    dependents = EncryptedTextField(blank=True)
    medical_needs = EncryptedTextField(blank=True)
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(default=timezone.now)
    # Milestones for the statistics (first time each happened).
    referred_at = models.DateTimeField(null=True, blank=True)
    represented_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["state", "closed_at"], name="case_closed")]

    def __str__(self) -> str:
        return f"case {self.reference}"

    @property
    def reference(self) -> str:
        """What staff call the case aloud: no name in it."""
        return self.pk.hex[:8].upper()

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED


class CaseAssignment(models.Model):
    """A case worker on a case. Only they (with admins and the coordinators of the
    case's committee) see it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="one_assignment_per_worker")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.case_id}"


class CaseEvent(models.Model):
    """The case timeline and its audit log in one: every state change, note, check,
    referral, hearing, family update, view and export (who, when)."""

    class Type(models.TextChoices):
        OPENED = "opened", _("Case opened")
        FACTS = "facts", _("Facts corrected")
        STATE = "state", _("State changed")
        NOTE = "note", _("Note")
        ASSIGNED = "assigned", _("Case worker assigned")
        TASK_ADDED = "task_added", _("Task added")
        TASK_DONE = "task_done", _("Task done")
        LOCATOR_CHECK = "locator_check", _("Locator check")
        REFERRAL = "referral", _("Referral")
        REFERRAL_ANSWER = "referral_answer", _("Referral answered")
        FOLLOW_UP = "follow_up", _("Referral follow-up due")
        HEARING = "hearing", _("Hearing or check-in")
        REMINDER = "reminder", _("Reminder sent to the family")
        FAMILY_UPDATE = "family_update", _("Update sent to the family")
        VIEWED = "viewed", _("Case viewed")
        EXPORTED = "exported", _("Case exported")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=16, choices=Type.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # States, ids, template keys: never a name or a contact.
    data = models.JSONField(default=dict, blank=True)
    # Free text of a note or a family update: encrypted, for those on the case only.
    note = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.type} on {self.case_id}"


class CaseTask(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = EncryptedTextField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_tasks",
    )
    due_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at", "due_at", "id"]

    def __str__(self) -> str:
        return f"task {self.pk} of {self.case_id}"


class LocatorResult(models.TextChoices):
    FOUND = "found", _("Found there")
    NOT_FOUND = "not_found", _("Not found")
    NO_ANSWER = "no_answer", _("No answer")


class LocatorCheck(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="locator_checks")
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.CharField(max_length=16, choices=LocatorResult.choices)
    note = EncryptedTextField(blank=True)
    checked_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"check {self.pk} of {self.case_id}"


class ReferralAnswer(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    NO_ANSWER = "no_answer", _("No answer")


class Referral(models.Model):
    """The case sent to a legal-aid organization: one of the legal-aid directory
    (vecinos/directory) or another named by text."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    # The organization's name as written, or its directory entry's name when chosen there.
    organization = models.CharField(max_length=160)
    directory_organization = models.ForeignKey(
        "directory.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer = models.CharField(
        max_length=16, choices=ReferralAnswer.choices, default=ReferralAnswer.PENDING
    )
    referred_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    # When to chase a referral still waiting, and when the reminder was made.
    follow_up_at = models.DateTimeField()
    followed_up_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-referred_at", "-id"]
        indexes = [models.Index(fields=["answer", "follow_up_at"], name="referral_follow_up")]

    def __str__(self) -> str:
        return f"referral {self.pk} of {self.case_id}"


class HearingKind(models.TextChoices):
    HEARING = "hearing", _("Court hearing")
    CHECK_IN = "check_in", _("ICE check-in")


class Hearing(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="hearings")
    kind = models.CharField(max_length=16, choices=HearingKind.choices)
    at = models.DateTimeField()
    place = EncryptedTextField(blank=True)
    # When each reminder to the family was put in the outbox (None: not yet).
    week_reminder_at = models.DateTimeField(null=True, blank=True)
    day_reminder_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["at"], name="hearing_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} of {self.case_id}"


class CaseTally(models.Model):
    """What is left of erased cases: counts by month opened and outcome, nothing else."""

    month = models.DateField()
    outcome = models.CharField(max_length=16)
    cases = models.PositiveIntegerField(default=0)
    referred_within_day = models.PositiveIntegerField(default=0)
    represented = models.PositiveIntegerField(default=0)
    released = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["month", "outcome"]
        constraints = [
            models.UniqueConstraint(fields=["month", "outcome"], name="one_tally_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.outcome}: {self.cases}"
