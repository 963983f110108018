"""Reads for the account pages."""

from __future__ import annotations

from django.db.models import QuerySet

from vecinos.accounts.models import ApiToken, User


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """``user``'s tokens, newest first, live and dead (until retention removes them)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def has_recovery_codes(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()


def has_totp(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
