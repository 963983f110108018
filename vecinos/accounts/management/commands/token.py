"""``vecinos token USERNAME [--name NAME]``: make an API token for a staff account.

The token is printed alone on the last line of standard output, so a script can take
it with ``vecinos token dani | tail -n 1``; everything else goes to standard error.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vecinos.accounts import actions
from vecinos.accounts.models import User


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (it is not stored and not shown again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No account named {options['username']!r}.") from None
        if not user.is_active:
            raise CommandError(f"The account {user.username!r} is deactivated.")
        try:
            token, plaintext = actions.create_api_token(
                user=user, name=options["name"] or "command line", actor=None
            )
        except actions.AccountError as error:
            raise CommandError(str(error)) from None
        self.stderr.write(
            f"Token vec_{token.prefix}_… for {user.username}, valid until "
            f"{token.expires_at:%Y-%m-%d}. Copy it now: it is not shown again."
        )
        self.stdout.write(plaintext)
