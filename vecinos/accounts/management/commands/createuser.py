"""``vecinos createuser USERNAME --role ROLE [--password-stdin] [--email E]``."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vecinos.accounts import actions
from vecinos.accounts.models import Role, User


class Command(BaseCommand):
    help = (
        "Create an account with a role. The password is asked twice, or read from one "
        "line of standard input with --password-stdin."
    )
    # Tests pass a file object as standard input.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        # Not argparse ``choices``: an unknown role gets our own message and exit code 1.
        parser.add_argument("--role", required=True, help=", ".join(Role.values))
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--display-name",
            default="",
            help="what others see instead of the username (e.g. 'Dani, Boyle Heights')",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        role: str = options["role"]
        if role not in Role.values:
            raise CommandError(f"Unknown role {role!r}: choose one of {', '.join(Role.values)}.")
        # Checked before asking for a password, so nobody types one for nothing.
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"The username {username!r} is taken.")
        if options["password_stdin"]:
            stdin = options.get("stdin") or sys.stdin
            password = stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        if not password:
            raise CommandError("The password is empty.")
        try:
            user = actions.create_user(
                username=username,
                role=role,
                password=password,
                email=options["email"],
                display_name=options["display_name"],
                actor=None,
            )
        except actions.AccountError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Created {user.get_role_display().lower()} {user.username}.")
        if user.needs_mfa:
            self.stdout.write(
                "They will be asked to set up an authenticator app when they first sign in."
            )
