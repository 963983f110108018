"""``vecinos purge``: run every retention job now and say what each did.

The hourly task does the same (``vecinos.core.tasks.purge_expired``); this is for
operators who want it done at once, e.g. after lowering a retention window.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from vecinos.core import retention


class Command(BaseCommand):
    help = "Delete or coarsen everything that has outlived its retention window."

    def handle(self, *args: Any, **options: Any) -> None:
        results = retention.run_all(timezone.now())
        if not results:
            self.stdout.write("No retention jobs are registered.")
            return
        for name, counts in results.items():
            done = ", ".join(f"{key} {value}" for key, value in sorted(counts.items()))
            self.stdout.write(f"{name}: {done or 'nothing to do'}")
