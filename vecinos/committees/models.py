from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CommitteeKind(models.TextChoices):
    NEIGHBORHOOD = "neighborhood", _("Neighborhood")
    SCHOOL = "school", _("School")
    WORKPLACE = "workplace", _("Workplace")


class Committee(models.Model):
    """A neighborhood, school or workplace committee. Its area is a set of H3 cells at
    resolution 8 (never an address)."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=CommitteeKind.choices)
    description = models.TextField(blank=True)
    area_cells = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    RESPONDER = "responder", _("Responder")
    COORDINATOR = "coordinator", _("Coordinator")


class Membership(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=MembershipRole.choices, default="member")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["committee", "user"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.committee}"
