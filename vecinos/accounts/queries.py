"""Reads for the account pages."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from vecinos.accounts.models import ApiToken, User


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """``user``'s tokens, newest first, live and dead (until retention removes them)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def has_totp(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def get_api_token_for_user(user: User, token_id: object) -> ApiToken:
    """One of ``user``'s own API tokens; nobody reaches another person's tokens here,
    admins included (deactivating an account stops all of its tokens at once)."""
    if not user.is_authenticated:
        raise Http404
    try:
        pk = int(str(token_id))
        return ApiToken.objects.select_related("user").get(pk=pk, user=user)
    except (ValueError, ApiToken.DoesNotExist):
        raise Http404 from None
