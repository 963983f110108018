"""Two-factor sign-in is not optional for the roles that can broadcast or vet people."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/readyz", "/i18n/", "/api/")


class RequireMFAMiddleware:
    """Send a signed-in admin, coordinator or dispatcher without a TOTP authenticator to
    the page that sets one up, whatever they asked for. The API is exempt: its tokens
    can only be made from an account page, which needs the second factor first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.VECINOS_REQUIRE_MFA
            and user is not None
            and user.is_authenticated
            and user.needs_mfa
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not _has_totp(user)
        ):
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
