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
revoked or expired token, or one whose owner is inactive or no longer in a staff
role, answers 401. On success ``request.user`` (and ``request.auth``) is the token's
owner, so the permission-checked getters of ``vecinos.accounts.access`` apply as they
do to a browser session.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from vecinos.accounts.actions import TOKEN_SCHEME, token_digest
from vecinos.accounts.models import ApiToken, User

# Longer than any token we issue; a longer header is garbage and is not even hashed.
MAX_TOKEN_LENGTH = 128


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
        today = timezone.localdate()
        if api_token.last_used_on != today:
            # At most one write per token per day, whatever the traffic: the condition
            # makes concurrent requests race harmlessly instead of writing each time.
            ApiToken.objects.filter(pk=api_token.pk).exclude(last_used_on=today).update(
                last_used_on=today
            )
        request.user = user
        return user
