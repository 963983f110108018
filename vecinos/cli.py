"""The ``vecinos`` command: Django's management utility with the project's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vecinos.settings")
    # Databases, keys and uploads made by this process are its owner's alone.
    os.umask(0o077)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["vecinos", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
