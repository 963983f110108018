"""Django's makemessages, writing catalogues that merge well: no source locations and
entries sorted by message, so two changes that add different messages rarely touch
the same lines of ``locale/es/LC_MESSAGES/django.po``."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--sort-output"]
    msguniq_options = [*makemessages.Command.msguniq_options, "--sort-output"]
    msgattrib_options = [*makemessages.Command.msgattrib_options, "--sort-output"]

    def handle(self, *args: Any, **options: Any) -> None:
        options["no_location"] = True
        super().handle(*args, **options)
