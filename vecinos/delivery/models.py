"""What the delivery app stores beside the outbox (which lives in vecinos.alerts).

``ReporterContact``: the phone number of someone who reported by SMS, kept encrypted
for ``REPORT_RETENTION`` days only, so a dispatcher can answer them from the console
("is the van still there?") without ever seeing the number.

``InboundMessage``: a keyed hash of the Twilio id of each inbound SMS handled, so a
replayed (or retried) webhook with the same ``MessageSid`` files nothing new.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from vecinos.core.fields import EncryptedTextField


class ReporterContact(models.Model):
    report = models.OneToOneField(
        "reports.Report", on_delete=models.CASCADE, related_name="reporter_contact"
    )
    # E.164 phone number; AES-GCM encrypted, never shown to anyone.
    contact = EncryptedTextField()
    # crypto.keyed_hash of the number ("reporter-contact:sms"): rate limits on replies.
    contact_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="reporter_contact_created")]

    def __str__(self) -> str:
        return f"contact of report {self.report_id}"


class ResponderContact(models.Model):
    """Where a responder gets dispatch requests: a phone number, an email address or a
    browser's push subscription, encrypted. One per responder and channel; the
    responder sets it (vecinos.delivery.responders) and can remove it."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="responder_contacts"
    )
    channel = models.CharField(
        max_length=8, choices=[("sms", "SMS"), ("email", "Email"), ("webpush", "Web push")]
    )
    # E.164 number, email address, or the push subscription JSON; AES-GCM encrypted.
    contact = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="one_contact_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.channel} contact of user {self.user_id}"


class InboundMessage(models.Model):
    """One inbound SMS already acted on, by a keyed hash of its ``MessageSid`` (the
    id alone: not the number, not the text, not what it made)."""

    sid_hash = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"inbound {self.sid_hash[:8]}"
