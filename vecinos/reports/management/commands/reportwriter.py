"""``vecinos reportwriter --fd N``: the report writer process (internal).

``vecinos serve`` starts one per web process on SQLite, handing it one end of a
socket pair; see ``vecinos.reports.writer``. It is not meant to be run by hand.
"""

from __future__ import annotations

import signal
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from vecinos.reports import writer


class Command(BaseCommand):
    help = "Internal: the report writer process that `vecinos serve` starts on SQLite."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--fd", type=int, help="The socket to serve (one web process).")
        parser.add_argument(
            "--listen", type=int, help="The listening socket to serve (every web worker)."
        )
        parser.add_argument(
            "--lifeline", type=int, help="With --listen: end when this pipe closes."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # A Ctrl-C or a stop reaches the whole process group; the writer finishes the
        # batch in hand and ends when its web process closes the socket, so that no
        # report is acknowledged and then lost, nor stored and left unanswered.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if options["listen"] is not None:
            writer.serve_shared(options["listen"], options["lifeline"])
        else:
            writer.serve_process(options["fd"])
