"""Writes to accounts and their access: every one atomic, every one audited.

API tokens look like ``vec_<prefix>_<secret>``. Only the SHA-256 digest of the whole
token is stored, so a copy of the database authenticates nobody; the prefix is kept
apart so a person can tell their tokens apart on the account page.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vecinos.accounts.events import record_event
from vecinos.accounts.models import AccountEvent, ApiToken, Role, User
from vecinos.core import hooks

TOKEN_SCHEME = "vec"  # noqa: S105 - the public prefix of every token, not a secret
PREFIX_BYTES = 4  # 8 hex characters, shown on the account page
SECRET_BYTES = 32  # 256 bits of secret: not guessable, so a fast hash is enough


class AccountError(Exception):
    """A write refused for a reason the person can read and fix (a 4xx, not a 500)."""


def token_digest(token: str) -> str:
    """The stored form of a token. A plain SHA-256 suffices (no salt, no stretching):
    the secret is random and long, unlike a password."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_user(
    *,
    username: str,
    role: str,
    password: str | None,
    email: str = "",
    actor: User | None,
) -> User:
    """Create an account. ``password`` is checked with Django's validators; ``None``
    makes an account that cannot sign in with a password until one is set."""
    if role not in Role.values:
        raise AccountError(
            _("Unknown role %(role)s: choose one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(_("The username %(username)s is taken.") % {"username": username})
    user = User(username=username, role=role, email=email)
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    record_event(AccountEvent.Type.USER_CREATED, user=user, actor=actor, role=role)
    return user


def _may_manage_tokens_of(actor: User | None, user: User) -> bool:
    # None is the operator at the command line, who already holds the server.
    return actor is None or actor.pk == user.pk or actor.is_admin


@transaction.atomic
def create_api_token(*, user: User, name: str, actor: User | None) -> tuple[ApiToken, str]:
    """Make a token for ``user`` and return it with its plaintext, which is not kept
    anywhere and cannot be shown again."""
    if not _may_manage_tokens_of(actor, user):
        raise AccountError(_("You may only create API tokens for yourself."))
    if not user.may_have_api_tokens:
        raise AccountError(
            _("A %(role)s account cannot have API tokens.") % {"role": user.get_role_display()}
        )
    name = name.strip()
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise AccountError(_("The token name is too long."))
    while True:
        prefix = secrets.token_hex(PREFIX_BYTES)
        # A repeat is a one-in-four-billion event; drawing again is cheaper than failing.
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    token = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    now = timezone.now()
    api_token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        digest=token_digest(token),
        created_at=now,
        expires_at=now + timedelta(days=settings.VECINOS_API_TOKEN_DAYS),
    )
    record_event(AccountEvent.Type.TOKEN_CREATED, user=user, actor=actor, prefix=prefix, name=name)
    return api_token, token


@transaction.atomic
def revoke_api_token(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Revoke ``token`` for good. Revoking a revoked token changes nothing and leaves
    no second row."""
    if not _may_manage_tokens_of(actor, token.user):
        raise AccountError(_("You may only revoke your own API tokens."))
    # Conditional update: two revocations racing each other leave one audit row.
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    if changed:
        record_event(
            AccountEvent.Type.TOKEN_REVOKED,
            user=token.user,
            actor=actor,
            prefix=token.prefix,
            name=token.name,
        )
    return token


@transaction.atomic
def deactivate_user(*, user: User, actor: User | None) -> bool:
    """Stop an account at once: it can no longer sign in, its open sessions end with
    their next request (Django's ``ModelBackend.get_user``, which allauth's backend
    extends, refuses an inactive user on every request), and every API token is
    revoked (``TokenAuth`` also refuses an inactive owner). Only an admin (or the
    operator, ``actor`` None) may; nobody deactivates themself. Returns False when it
    was already inactive."""
    if actor is not None and not actor.is_admin:
        raise AccountError(_("Only an admin can deactivate an account."))
    if actor is not None and actor.pk == user.pk:
        raise AccountError(_("You cannot deactivate your own account."))
    changed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
    user.refresh_from_db(fields=["is_active"])
    if not changed:
        return False
    now = timezone.now()
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    record_event(AccountEvent.Type.DEACTIVATED, user=user, actor=actor, tokens_revoked=revoked)
    # The apps above (committees) end what the account held there, in this transaction.
    hooks.account_deactivated.call(user=user, actor=actor)
    return True
