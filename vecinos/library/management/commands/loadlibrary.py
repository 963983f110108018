from typing import Any

from django.core.management.base import BaseCommand

from vecinos.library.shipped import load_shipped


class Command(BaseCommand):
    help = (
        "Load the know-your-rights pages shipped with Vecinos (migrate does this too). "
        "Pages edited here are left alone."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_shipped()
        self.stdout.write(
            f"Library: {counts['created']} translations created, {counts['updated']} updated."
        )
