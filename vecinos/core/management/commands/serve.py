"""``vecinos serve``: the production web server (gunicorn with threaded workers).

Why these choices:

- **gthread workers.** The dispatcher console keeps a Server-Sent-Events connection
  open per screen. A thread waiting on one does not block the others, and gunicorn's
  heartbeat comes from each worker's main loop, not from the request threads, so a
  stream that lasts an hour never trips ``timeout``.
- **One process without Redis.** Live updates and the rate-limit day key are
  in-process when ``REDIS_URL`` is unset; a second process would not see the first
  one's events. So the default is one process with many threads; with Redis it is
  the usual ``2 x cores + 1`` processes.
- **A report writer process per worker on SQLite.** Reports are written in batches
  by a process of their own (``vecinos.reports.writer``), started as each worker
  starts, so that writing does not compete with requests for the worker's GIL.
- **A buffering front.** Threaded workers read a request inside a worker thread, so a
  few dozen clients sending their headers a byte at a time (slowloris) would hold
  every thread. By default ``--bind`` is served by ``vecinos.core.front``, an asyncio
  process that takes each request whole (with deadlines) before handing it to
  gunicorn on a loopback port. ``--no-front`` binds gunicorn itself: only behind a
  buffering proxy (docs/operations.md).
- **No access log.** An access line is where web servers write client addresses;
  we write none (docs/architecture.md, principle 1). gunicorn's own messages go through
  Python logging with ``NoAddressFilter``, like everything else.
"""

from __future__ import annotations

import copy
import os
import re
import socket
import subprocess
import sys
from argparse import ArgumentParser
from typing import Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from vecinos.core import hooks, live

BIND_RE = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+):(?P<port>\d{1,5})$")

# Threads per process. Each open console stream (SSE) holds a thread, waiting, with no
# database connection; a quarter of the threads (at least 8) are kept from the streams
# for requests (``live.stream_limit``), so fifty dispatchers' screens never hold up a
# report (benchmarks/consoles.py).
THREADS_ONE_PROCESS = 128
# With several processes: the database connections a process opens are bounded by its
# connection pool or persistent connections (vecinos/settings.py), not by its threads.
THREADS_MANY_PROCESSES = 32
# Seconds a stopping worker gives requests in flight. Open SSE streams would use all
# of it; browsers reconnect to another process on their own, so keep it short.
GRACEFUL_TIMEOUT = 10


def parse_bind(value: str) -> str:
    """Accept ``HOST:PORT`` (``[::1]:8000`` for IPv6) or ``unix:/path``."""
    if value.startswith("unix:") and len(value) > len("unix:"):
        return value
    match = BIND_RE.match(value)
    if not match or not 1 <= int(match["port"]) <= 65535:
        raise CommandError(f"--bind must look like 127.0.0.1:8000, not {value!r}")
    return value


def server_shape(*, workers: int | None, threads: int | None) -> tuple[int, int]:
    """(processes, threads per process): the given numbers, or the defaults."""
    if workers is None:
        workers = 2 * (os.cpu_count() or 1) + 1 if settings.REDIS_URL else 1
    if threads is None:
        threads = THREADS_ONE_PROCESS if workers == 1 else THREADS_MANY_PROCESSES
    if workers < 1:
        raise CommandError("--workers must be at least 1")
    if threads < 1:
        raise CommandError("--threads must be at least 1")
    return workers, threads


