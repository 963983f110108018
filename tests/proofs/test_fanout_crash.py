"""Fan-out crash: an alert to N recipients (CI 2,000; ``make stress`` 100,000, or
``VECINOS_FANOUT_RECIPIENTS``) goes out through the loopback SMS, email and web push
servers while a real ``vecinos worker`` is killed with SIGKILL at random points and
restarted until the outbox is empty. Everyone gets it at least once, and the repeats
stay within the bound of docs/architecture.md ("The outbox for alerts"): at most the
messages in flight, one per worker thread, per crash."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import free_port, process_env
from tests.proofs.conftest import REPO, size, wait_for, write_figures
from tests.servers.smtp import SMTPServer
from tests.servers.twilio import TwilioServer
from tests.servers.webpush import WebPushServer

THREADS = 4
CLAIM_TIMEOUT = 10  # seconds (the least DELIVERY_CLAIM_TIMEOUT allows)


def unknown_sms(data_dir: Path) -> int:
    """Rows whose SMS the provider answered too late: outcome unknown, not retried."""
    with sqlite3.connect(data_dir / "vecinos.sqlite3", timeout=30) as db:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM alerts_delivery WHERE status = 'failed' AND channel = 'sms' "
            "AND error = 'sms_unknown_not_retried'"
        ).fetchone()
    return int(count)


def outbox(data_dir: Path) -> Counter[str]:
    """The delivery rows by status, read straight from the worker's database."""
    with sqlite3.connect(data_dir / "vecinos.sqlite3", timeout=30) as db:
        return Counter(
            dict(db.execute("SELECT status, COUNT(*) FROM alerts_delivery GROUP BY status"))
        )


@pytest.mark.timeout(900)  # a loaded machine is slow; what is checked does not depend on time
def test_a_fan_out_survives_kill_9_of_its_worker_with_repeats_within_the_bound(
    tmp_path: Path, migrated_data_dir: Path
) -> None:
    recipients = int(os.environ.get("VECINOS_FANOUT_RECIPIENTS") or size(2000, 100_000))
    twilio = TwilioServer(free_port()).start()
    smtp = SMTPServer(free_port()).start()
    push = WebPushServer(free_port()).start()
    worker: subprocess.Popen[bytes] | None = None
    try:
        phones = [f"+1213{2_000_000 + n:07d}" for n in range(recipients // 2)]
        emails = [f"vecina{n}@example.org" for n in range(recipients * 3 // 10)]
        browsers = [push.subscribe() for _ in range(recipients - len(phones) - len(emails))]
        contacts = tmp_path / "contacts.json"
        contacts.write_text(json.dumps({"sms": phones, "email": emails, "webpush": browsers}))
        env = process_env(
            migrated_data_dir,
            VECINOS_PUBLIC_URL="http://127.0.0.1:8109",
            VECINOS_WORKER_THREADS=str(THREADS),
            VECINOS_DELIVERY_CLAIM_TIMEOUT=str(CLAIM_TIMEOUT),
            VECINOS_SMS_PROVIDER="twilio",
            TWILIO_API_BASE=twilio.base_url,
            TWILIO_ACCOUNT_SID=twilio.sid,
            TWILIO_AUTH_TOKEN=twilio.token,
            TWILIO_FROM="+13235550001,+13235550002",
            VECINOS_SMS_RATE="1000",
            # The push receiver is this test's own, on loopback (vecinos/core/outgoing.py).
            VECINOS_ALLOW_PRIVATE_ADDRESSES="true",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            EMAIL_USE_TLS="false",
        )
        seeded = subprocess.run(
            [sys.executable, "-m", "tests.proofs.fanout_seed", str(contacts)],
            env=env, cwd=REPO, capture_output=True, text=True, timeout=1800,
        )  # fmt: skip
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        assert int(seeded.stdout.split()[-1]) == recipients
        log = tmp_path / "worker.log"

        def start() -> subprocess.Popen[bytes]:
            with log.open("ab") as sink:
                return subprocess.Popen(
                    [sys.executable, "-m", "vecinos", "worker"],
                    env=env, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip

        def sent() -> int:
            return outbox(migrated_data_dir)["sent"]

        def settled() -> bool:
            """No row is waiting or in a worker's hands any more."""
            rows = outbox(migrated_data_dir)
            return rows["queued"] + rows["sending"] == 0 and sum(rows.values()) == recipients

        rng = random.Random(14)
        kills = 0
        started = time.monotonic()
        worker = start()
        wait_for(sent, 120, "the worker to send the first message")
        # Kill it at random points while the fan-out is under way, then restart it.
        while kills < size(4, 12) and sent() < recipients * 0.9:
            time.sleep(rng.uniform(0.2, 2.5))
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            kills += 1
            worker = start()
        # The last kill, mid-send; the worker comes back once the dead claims timed out
        # (its start rings the minute sweep, which hands them to the threads again).
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        kills += 1
        time.sleep(CLAIM_TIMEOUT + 1)
        worker = start()
        wait_for(settled, size(240, 3600), "every delivery to be sent (or its outcome known)")
        seconds = time.monotonic() - started
        rows = outbox(migrated_data_dir)
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        twilio.stop()
        smtp.stop()
        push.stop()

    received: Counter[str] = Counter(message.to for message in twilio.messages)
    received.update(address for mail in smtp.received for address in mail.recipients)
    received.update(p.browser_id for p in push.received)
    expected = [*phones, *emails, *(str(b["endpoint"]).rsplit("/", 1)[-1] for b in browsers)]
    missed = [who for who in expected if received[who] == 0]
    duplicates = sum(count - 1 for count in received.values())
    bound = THREADS * kills  # threads x worker processes, per crash
    write_figures(
        "fanout_crash",
        {"recipients": recipients, "kills": kills, "threads": THREADS, "seconds": round(seconds, 1),
         "duplicates": duplicates, "bound": bound, "rows": dict(rows),
         "per_second": round(recipients / seconds, 1)},
    )  # fmt: skip
    assert set(received) <= set(expected)
    assert missed == [], f"{len(missed)} of {recipients} never got the alert"
    # Sent, or (SMS only) answered too late by a loaded provider: recorded unknown and
    # not sent again (docs/architecture.md); the servers' own counts above show that
    # everyone got it.
    assert set(rows) <= {"sent", "failed"}
    assert rows["failed"] == unknown_sms(migrated_data_dir)
    assert kills >= 3
    assert duplicates <= bound, f"{duplicates} repeats after {kills} kills of {THREADS} threads"
