"""Subscriptions, alerts and the delivery outbox.

A subscriber has no account: a confirmed contact (encrypted, with a keyed hash for
lookups), a language, a channel and an area stored only as H3 resolution-8 cells.
An alert is drafted from a confirmed incident, approved by a second dispatcher, and
fanned out into one ``Delivery`` row per (alert, subscription): the outbox that
workers drain. The queue only says "work is waiting"; these rows say what must be sent.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vecinos.core import areas
from vecinos.core.fields import EncryptedTextField


class SubscriptionChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    WEBPUSH = "webpush", _("Web push")


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    ACTIVE = "active", _("Active")
    STOPPED = "stopped", _("Stopped by the subscriber")
    DISABLED = "disabled", _("Disabled after a permanent delivery failure")


class Subscription(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(max_length=8, choices=SubscriptionChannel.choices)
    # Phone (E.164), email address, or the web-push subscription JSON; encrypted.
    contact = EncryptedTextField()
    # crypto.keyed_hash of the normalised contact: lookups (STOP, manage link, dedupe).
    contact_hash = models.CharField(max_length=64, db_index=True)
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(
        max_length=10, choices=SubscriptionStatus.choices, default=SubscriptionStatus.PENDING
    )
    # How the area was chosen, for the subscriber's own management page, in no
    # language ("zip:90033", "km:2", core/areas.py area_text): never the point itself.
    area_label = models.CharField(max_length=60, blank=True)
    # Confirmation: a keyed hash of the 6-digit code, when it expires, attempts left.
    # The code itself is derived (keyed) from the contact and ``code_issued_at``, so
    # several requests within an hour share the one code sent, and the task that sends
    # it carries only this row's id (vecinos.alerts.subscriptions, "Codes").
    code_issued_at = models.DateTimeField(null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=40, blank=True)
    # The last sign the contact works: confirmed, a delivery receipt, a START from the
    # number. Only a delivery failure newer than this disables the subscription.
    last_success_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["status", "created_at"], name="subscription_status"),
            # Fan-out looks each recipient up by id for its status and channel: with
            # both in the index it never reads the (wide, encrypted) row. About a third
            # less time for 100,000 recipients (benchmarks/fanout.py).
            models.Index(fields=["id", "status", "channel"], name="subscription_fanout"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} subscription {self.id.hex[:8]} ({self.status})"

    @property
    def area_text(self) -> str:
        """The area in the reader's language, as a label: "ZIP 90033"."""
        return areas.area_text(self.area_label)

    @property
    def area_phrase(self) -> str:
        """The area in the reader's language, inside a sentence: "ZIP code 90033"."""
        return areas.area_phrase(self.area_label)


class SubscriptionCell(models.Model):
    """One H3 resolution-8 cell of a subscription's area. Recipients of an alert are
    found by integer equality on ``cell`` (an index lookup per alert cell)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="cells")
    cell = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cell", "subscription"], name="subscription_cell_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cell:x}"


class AlertStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    PUBLISHED = "published", _("Published")
    RETRACTED = "retracted", _("Retracted")
    CANCELLED = "cancelled", _("Cancelled before publication")
    EXPIRED = "expired", _("Expired")


class AlertKind(models.TextChoices):
    ALERT = "alert", _("Alert")
    ALL_CLEAR = "all_clear", _("All clear")
    RETRACTION = "retraction", _("Retraction")


class Alert(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(
        "reports.Incident", on_delete=models.PROTECT, related_name="alerts"
    )
    kind = models.CharField(max_length=12, choices=AlertKind.choices, default=AlertKind.ALERT)
    # A retraction or all-clear points at the alert whose recipients it must reach.
    original = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="followups"
    )
    status = models.CharField(
        max_length=20, choices=AlertStatus.choices, default=AlertStatus.PENDING_APPROVAL
    )
    incident_kind = models.CharField(max_length=16)
    # Area: a circle around the incident's centroid, and the cells it covers.
    lat = models.FloatField()
    lng = models.FloatField()
    radius_km = models.FloatField(default=2)
    cells = models.JSONField(default=list)
    place_label = models.CharField(max_length=120, blank=True)
    note = models.CharField(max_length=140, blank=True)
    reason = models.CharField(max_length=280, blank=True)
    is_test = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "published_at"], name="alert_status_published")]

    def __str__(self) -> str:
        return f"{self.kind} {self.id.hex[:8]} ({self.status})"


class AlertApproval(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "approver"], name="one_approval_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.approver} approved {self.alert_id}"


class AlertEvent(models.Model):
    """The alert's timeline and audit log: drafted, approved, published, retracted..."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.type} on {self.alert_id}"

    @property
    def label(self) -> str:
        """What the timeline says for this event, in the reader's language."""
        return str(EVENT_LABELS.get(self.type, self.type))


# The timeline's words for AlertEvent.type (alerts/actions.py EventType).
EVENT_LABELS = {
    "drafted": pgettext_lazy("alert timeline", "Drafted"),
    "approved": pgettext_lazy("alert timeline", "Approved"),
    "published": pgettext_lazy("alert timeline", "Published"),
    "cancelled": pgettext_lazy("alert timeline", "Cancelled"),
    "retracted": pgettext_lazy("alert timeline", "Retracted"),
    "expired": pgettext_lazy("alert timeline", "Expired"),
}


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")  # permanently, or the alert expired first
    SKIPPED = "skipped", _("Skipped")  # subscription stopped before its turn


class Delivery(models.Model):
    """One message of one alert to one subscription: the durable outbox row.

    Unique on (alert, subscription), so fan-out can be retried without sending twice.
    Workers claim rows with a conditional update (``claim_token``), send with the row
    id as idempotency key, and record the outcome here.

    Other kinds of message ride the same outbox (``kind`` other than ``alert``, e.g. a
    committee's announcement): they name their item and recipient by id
    (``item_id``, ``recipient_id``, unique per kind) and leave ``alert`` and
    ``subscription`` empty; the app that owns the kind registers how to render and
    address them (``vecinos.delivery.outbox.register_kind``).
    """

    # No index of its own: the unique (alert, subscription) constraint starts with it,
    # and one index less to write per row is a tenth of fan-out's time.
    # Neither key is a database constraint (Django still cascades deletes): on
    # PostgreSQL each checked row locks its subscription row at commit, a heap write
    # per recipient, about a third of fan-out's time (benchmarks/results/postgres/fanout.json).
    # Fan-out takes both ids from rows it has just read in the same transaction.
    alert = models.ForeignKey(
        Alert,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,
        db_constraint=False,
    )
    subscription = models.ForeignKey(
        Subscription,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_constraint=False,
    )
    # A database default too: fan-out writes alert rows with raw SQL that names no kind.
    kind = models.CharField(max_length=24, default="alert", db_default="alert")
    item_id = models.BigIntegerField(null=True, blank=True)
    recipient_id = models.BigIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=8, choices=SubscriptionChannel.choices)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "subscription"], name="one_delivery_per_recipient"
            ),
            models.UniqueConstraint(
                fields=["kind", "item_id", "recipient_id"],
                condition=models.Q(item_id__isnull=False),
                name="one_delivery_per_item_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["provider_id"], name="delivery_provider_id"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} of {self.alert_id or self.kind} ({self.status})"
