"""``vecinos run``: the web server and the background worker together, for one machine.

This is what ``make demo`` runs. It starts ``vecinos serve`` and ``vecinos worker`` as
child processes of the same interpreter, prints the address once the server answers,
and supervises them:

1. SIGINT (Ctrl-C) or SIGTERM: pass the same signal to both children, wait for them
   (``STOP_SECONDS`` at most, then kill), exit 0.
2. One child exits on its own: stop the other the same way and exit 1, so that a
   process manager sees the failure and can restart the pair.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from argparse import ArgumentParser
from contextlib import suppress
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand

from vecinos.core.management.commands.serve import parse_bind

STOP_SECONDS = 30.0
POLL_SECONDS = 0.2
WILDCARD_HOSTS = {"0.0.0.0", "[::]"}  # noqa: S104 - recognised, not bound here


def local_url(bind: str) -> str | None:
    """The address to open in a browser for ``bind`` (None for a unix socket)."""
    if bind.startswith("unix:"):
        return None
    host, port = bind.rsplit(":", 1)
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310
            return bool(response.status == 200)
    except OSError:
        return False


class Command(BaseCommand):
    help = "Run the web server and the background worker together (Ctrl-C stops both)."
    requires_system_checks: list[str] = []  # the children run them

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--bind", default="127.0.0.1:8000", help="HOST:PORT for the web server."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bind = parse_bind(options["bind"])
        url = local_url(bind)
        received: list[int] = []

        def on_signal(signum: int, frame: FrameType | None) -> None:
            received.append(signum)

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        command = [sys.executable, "-m", "vecinos"]
        children = {
            "server": subprocess.Popen([*command, "serve", "--bind", bind]),  # noqa: S603
            "worker": subprocess.Popen([*command, "worker"]),  # noqa: S603
        }
        announced = url is None
        failed: str | None = None
        try:
            while not received:
                exited = [name for name, child in children.items() if child.poll() is not None]
                if exited:
                    failed = exited[0]
                    break
                if not announced and url is not None and answers(url):
                    self.stdout.write(f"Vecinos is running on {url} (Ctrl-C stops it)")
                    announced = True
                time.sleep(POLL_SECONDS)
        finally:
            stop_signal = received[0] if received else signal.SIGTERM
            self.stop(children, stop_signal)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed is not None:
            code = children[failed].returncode
            self.stderr.write(f"the {failed} stopped (exit status {code}); stopped the rest")
            sys.exit(1)

    def stop(self, children: dict[str, subprocess.Popen[bytes]], signum: int) -> None:
        """Signal every child still running, wait for all, kill the stragglers."""
        for child in children.values():
            if child.poll() is None:
                with suppress(ProcessLookupError):
                    child.send_signal(signum)
        deadline = time.monotonic() + STOP_SECONDS
        for name, child in children.items():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"the {name} did not stop in time; killing it")
                child.kill()
                child.wait()
