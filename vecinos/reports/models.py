"""Reports of enforcement activity, the incidents they cluster into, and how each
incident was checked on the ground.

There is deliberately no field for an officer's name, badge, face, home or licence
plate (DESIGN.md, principle 4), and nothing a reporter wrote is ever published raw.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    RAID = "raid", _("Raid")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    ARREST = "arrest", _("Arrest")
    PATROL = "patrol", _("Patrol")
    SURVEILLANCE = "surveillance", _("Surveillance")
    OTHER = "other", _("Other")


class Agency(models.TextChoices):
    ICE = "ice", _("ICE")
    CBP = "cbp", _("CBP (Border Patrol)")
    HSI = "hsi", _("HSI")
    FBI = "fbi", _("FBI")
    DEA = "dea", _("DEA")
    ATF = "atf", _("ATF")
    USMS = "usms", _("US Marshals")
    POLICE = "police", _("Police")
    SHERIFF = "sheriff", _("Sheriff")
    UNKNOWN = "unknown", _("Unknown")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    API = "api", _("API")
    SMS = "sms", _("SMS")
    STAFF = "staff", _("Staff")
    HOTLINE = "hotline", _("Hotline voicemail")


class IncidentStatus(models.TextChoices):
    NEW = "new", _("New")
    DISPATCHED = "dispatched", _("Dispatched")
    CONFIRMED = "confirmed", _("Confirmed")
    UNCONFIRMED = "unconfirmed", _("Unconfirmed")
    FALSE = "false", _("False")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (IncidentStatus.NEW, IncidentStatus.DISPATCHED, IncidentStatus.CONFIRMED)


class Outcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    UNCONFIRMED = "unconfirmed", _("Unconfirmed")
    FALSE = "false", _("False")


class Incident(models.Model):
    """One event on the ground, seen by one or more reports."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(
        max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.NEW
    )
    # Centroid of its reports' points; None only while every report lacks a location.
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    # H3 resolution-8 cell of the centroid: clustering and public display use it.
    cell = models.BigIntegerField(null=True, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    report_count = models.PositiveIntegerField(default=0)
    source_count = models.PositiveIntegerField(default=0)
    confidence = models.PositiveSmallIntegerField(default=0, help_text="0 to 100")
    # Written by staff for the public pages (e.g. "Cesar Chavez Ave & Soto St").
    public_label = models.CharField(max_length=120, blank=True)
    agencies = models.JSONField(default=list, blank=True)
    needs_location = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set when retention reduced the incident to a coarse aggregate.
    aggregated_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [
            # Clustering's lookup (clustering.CANDIDATES_SQL and BATCH_CANDIDATES_SQL):
            # its WHERE clause uses the first two columns, and the others are every
            # column it reads, so neither database reads table rows for it. A column
            # read there and missing here slows it down (a test checks the plan).
            models.Index(
                fields=[
                    "cell",
                    "last_seen_at",
                    "first_seen_at",
                    "kind",
                    "status",
                    "merged_into",
                    "lat",
                    "lng",
                    "id",
                ],
                name="incident_cell_seen",
            ),
            models.Index(fields=["status", "last_seen_at"], name="incident_status_seen"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.id.hex[:8]} ({self.status})"


class Report(models.Model):
    """What one person saw, as they told it. Free text is for responders only and is
    removed after ``REPORT_RETENTION`` days."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    cell = models.BigIntegerField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    description = models.TextField(max_length=2000, blank=True)
    photo = models.ImageField(upload_to="reports/%Y/%m/", null=True, blank=True)
    observed_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    agencies = models.JSONField(default=list, blank=True)
    vehicles = models.PositiveSmallIntegerField(null=True, blank=True)
    officers = models.PositiveSmallIntegerField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # Tells reports from the same client apart from independent ones without saying who:
    # a hash of the day-scoped client pseudonym, unlinkable once that day's key is gone.
    source_tag = models.CharField(max_length=32, blank=True)
    # Set when retention removed the free text and the photo.
    purged_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["received_at"], name="report_received")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} report {self.id.hex[:8]}"


class Availability(models.Model):
    """A responder's on-call state and the area they can cover."""

    responder = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability"
    )
    is_available = models.BooleanField(default=False)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    radius_km = models.FloatField(default=5)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "availabilities"
        # Nearest responders: a latitude band of available responders, then exact
        # distances in Python (vecinos.reports.queries.nearest_available_responders).
        indexes = [models.Index(fields=["is_available", "lat"], name="availability_band")]

    def __str__(self) -> str:
        return f"{self.responder} available={self.is_available}"


class DispatchStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")


class Dispatch(models.Model):
    """A request to one responder to go and check one incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="dispatches")
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dispatches"
    )
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=DispatchStatus.choices, default=DispatchStatus.REQUESTED
    )
    created_at = models.DateTimeField(default=timezone.now)
    acknowledge_by = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "responder"], name="one_dispatch_per_responder"
            )
        ]
        # The periodic task finds unacknowledged dispatches past their time limit.
        indexes = [models.Index(fields=["status", "acknowledge_by"], name="dispatch_due")]

    def __str__(self) -> str:
        return f"{self.responder} → {self.incident_id}"


class Verification(models.Model):
    """What a responder (or dispatcher) found on the ground."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="verifications")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    notes = models.TextField(max_length=2000, blank=True)
    vehicles = models.PositiveSmallIntegerField(null=True, blank=True)
    officers = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.outcome} for {self.incident_id}"


class IncidentEvent(models.Model):
    """One row per state change: the incident's timeline and the audit log at once."""

    class Type(models.TextChoices):
        OPENED = "opened", _("Opened")
        REPORT_ADDED = "report_added", _("Report added")
        DISPATCHED = "dispatched", _("Responder dispatched")
        ACKNOWLEDGED = "acknowledged", _("Dispatch acknowledged")
        DECLINED = "declined", _("Dispatch declined")
        EXPIRED = "expired", _("Dispatch expired")
        VERIFIED = "verified", _("Verified")
        MERGED = "merged", _("Merged")
        SPLIT = "split", _("Report moved out")
        LABELLED = "labelled", _("Public label set")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        AGGREGATED = "aggregated", _("Reduced to an aggregate")
        REPLIED = "replied", _("Replied to a reporter by SMS")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=16, choices=Type.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["incident", "created_at"], name="event_incident_time")]

    def __str__(self) -> str:
        return f"{self.type} on {self.incident_id}"
