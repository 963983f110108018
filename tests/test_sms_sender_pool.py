"""A pool of senders, each at its own rate, shared exactly by every sending thread and
process: counted where the messages arrive (the loopback Twilio server), no sender has
more than its rate in any one-second window, and together they send close to the sum
of their rates.

Two long codes at 3/s, a short code at 20/s and a Messaging Service at 6/s (32/s in
all), saturated by more sending threads than they can serve: two threads of one
process (the embedded SQLite queue, paced by a lock) and three processes of two threads
sharing Redis.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from tests.conftest import process_env, reachable_redis
from tests.servers.twilio import most_in_one_second
from vecinos.delivery import ratelimit
from vecinos.delivery.transports import OutgoingMessage
from vecinos.delivery.transports.sms import TwilioTransport

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("VECINOS_TEST_REDIS_URL", "redis://127.0.0.1:6379/10")
MESSAGES = 100


def sender_pool() -> dict[str, float]:
    """Senders of this run only (Redis keys are per sender, and runs may share a Redis)."""
    tag = os.getpid() % 10000
    return {
        f"+1213555{tag:04d}": 3.0,
        f"+1323555{tag:04d}": 3.0,
        f"5{tag:04d}": 20.0,
        f"MG{tag:032x}": 6.0,
    }


def pool_setting(pool: dict[str, float]) -> str:
    return ",".join(f"{sender}:{rate:g}" for sender, rate in pool.items())


def sms(number: int) -> OutgoingMessage:
    return OutgoingMessage(
        key=f"d{number}", channel="sms", address=f"+1213{number:07d}", subject="", text="x"
    )


def send_from_threads(numbers: list[int], threads: int) -> None:
    """Send ``numbers`` from ``threads`` threads, each taking the next as it is free."""
    queue = list(numbers)
    lock = threading.Lock()

    def work() -> None:
        transport = TwilioTransport()
        while True:
            with lock:
                if not queue:
                    return
                number = queue.pop()
            transport.send(sms(number))

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def assert_shared_exactly(server: Any, pool: dict[str, float]) -> None:
    arrivals = server.by_sender()
    assert sum(map(len, arrivals.values())) == MESSAGES
    assert set(arrivals) == set(pool)
    # The most messages each sender had in any second, against its rate.
    busiest = {sender: most_in_one_second(times) for sender, times in arrivals.items()}
    assert all(busiest[sender] <= math.floor(rate) for sender, rate in pool.items()), busiest
    # Together near the sum of the rates (32/s; the guard leaves 5 % unused).
    every = sorted(time for times in arrivals.values() for time in times)
    rate = (len(every) - 1) / (every[-1] - every[0])
    assert 0.85 * sum(pool.values()) <= rate <= 1.05 * sum(pool.values())
    # Each sender took a share near its own rate's.
    for sender, times in arrivals.items():
        share = pool[sender] / sum(pool.values())
        assert len(times) >= 0.7 * share * MESSAGES, (sender, len(times))


def test_threads_of_one_process_share_the_pool_exactly(twilio_server: Any, settings: Any) -> None:
    pool = sender_pool()
    settings.SMS_SENDERS = pool
    settings.TWILIO_FROM = []
    settings.REDIS_URL = ""
    # Two threads, as in the embedded queue: the one draining SMS (vecinos/delivery/
    # outbox.py, PACED_DRAINS) and one sending a transactional message.
    send_from_threads(list(range(MESSAGES)), threads=2)
    assert_shared_exactly(twilio_server, pool)
    services = [message for message in twilio_server.messages if message.service]
    assert services and all(message.service.startswith("MG") for message in services)


def test_worker_processes_share_the_pool_exactly_through_redis(
    twilio_server: Any, tmp_path: Path
) -> None:
    redis_url = reachable_redis(REDIS_URL)
    pool = sender_pool()
    ratelimit.RedisLimiter(redis_url).reset()
    env = process_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="vecinos.settings",
        REDIS_URL=redis_url,
        VECINOS_SMS_PROVIDER="twilio",
        VECINOS_DELIVERY_CONSOLE="false",
        VECINOS_SMS_SENDERS=pool_setting(pool),
        TWILIO_API_BASE=twilio_server.base_url,
        TWILIO_ACCOUNT_SID=twilio_server.sid,
        TWILIO_AUTH_TOKEN=twilio_server.token,
    )
    shares = [list(range(start, MESSAGES, 3)) for start in range(3)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, json.dumps(share)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        for share in shares
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "ready"
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.close()
        for process in processes:
            assert process.wait(timeout=60) == 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        ratelimit.RedisLimiter(redis_url).reset()
    assert_shared_exactly(twilio_server, pool)


def child(numbers: list[int]) -> None:
    """A sending process (see CHILD): says ready, sends on "go" from two threads."""
    print("ready", flush=True)
    sys.stdin.readline()
    send_from_threads(numbers, threads=2)


# Django is set up before this module (and the transport) is imported.
CHILD = (
    "import django, json, sys; django.setup(); "
    "from tests.test_sms_sender_pool import child; child(json.loads(sys.argv[1]))"
)
