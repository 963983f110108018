"""Committees: who belongs, how people join, what coordinators send and ask.

Roles: ``User.role`` is the network-wide role (admin and dispatcher act everywhere);
what a person may do inside one committee comes only from their ``Membership.role``
there, checked per object (docs/architecture.md, "Roles").

Contacts of members and of people asking to join are encrypted
(``vecinos.core.fields.EncryptedTextField``) with a keyed hash beside them, like
subscribers' contacts. Members see each other by alias only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.core import areas
from vecinos.core.fields import EncryptedTextField


class CommitteeKind(models.TextChoices):
    NEIGHBORHOOD = "neighborhood", _("Neighborhood")
    SCHOOL = "school", _("School")
    WORKPLACE = "workplace", _("Workplace")


class ContactChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")


class Committee(models.Model):
    """A neighborhood, school or workplace committee. Its area is a set of H3 cells at
    resolution 8 (never an address), also kept one row per cell in ``CommitteeCell``
    for lookups by ZIP code or incident."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=CommitteeKind.choices)
    description = models.TextField(blank=True)
    area_cells = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    is_demo = models.BooleanField(default=False)
    # The public page: where, in which languages, when it meets, how to join, its hotline.
    zip_codes = models.JSONField(default=list, blank=True)
    # How the area was chosen, in no language ("zip:90033,90023;km:2;cells:14",
    # core/areas.py area_key): worded in the reader's by ``area_text``.
    area_label = models.CharField(max_length=120, blank=True)
    languages = models.JSONField(default=list, blank=True)
    meets = models.CharField(max_length=200, blank=True)
    how_to_join = models.TextField(blank=True)
    hotline = models.CharField(max_length=20, blank=True)
    requires_vouch = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("committees:public", kwargs={"slug": self.slug})

    @property
    def area_text(self) -> str:
        """How the area was chosen, in the active language: "ZIP 90033, 90023"."""
        return areas.area_text(self.area_label)


class CommitteeCell(models.Model):
    """One H3 resolution-8 cell of a committee's area (integer equality on an index)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="cells")
    cell = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cell", "committee"], name="committee_cell_unique")
        ]

    def __str__(self) -> str:
        return f"{self.cell:x}"


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    RESPONDER = "responder", _("Responder")
    COORDINATOR = "coordinator", _("Coordinator")


class Membership(models.Model):
    """A person's place in a committee. Leaving or being removed deletes the row; the
    contact moves to ``FormerContact`` until the retention clock erases it."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=MembershipRole.choices, default="member")
    joined_at = models.DateTimeField(default=timezone.now)
    # How the other members know this person; the only name they see.
    alias = models.CharField(max_length=60, blank=True)
    # Where announcements reach them: E.164 number or email address, encrypted; its
    # keyed hash (alerts.subscriptions.contact_purpose) finds duplicates.
    channel = models.CharField(max_length=8, choices=ContactChannel.choices, blank=True)
    contact = EncryptedTextField(blank=True)
    contact_hash = models.CharField(max_length=64, blank=True, db_index=True)
    language = models.CharField(max_length=8, default="en")

    class Meta:
        ordering = ["alias", "id"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "user"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.committee}"

    @property
    def display_alias(self) -> str:
        return self.alias or _("Member %(number)s") % {"number": self.pk}


class FormerContact(models.Model):
    """The contact of someone who left or was removed, kept until ``erase_after``
    (COMMITTEE_FORMER_CONTACT_DAYS), then deleted by `vecinos purge`."""

    class Reason(models.TextChoices):
        LEFT = "left", _("Left")
        REMOVED = "removed", _("Removed")
        DEACTIVATED = "deactivated", _("Account deactivated")

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="former_contacts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    alias = models.CharField(max_length=60, blank=True)
    channel = models.CharField(max_length=8, choices=ContactChannel.choices, blank=True)
    contact = EncryptedTextField(blank=True)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    ended_at = models.DateTimeField(default=timezone.now)
    erase_after = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["erase_after"], name="former_contact_erase")]

    def __str__(self) -> str:
        return f"former contact in {self.committee_id}"


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a coordinator")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="join_requests")
    alias = models.CharField(max_length=60)
    channel = models.CharField(max_length=8, choices=ContactChannel.choices)
    contact = EncryptedTextField(blank=True)
    contact_hash = models.CharField(max_length=64, blank=True, db_index=True)
    language = models.CharField(max_length=8, default="en")
    why = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # A signed-in person asking with their own account (else an account is made).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invite = models.ForeignKey(
        "Invite", null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    vouched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vouched_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["committee", "status"], name="join_request_queue"),
            models.Index(fields=["decided_at"], name="join_request_decided"),
        ]

    def __str__(self) -> str:
        return f"join request {self.pk} ({self.status})"


class Invite(models.Model):
    """An invite link/code: whoever holds it joins without waiting for approval (the
    coordinator who made it vouches), until it expires, is used up or is revoked.
    Only a keyed hash of the code is stored; the code is shown once."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="invites")
    label = models.CharField(max_length=80, blank=True)
    prefix = models.CharField(max_length=8)
    code_hash = models.CharField(max_length=64, unique=True)
    max_uses = models.PositiveIntegerField(default=1)
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invite {self.prefix}… to {self.committee_id}"

    def usable(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and self.uses < self.max_uses and self.expires_at > moment  # type: ignore[operator]


class ContactAudit(models.Model):
    """Every view or export of a member's contact: who looked, whose, when."""

    class Kind(models.TextChoices):
        VIEW = "view", _("Viewed")
        EXPORT = "export", _("Exported (CSV)")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_alias = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], name="contact_audit_time")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.subject_id} by {self.actor_id}"


class Announcement(models.Model):
    """A message from a coordinator to every member, one text per language; each
    member gets theirs through the outbox (``alerts.Delivery`` of kind
    ``announcement``) and all members read them in the archive."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {"en": {"subject": ..., "body": ...}, "es": {...}}
    texts = models.JSONField(default=dict)
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"announcement {self.pk} in {self.committee_id}"

    def text_for(self, language: str) -> dict[str, str]:
        texts: dict[str, dict[str, str]] = self.texts or {}
        chosen: dict[str, str] = (
            texts.get(language) or texts.get("en") or next(iter(texts.values()), {})
        )
        return {"subject": str(chosen.get("subject", "")), "body": str(chosen.get("body", ""))}


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        DOING = "doing", _("In progress")
        DONE = "done", _("Done")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=140)
    notes = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    due_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["status", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class CommitteeEvent(models.Model):
    """The committee's history and audit log: one row per state change."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["created_at"], name="committee_event_time")]

    def __str__(self) -> str:
        return f"{self.type} in {self.committee_id}"
