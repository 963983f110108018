"""How `vecinos serve` shapes gunicorn: one process without Redis (live updates are
in-process), many with it; threaded workers; no access log; gunicorn's messages through
the address filter; a clear error for a bad --bind."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from gunicorn.config import Config

from vecinos.core.management.commands import serve


def test_without_redis_the_server_is_one_process_with_many_threads(settings: Any) -> None:
    settings.REDIS_URL = ""

    assert serve.server_shape(workers=None, threads=None) == (1, serve.THREADS_ONE_PROCESS)


def test_with_redis_the_server_is_two_processes_per_core_plus_one(settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"

    workers, threads = serve.server_shape(workers=None, threads=None)

    assert workers == 2 * (os.cpu_count() or 1) + 1
    assert threads == serve.THREADS_MANY_PROCESSES


def test_given_numbers_win() -> None:
    assert serve.server_shape(workers=3, threads=5) == (3, 5)


@pytest.mark.parametrize(("workers", "threads"), [(0, None), (None, 0), (-1, 4)])
def test_zero_workers_or_threads_are_refused(workers: int | None, threads: int | None) -> None:
    with pytest.raises(CommandError, match="at least 1"):
        serve.server_shape(workers=workers, threads=threads)


@pytest.mark.parametrize("bind", ["8000", "localhost", "127.0.0.1:", "127.0.0.1:99999", "a b:80"])
def test_a_bad_bind_is_refused_with_its_shape(bind: str) -> None:
    with pytest.raises(CommandError, match=re.escape("--bind must look like 127.0.0.1:8000")):
        call_command("serve", "--bind", bind)


@pytest.mark.parametrize("bind", ["127.0.0.1:8000", "0.0.0.0:80", "[::1]:8000", "unix:/run/v.sock"])
def test_good_binds_are_accepted(bind: str) -> None:
    assert serve.parse_bind(bind) == bind


def test_gunicorn_gets_threaded_workers_and_no_access_log() -> None:
    options = serve.server_options(bind="127.0.0.1:8000", workers=1, threads=32)
    config = Config()
    for key, value in options.items():
        config.set(key, value)

    assert config.worker_class_str == "gthread"
    assert config.threads == 32
    assert config.accesslog is None
    assert config.logger_class is serve.NoAccessLogger
    assert config.control_socket_disable


def test_gunicorn_messages_pass_the_address_filter() -> None:
    config = serve.logconfig_dict()
    filters = {name: spec["()"] for name, spec in config["filters"].items()}

    for logger in ("gunicorn.error", "root"):
        handlers = (config["root"] if logger == "root" else config["loggers"][logger])["handlers"]
        assert handlers
        for handler in handlers:
            names = config["handlers"][handler]["filters"]
            assert "vecinos.core.logging.NoAddressFilter" in {filters[n] for n in names}
    assert config["loggers"]["gunicorn.access"]["handlers"] == []


def test_the_logger_writes_no_access_line() -> None:
    config = Config()
    config.set("accesslog", "-")  # even when asked to
    logger = serve.NoAccessLogger(config)

    assert not logger.access_log_enabled
    assert logger.access(None, None, {}, None) is None
