"""The legal-aid directory: organizations that help immigrant families, and hotlines
(network-wide and per committee). Everything here is public information about
organizations, never about a person who asks them for help."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.committees.models import Committee


class Service(models.TextChoices):
    REMOVAL_DEFENSE = "removal_defense", _("Removal defense")
    BOND = "bond", _("Bond hearings")
    DACA = "daca", _("DACA")
    ASYLUM = "asylum", _("Asylum")
    TRAININGS = "trainings", _("Know-your-rights trainings")
    HOTLINE = "hotline", _("Hotline")


class Organization(models.Model):
    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    services = models.JSONField(default=list)  # Service values
    languages = models.JSONField(default=list)  # alert language codes (vecinos/alerts/phrases.py)
    hours = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(max_length=200, blank=True)
    # The area it serves: the ZIP codes as given, and their H3 resolution-8 cells
    # (vecinos/alerts/areas.py). No ZIP codes: it serves the whole service area.
    zip_codes = models.JSONField(default=list)
    area_cells = models.JSONField(default=list)
    takes_new_cases = models.BooleanField(default=True)
    last_checked = models.DateField()
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Hotline(models.Model):
    """A rapid-response number: the network's (no committee) or one committee's."""

    label = models.CharField(max_length=120)
    phone = models.CharField(max_length=40)
    hours = models.CharField(max_length=120, blank=True)
    committee = models.ForeignKey(
        Committee, null=True, blank=True, on_delete=models.CASCADE, related_name="hotlines"
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["committee__name", "position", "label"]

    def __str__(self) -> str:
        return f"{self.label} {self.phone}"


class EventKind(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    CHECKED = "checked", _("Checked")


class DirectoryEvent(models.Model):
    """Who changed the directory, when and how (the directory's history)."""

    kind = models.CharField(max_length=16, choices=EventKind.choices)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"
