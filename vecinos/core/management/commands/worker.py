"""``vecinos worker``: the background worker (huey's consumer, periodic tasks on).

It is djhuey's ``run_huey`` with the defaults this project wants:

- periodic tasks are scheduled (the hourly retention purge); ``--no-periodic`` turns
  them off on a machine that should only work the queue;
- SIGTERM (what systemd, Docker and Kubernetes send) stops gracefully: running tasks
  get ``--shutdown-timeout`` seconds (default 25) to finish; SIGINT (Ctrl-C) stops at
  once. A task cut off is not lost work: the delivery outbox, not the queue, says what
  must still be sent.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from huey.contrib.djhuey import HUEY
from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey

SHUTDOWN_TIMEOUT = 25.0


class Command(RunHuey):
    help = "Run the background worker (huey consumer with periodic tasks)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(graceful_signal="TERM", shutdown_timeout=SHUTDOWN_TIMEOUT)

    def handle(self, *args: Any, **options: Any) -> None:
        if HUEY.immediate:
            raise CommandError(
                "the task queue is in immediate mode (VECINOS_HUEY_IMMEDIATE or a test "
                "run): there is nothing for a worker to consume"
            )
        super().handle(*args, **options)