def stream_limit(threads: int) -> int:
    """Console streams one process may hold open: its threads but those kept for requests."""
    return max(1, threads - max(8, threads // 4))


def django_logging() -> dict[str, Any]:
    return cast("dict[str, Any]", settings.LOGGING)


def logconfig_dict() -> dict[str, Any]:
    """Django's logging configuration plus gunicorn's loggers, so that gunicorn's
    messages pass the same address filter and handler as the application's."""
    config = copy.deepcopy(django_logging())
    level = django_logging().get("root", {}).get("level", "INFO")
    config.setdefault("loggers", {})
    config["loggers"]["gunicorn.error"] = {
        "handlers": ["console"],
        "level": level,
        "propagate": False,
    }
    # Belt and braces: NoAccessLogger never writes here, and nothing would be shown.
    config["loggers"]["gunicorn.access"] = {
        "handlers": [],
        "level": "CRITICAL",
        "propagate": False,
    }
    return config


class NoAccessLogger(Logger):
    """gunicorn's logger without the access log (the ``%(h)s`` of every request)."""

    def _compute_access_log_enabled(self) -> bool:
        return False

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None


DEVELOPMENT_WARNING = """\
************************************************************************************
WARNING: VECINOS_ENV is not set, so this server runs in DEVELOPMENT posture: debug
pages with tracebacks, no HTTPS requirement, web push to any host. Never expose it to
the Internet. Set VECINOS_ENV=production for a real deployment (docs/operations.md).
************************************************************************************"""


class VecinosServer(BaseApplication):
    """gunicorn configured from Python, serving ``vecinos.wsgi.application``."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from vecinos.wsgi import application

        return application


def worker_started(worker: Any) -> None:
    """gunicorn's ``post_worker_init``: what the apps start in each web worker
    (``hooks.web_worker_started``; on SQLite, reports start the worker's writer
    process, ``vecinos.reports.writer``)."""
    hooks.web_worker_started.call(worker)


def server_options(*, bind: str, workers: int, threads: int) -> dict[str, Any]:
    level = str(django_logging().get("root", {}).get("level", "INFO")).lower()
    trusted = ",".join(settings.VECINOS_TRUSTED_PROXIES) or "127.0.0.1,::1"
    return {
        "bind": [bind],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # gthread's heartbeat is the worker's event loop: long requests do not count.
        "timeout": 30,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": level,
        "logger_class": NoAccessLogger,
        "logconfig_dict": logconfig_dict(),
        # Only used by gunicorn for the URL scheme (X-Forwarded-Proto); the client
        # address is handled, and erased, by vecinos.core.middleware.PrivacyMiddleware.
        "forwarded_allow_ips": trusted,
        # Several servers on one machine must not fight over one control socket.
        "control_socket_disable": True,
        "proc_name": "vecinos-serve",
        "preload_app": False,
        "post_worker_init": worker_started,
    }


class Command(BaseCommand):
    help = "Run the web server (gunicorn, threaded workers). SIGTERM stops it gracefully."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--bind",
            default="127.0.0.1:8000",
            help="HOST:PORT or unix:/path to listen on (default 127.0.0.1:8000).",
        )
        parser.add_argument(
            "--no-front",
            action="store_true",
            help=(
                "Bind gunicorn itself instead of the buffering front (only behind a "
                "proxy that buffers whole requests, such as nginx)."
            ),
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Worker processes (default: 1 without REDIS_URL, 2 x cores + 1 with it).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help=(
                f"Threads per worker (default: {THREADS_ONE_PROCESS} with one process, "
                f"{THREADS_MANY_PROCESSES} with several)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not os.environ.get("VECINOS_ENV"):
            self.stderr.write(DEVELOPMENT_WARNING)
        bind = parse_bind(options["bind"])
        workers, threads = server_shape(workers=options["workers"], threads=options["threads"])
        if workers > 1 and not settings.REDIS_URL:
            self.stderr.write(
                "warning: without REDIS_URL each worker process has its own live updates "
                "and rate-limit counters; consoles may miss events"
            )
        # Workers are forked from this process: they inherit the limit, not its connections.
        live.stream_limit = stream_limit(threads)
        connections.close_all()
        front = None
        if not options["no_front"]:
            bind, front = start_front(bind)
        stops = [stop for stop in hooks.server_starting.call() if stop is not None]
        connections.close_all()

        def stop(_arbiter: object = None) -> None:
            if front is not None:
                stop_front(front)
            for function in stops:
                function()

        server_config = server_options(bind=bind, workers=workers, threads=threads)
        server_config["on_exit"] = stop
        try:
            VecinosServer(server_config).run()
        finally:
            stop()


def start_front(bind: str) -> tuple[str, subprocess.Popen[bytes]]:
    """Start the buffering front on ``bind``; gunicorn's own address instead: a free
    loopback port, whose peer (the front) is trusted for ``X-Forwarded-For``."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        upstream = f"127.0.0.1:{probe.getsockname()[1]}"
    trusted = [str(net) for net in settings.VECINOS_TRUSTED_PROXIES]
    settings.VECINOS_TRUSTED_PROXIES = [*settings.VECINOS_TRUSTED_PROXIES, "127.0.0.1/32"]
    front = subprocess.Popen(  # noqa: S603 - our own module, no shell
        [sys.executable, "-m", "vecinos.core.front", bind, upstream, *trusted],
        stdin=subprocess.DEVNULL,
    )
    return upstream, front


def stop_front(front: subprocess.Popen[bytes]) -> None:
    if front.poll() is None:
        front.terminate()
        try:
            front.wait(5)
        except subprocess.TimeoutExpired:
            front.kill()
            front.wait()
