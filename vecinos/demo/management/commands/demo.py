"""``vecinos demo``: load the Los Angeles demo network once, then print how to sign in.

Refused under ``VECINOS_ENV=production``: demo accounts have printed passwords.
Running it again changes nothing (and says so); it prints the sign-ins either way,
so ``make demo`` always shows them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vecinos.demo import network as demo


class Command(BaseCommand):
    help = "Load the Los Angeles demo network (once) and print the demo sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.VECINOS_ENV == "production":
            raise CommandError(
                "refusing to load demo data under VECINOS_ENV=production: demo accounts "
                "have published passwords"
            )
        if demo.is_loaded():
            self.stdout.write("The demo network is already loaded; nothing was changed.")
        else:
            if clashes := demo.clashing_usernames():
                raise CommandError(
                    "these accounts already exist and are not demo accounts: " + ", ".join(clashes)
                )
            loaded = demo.load()
            self.stdout.write(
                f"Loaded the demo network for Los Angeles: {loaded.committees} committees, "
                f"{loaded.people} people, {loaded.incidents} incidents from "
                f"{loaded.reports} reports, {loaded.subscribers} alert subscribers "
                "(all marked as demo data)."
            )
            if loaded.more:
                self.stdout.write(
                    "Also: " + ", ".join(f"{count} {what}" for what, count in loaded.more.items())
                )
        self.print_sign_ins()

    def print_sign_ins(self) -> None:
        out = self.stdout
        out.write("")
        out.write(f"Open {settings.VECINOS_PUBLIC_URL}/ and sign in at /accounts/login/ as:")
        out.write("")
        out.write(f"  {'role':<12} {'username':<10} password")
        for sign_in in demo.sign_ins():
            mark = "  (+ two-factor code)" if sign_in.two_factor else ""
            out.write(f"  {sign_in.role:<12} {sign_in.username:<10} {sign_in.password}{mark}")
        out.write("")
        out.write("Two-factor code: add this demo secret to an authenticator app")
        out.write(f"  {demo.DEMO_TOTP_SECRET}")
        out.write(f"  (the code right now is {demo.current_totp_code()}; it changes every 30 s)")
        out.write("")
        out.write("Demo data only: never use these passwords or this secret anywhere else.")
