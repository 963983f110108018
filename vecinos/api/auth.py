"""Bearer-token authentication for the staff API.

Usage: a router or an operation that needs a signed-in staff member declares
``auth=TokenAuth()``::

    from vecinos.api.auth import TokenAuth

    router = Router(auth=TokenAuth())

    @router.get("/incidents/{incident_id}")
    def incident(request, incident_id: str):
        incident = get_incident_for_user(request.user, incident_id)
        ...

The client sends ``Authorization: Bearer vec_<prefix>_<secret>`` (made with
``vecinos token USERNAME`` or on the account page). A missing, malformed, unknown,
revoked or expired token, or one whose owner is inactive, no longer in a staff
role, or in a role that must use MFA without having it set up, answers 401 with a
``WWW-Authenticate: Bearer`` challenge (``challenge``). On success ``request.user``
(and ``request.auth``) is the token's owner, so the permission-checked getters of
``vecinos.accounts.access`` apply as they do to a browser session.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from vecinos.accounts.actions import TOKEN_SCHEME, mfa_satisfied, token_digest
from vecinos.accounts.models import ApiToken, User

# Longer than any token we issue; a longer header is garbage and is not even hashed.
MAX_TOKEN_LENGTH = 128
REALM = "vecinos"


def challenge(request: HttpRequest) -> str:
    """The ``WWW-Authenticate`` value of a 401 (RFC 6750, section 3).

    A request that sent no bearer token (none at all, or another scheme) is told only
    the scheme and realm: it may not have known a token was needed. One that sent a
    token gets ``error="invalid_token"`` as well, and no more: whether the token is
    unknown, revoked, expired or its owner's role changed is not said, so a 401 tells
    nobody which tokens exist."""
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return f'Bearer realm="{REALM}", error="invalid_token"'
    return f'Bearer realm="{REALM}"'


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token.startswith(f"{TOKEN_SCHEME}_") or len(token) > MAX_TOKEN_LENGTH:
            return None
        try:
            api_token = ApiToken.objects.select_related("user").get(digest=token_digest(token))
        except ApiToken.DoesNotExist:
            return None
        user = api_token.user
        if not api_token.is_active or not user.may_have_api_tokens:
            return None
        # A role that must sign in with a second factor uses tokens only while its
        # account has one: a token made before, or by the operator, is no way around it.
        if not mfa_satisfied(user):
            return None
        today = timezone.localdate()
        if api_token.last_used_on != today:
            # At most one write per token per day, whatever the traffic: the condition
            # makes concurrent requests race harmlessly instead of writing each time.
            ApiToken.objects.filter(pk=api_token.pk).exclude(last_used_on=today).update(
                last_used_on=today
            )
        request.user = user
        return user
