from __future__ import annotations

from collections import Counter
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from vecinos.core import crypto, ratelimit


def _login_of(credentials: dict[str, Any]) -> str:
    return str(credentials.get("username") or credentials.get("email") or "").strip().lower()


def _has_second_factor(login: str) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user__username__iexact=login, type=Authenticator.Type.TOTP
    ).exists()


class AccountAdapter(DefaultAccountAdapter):
    """Sign-in limits that stop guessing without locking anyone out.

    allauth's ``login_failed`` limit counts per client (``10/m/ip``) and per "key";
    its key was the username alone, so five wrong passwords from anyone locked the
    person out, again and again. Here:

    1. The key is the username *and* the client: five failures from one client for
       one account lock that client out of that account, not the person.
    2. Across all clients, ``ACCOUNT_LOGIN_FAILED_RATE`` failures for one account in
       its window put the account under watch: while it is, a client that has already
       failed for it is refused at once (one guess per client per window), and any
       other client, the person on their own phone, may still try.
    3. An account with a second factor (TOTP) is never refused by 2: a password
       alone does not get anyone in, and the person with their password and code
       must."""

    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth keys its login rate limits by client: give it the day-scoped
        pseudonym, never the address (which the privacy middleware has erased)."""
        return str(getattr(request, "client_key", "unknown"))

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:" + str(
            getattr(request, "client_key", "unknown")
        )

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        super().pre_authenticate(request, **credentials)
        login = _login_of(credentials)
        rate = settings.ACCOUNT_LOGIN_FAILED_RATE
        if ratelimit.peek("login-account", login, rate).allowed:
            return
        this_client = f"{login}:{getattr(request, 'client_key', 'unknown')}"
        if ratelimit.peek("login-account-client", this_client, (1, rate[1])).allowed:
            return  # a client that has not failed for this account: may try
        if _has_second_factor(login):
            return
        self._rollback_login_failed_rl_usage()
        raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        login = _login_of(credentials)
        rate = settings.ACCOUNT_LOGIN_FAILED_RATE
        ratelimit.hit("login-account", login, rate)
        this_client = f"{login}:{getattr(request, 'client_key', 'unknown')}"
        # One failure is enough to mark this client for this account (the limit
        # of the account applies to it while the account is under watch).
        ratelimit.hit("login-account-client", this_client, (1, rate[1]))

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are made by coordinators and admins (invites), not by strangers.
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Where someone lands after signing in (when they asked for no page): where
        their work is (``accounts.queries.landing_url``)."""
        from vecinos.accounts.queries import landing_url

        return landing_url(request.user)  # type: ignore[arg-type]


MFA_PURPOSE = "mfa.Authenticator.data"
# Keys of Authenticator.data that allauth encrypts through the adapter.
MFA_SECRET_KEYS = ("secret", "seed")


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are encrypted at rest like every contact
    (vecinos.core.crypto), so a copy of the database alone cannot mint codes."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text, purpose=MFA_PURPOSE)

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(f"{crypto.VERSION}."):
            return encrypted_text  # written before encryption was turned on
        return crypto.decrypt(encrypted_text, purpose=MFA_PURPOSE)


def reencrypt_for_rotation() -> tuple[str, int, Counter[str]]:
    """``hooks.reencrypt`` (``vecinos rotatekey``): the MFA secrets moved to the
    active key, as (purpose, how many moved, key ids in use)."""
    moved, in_use = reencrypt_mfa_secrets()
    return MFA_PURPOSE, moved, in_use


def reencrypt_mfa_secrets() -> tuple[int, Counter[str]]:
    """Move every TOTP secret and recovery seed to the active key (``vecinos rotatekey``).
    Returns how many values moved and which key ids remain in use."""
    from allauth.mfa.models import Authenticator

    active = crypto.active_key_id()
    moved = 0
    in_use: Counter[str] = Counter()
    with transaction.atomic():
        for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
            data = dict(authenticator.data)
            changed = False
            for key in MFA_SECRET_KEYS:
                value = data.get(key)
                if not isinstance(value, str):
                    continue
                if value.startswith(f"{crypto.VERSION}.") and crypto.key_id(value) == active:
                    in_use[active] += 1
                    continue
                plain = MFAAdapter().decrypt(value)
                data[key] = crypto.encrypt(plain, purpose=MFA_PURPOSE)
                in_use[active] += 1
                changed = True
                moved += 1
            if changed:
                Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
    return moved, in_use
