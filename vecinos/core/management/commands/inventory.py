"""``vecinos inventory``: check the data inventory and (re)generate docs/privacy.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vecinos.core import inventory


def privacy_doc_path() -> Path:
    return Path(settings.BASE_DIR).parent / "docs" / "privacy.md"


class Command(BaseCommand):
    help = (
        "Check that every model field is in the data inventory; --write regenerates "
        "docs/privacy.md, --check fails when it is out of date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--write", action="store_true", help="regenerate docs/privacy.md")
        group.add_argument(
            "--check", action="store_true", help="exit non-zero if docs/privacy.md is stale"
        )
        parser.add_argument(
            "--path", type=Path, default=None, help="default: docs/privacy.md of the source tree"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"] or privacy_doc_path()
        found = inventory.problems()
        if found:
            raise CommandError(
                "the data inventory (vecinos/core/inventory.py) is incomplete:\n  "
                + "\n  ".join(found)
            )
        text = inventory.render_markdown()
        if options["write"]:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            self.stdout.write(f"Wrote {path}.")
        elif options["check"]:
            current = path.read_text() if path.exists() else ""
            if current != text:
                raise CommandError(f"{path} is out of date: run `vecinos inventory --write`")
            self.stdout.write(f"{path} is up to date.")
        else:
            self.stdout.write(text, ending="")
