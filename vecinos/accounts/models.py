from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    COORDINATOR = "coordinator", _("Coordinator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    RESPONDER = "responder", _("Responder")
    MEMBER = "member", _("Member")
    # Network-wide: works detention cases (vecinos/cases), seeing the names, A-numbers
    # and family contacts of the cases assigned to them (docs/architecture.md, "Cases").
    CASE_WORKER = "case_worker", _("Case worker")


# Roles whose accounts must sign in with a second factor (docs/architecture.md).
MFA_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.DISPATCHER, Role.CASE_WORKER})
# Roles that may hold API tokens: everyone but members, who have nothing to automate.
API_TOKEN_ROLES = frozenset(
    {Role.ADMIN, Role.COORDINATOR, Role.DISPATCHER, Role.RESPONDER, Role.CASE_WORKER}
)


class User(AbstractUser):
    """A person with an account. Kept small: a username, an optional email for sign-in
    mail, a role, a preferred language. No phone number, no address."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    language = models.CharField(max_length=8, default="en", blank=True)
    # What others see of this person (responders see who asked them; a timeline says
    # who acted). The username is a sign-in name: shown, it tells anyone which name to
    # hammer with wrong passwords. Empty: the role and a number (``shown_name``).
    display_name = models.CharField(max_length=60, blank=True)
    is_demo = models.BooleanField(
        default=False, help_text="Created by `vecinos demo`; never outside the demo."
    )

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    @property
    def shown_name(self) -> str:
        """The name others see: the display name, else e.g. "Dispatcher 12"."""
        return self.display_name or f"{self.get_role_display()} {self.pk}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_dispatcher(self) -> bool:
        """Dispatchers and admins watch the queue and dispatch."""
        return self.role in {Role.DISPATCHER, Role.ADMIN}

    @property
    def is_responder(self) -> bool:
        return self.role == Role.RESPONDER

    @property
    def is_coordinator(self) -> bool:
        return self.role in {Role.COORDINATOR, Role.ADMIN}

    @property
    def is_case_worker(self) -> bool:
        return self.role == Role.CASE_WORKER

    @property
    def is_staff_role(self) -> bool:
        """Anyone who sees non-public incident data."""
        return self.role in {Role.ADMIN, Role.DISPATCHER, Role.RESPONDER}

    @property
    def needs_mfa(self) -> bool:
        return self.role in MFA_ROLES

    @property
    def may_have_api_tokens(self) -> bool:
        return self.is_active and self.role in API_TOKEN_ROLES


class ApiToken(models.Model):
    """A bearer token for the staff API. Only a SHA-256 digest of the secret is kept;
    the token itself is shown once, when it is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_on = models.DateField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AccountEvent(models.Model):
    """The accounts audit log: one row per change to a person's access (who, what, when),
    including where dispatch requests reach a responder. Never an address; ``data``
    holds only a token's prefix and name, a role, or a contact's channel."""

    class Type(models.TextChoices):
        USER_CREATED = "user_created", _("Account created")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        CONTACT_SET = "contact_set", _("Dispatch contact set")
        CONTACT_REMOVED = "contact_removed", _("Dispatch contact removed")
        DEACTIVATED = "deactivated", _("Account deactivated")
        MFA_RESET = "mfa_reset", _("Two-factor sign-in reset (lost device)")

    type = models.CharField(max_length=16, choices=Type.choices)
    # The person whose access changed, and the person who changed it (None: the
    # operator at the command line, or an account deleted since).
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="account_events"
    )
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["created_at"], name="account_event_time")]

    def __str__(self) -> str:
        return f"{self.type} for {self.user_id}"
