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
        parser.add_argument("--fd", type=int, required=True, help="The socket to serve.")

    def handle(self, *args: Any, **options: Any) -> None:
        # A Ctrl-C or a stop reaches the whole process group; the writer finishes the
        # batch in hand and ends when its web process closes the socket, so that no
        # report is acknowledged and then lost, nor stored and left unanswered.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        writer.serve_process(options["fd"])
