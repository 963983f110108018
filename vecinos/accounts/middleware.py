"""Two-factor sign-in is not optional for the roles that can broadcast or vet people."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from vecinos.accounts.queries import has_totp

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/readyz", "/i18n/", "/api/")


class RequireMFAMiddleware:
    """Send a signed-in admin, coordinator or dispatcher without a TOTP authenticator to
    the page that sets one up, whatever they asked for. The API is exempt: its tokens
    are made on the account page, behind this middleware, or by the operator at the
    command line."""

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
            and not has_totp(user)
        ):
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
