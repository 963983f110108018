"""Reads for the account pages."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from vecinos.accounts.models import ApiToken, Role, User


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """``user``'s tokens, newest first, live and dead (until retention removes them)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def has_recovery_codes(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()


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


# Where each role's work is, by URL name (the apps above own the pages; a name that
# does not resolve in this installation falls through to the next).
LANDING: dict[str, tuple[str, ...]] = {
    Role.ADMIN: ("console",),
    Role.DISPATCHER: ("console",),
    Role.RESPONDER: ("responder_home",),
    Role.COORDINATOR: ("committees:home",),
}


def landing_url(user: User) -> str:
    """The page someone lands on after signing in: a dispatcher (and an admin) the
    console, a responder their requests, a coordinator their committee; anyone else,
    or a page this installation lacks, their account page."""
    role: str = getattr(user, "role", "")
    for name in LANDING.get(role, ()):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return reverse("account_home")
