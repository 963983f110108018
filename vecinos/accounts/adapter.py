from __future__ import annotations

from collections import Counter

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.db import transaction
from django.http import HttpRequest

from vecinos.core import crypto


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth keys its login rate limits by client: give it the day-scoped
        pseudonym, never the address (which the privacy middleware has erased)."""
        return str(getattr(request, "client_key", "unknown"))

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are made by coordinators and admins (invites), not by strangers.
        return False


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
