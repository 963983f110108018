"""``vecinos reportwriter --fd N`` / ``--listen N --lifeline N``: the report writer
process (internal).

On SQLite ``vecinos serve`` starts one per web process, handing it one end of a
socket pair (``--fd``); on PostgreSQL it starts one that all its web processes share,
handing it a listening Unix socket and the read end of a pipe that ends it when
closed (``--listen``, ``--lifeline``). See ``vecinos.reports.writer``. It is not meant
to be run by hand.
"""

from __future__ import annotations

import signal
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vecinos.reports import writer


class Command(BaseCommand):
    help = "Internal: the report writer process that `vecinos serve` starts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        served = parser.add_mutually_exclusive_group(required=True)
        served.add_argument("--fd", type=int, help="The socket to serve (one web process).")
        served.add_argument(
            "--listen", type=int, help="The listening socket to serve (every web process)."
        )
        parser.add_argument(
            "--lifeline", type=int, help="With --listen: end when this pipe closes."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if (options["listen"] is None) != (options["lifeline"] is None):
            raise CommandError("--lifeline goes with --listen, and --listen needs it.")
        # A Ctrl-C or a stop reaches the whole process group; the writer finishes the
        # batch in hand and ends when its web process closes the socket (or, shared,
        # when the lifeline closes), so that no report is acknowledged and then lost,
        # nor stored and left unanswered.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if options["listen"] is not None:
            writer.serve_shared(options["listen"], options["lifeline"])
        else:
            writer.serve_process(options["fd"])
