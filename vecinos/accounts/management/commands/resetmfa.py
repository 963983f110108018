"""``vecinos resetmfa USERNAME``: the lost-device path for a person who has lost both
their authenticator and their recovery codes (``accounts.actions.reset_second_factor``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vecinos.accounts import actions
from vecinos.accounts.models import User


class Command(BaseCommand):
    help = (
        "Remove a person's second factor (authenticator app and recovery codes) after "
        "they lost their phone. Their next sign-in asks them to set up a new one. "
        "Check who is asking first: anyone with the password can then enrol."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username__iexact=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"There is no account {options['username']!r}.") from None
        removed = actions.reset_second_factor(user=user, actor=None)
        if not removed:
            self.stdout.write(f"{user.username} had no second factor; nothing changed.")
            return
        self.stdout.write(
            f"Removed {user.username}'s second factor. At their next sign-in they set up a "
            "new authenticator app and get new recovery codes."
        )
