"""The standing proofs: whole systems (``vecinos run``, loopback providers) attacked
the way a raid day would. At CI size in ``make test``; at full size in ``make stress``
(``VECINOS_STRESS=1``), which also writes the figures to
benchmarks/results/stress/<backend>/."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import free_port, process_env, reachable_redis, unavailable
from tests.servers.smtp import SMTPServer
from tests.servers.twilio import TwilioServer

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "benchmarks" / "results"
STRESS = os.environ.get("VECINOS_STRESS", "") == "1"
SENDER = "+13235550001"


def size(ci: int, full: int) -> int:
    """``ci`` in ``make test``, ``full`` in ``make stress``."""
    return full if STRESS else ci


def backend() -> str:
    """The backend of this run, named as benchmarks/common.py names it: ``postgres``
    (PostgreSQL with Redis) when it has ``DATABASE_URL``, else ``sqlite``."""
    return "postgres" if os.environ.get("DATABASE_URL") else "sqlite"


def write_figures(name: str, figures: dict[str, Any]) -> None:
    """The figures of one proof, in benchmarks/results/stress/<backend>/<name>.json
    (stress runs only: CI runs leave the repository as it was)."""
    if not STRESS:
        return
    folder = RESULTS / "stress" / backend()
    folder.mkdir(parents=True, exist_ok=True)
    stamped = {
        "proof": name,
        "backend": backend(),
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **figures,
    }
    (folder / f"{name}.json").write_text(json.dumps(stamped, indent=2) + "\n")


@dataclass
class Stack:
    """``vecinos run`` (server and worker) on loopback, sending through the loopback
    Twilio and SMTP servers; its data directory and its log."""

    url: str
    data_dir: Path
    log: Path
    twilio: TwilioServer
    smtp: SMTPServer
    process: subprocess.Popen[bytes]
    env: dict[str, str] = field(default_factory=dict)

    def csrf_session(self, path: str) -> tuple[requests.Session, str]:
        """A browser-like session with the CSRF token of the form at ``path``."""
        session = requests.Session()
        page = session.get(self.url + path, timeout=10).text
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, page[:500]
        return session, match.group(1)


def wait_for(condition: Any, seconds: float = 60, what: str = "") -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what or condition}")


def start_stack(data_dir: Path, log: Path, **extra: str) -> Stack:
    twilio = TwilioServer(free_port()).start()
    smtp = SMTPServer(free_port()).start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = process_env(
        data_dir,
        VECINOS_PUBLIC_URL=url,
        VECINOS_TRUSTED_PROXIES="127.0.0.1",
        VECINOS_REPORT_RATE="1000000/h",
        VECINOS_API_RATE="1000000/m",
        SMS_PROVIDER="twilio",
        TWILIO_API_BASE=twilio.base_url,
        TWILIO_ACCOUNT_SID=twilio.sid,
        TWILIO_AUTH_TOKEN=twilio.token,
        TWILIO_FROM=SENDER,
        SMS_RATE="1000",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        EMAIL_USE_TLS="false",
        **extra,
    )
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "vecinos", "run", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack = Stack(url, data_dir, log, twilio, smtp, process, env)

    def up() -> bool:
        if process.poll() is not None:
            pytest.fail(f"vecinos run exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            return requests.get(url + "/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    wait_for(up, 90, "vecinos run to answer")
    return stack


def stop_stack(stack: Stack) -> None:
    if stack.process.poll() is None:
        os.killpg(stack.process.pid, signal.SIGTERM)
        try:
            stack.process.wait(40)
        except subprocess.TimeoutExpired:
            os.killpg(stack.process.pid, signal.SIGKILL)
            stack.process.wait()
    stack.twilio.stop()
    stack.smtp.stop()


@pytest.fixture
def stack(
    migrated_data_dir: Path, tmp_path: Path, child_database: dict[str, str]
) -> Iterator[Stack]:
    """``vecinos run`` on this run's kind of database (``child_database``) and queue:
    Redis (this run's ``REDIS_URL``) when the run has one, else the embedded queue."""
    extra = dict(child_database)
    if redis_url := os.environ.get("REDIS_URL", ""):
        extra["REDIS_URL"] = reachable_redis(redis_url)
    running = start_stack(migrated_data_dir, tmp_path / "vecinos.log", **extra)
    yield running
    stop_stack(running)


@pytest.fixture
def child_database(migrated_data_dir: Path) -> Iterator[dict[str, str]]:
    """The database of the processes a proof starts, as environment: SQLite in their
    data directory (nothing to add), or, when this run has ``DATABASE_URL``, a fresh
    PostgreSQL database of its own on the same server (migrated, dropped after), so
    the PostgreSQL pass of CI runs the proofs on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        yield {}
        return
    import psycopg

    base, _, name = url.rpartition("/")
    child = f"{name.split('?')[0][:30]}_proof_{uuid.uuid4().hex[:12]}"
    admin = f"{base}/postgres"
    try:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{child}"')
    except psycopg.Error as error:
        unavailable(f"PostgreSQL at {base} cannot make a database for the proof: {error}")
    env = {"DATABASE_URL": f"{base}/{child}"}
    try:
        subprocess.run(
            [sys.executable, "-m", "vecinos", "migrate", "--no-input", "-v", "0"],
            env=process_env(migrated_data_dir, **env),
            check=True,
            capture_output=True,
            timeout=600,
        )
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{child}" WITH (FORCE)')


def stored_report_ids(data_dir: Path, env: dict[str, str]) -> set[str]:
    """The ids of the reports in the database of ``env`` (32 hex digits each)."""
    query = "SELECT id FROM reports_report"
    if url := env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(url) as connection:
            return {row[0].hex for row in connection.execute(query)}
    import sqlite3

    with sqlite3.connect(data_dir / "vecinos.sqlite3") as db:
        return {str(row[0]).replace("-", "") for row in db.execute(query)}
