from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """allauth keys its login rate limits by client: give it the day-scoped
        pseudonym, never the address (which the privacy middleware has erased)."""
        return str(getattr(request, "client_key", "unknown"))

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are made by coordinators and admins (invites), not by strangers.
        return False
