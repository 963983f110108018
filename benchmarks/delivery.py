"""Delivery throughput: outbox workers → loopback SMS, SMTP and Web Push servers.

Setup: a throwaway SQLite database with ``BENCH_DELIVERIES`` (default 3,000) confirmed
subscriptions per channel inside one alert's area, and the loopback servers of the test
suite (tests/servers/), each in its own process: the Twilio-compatible API, aiosmtpd,
and the Web Push receiver, which decrypts every payload (http_ece) and verifies every
VAPID signature like a browser and a push service would.

Figures, from the same run:
- raw capacity of the three servers together: pre-built requests fired at all three at
  once by a plain client (4 threads each), no database, no rendering, no encryption on
  our side — what the servers can take on this machine;
- the worker path: ``fan_out`` then worker processes, each draining every channel with
  ``BENCH_THREADS_PER_CHANNEL`` threads (2) — claim, render in the subscriber's
  language, decrypt the contact, send, record — until every row is sent; messages per
  second from "go" to the last record. On SQLite with ``BENCH_WORKER_PROCESSES`` (2)
  processes; on PostgreSQL + Redis once each with 1, 2, 3 and 4 processes (a fresh
  alert to the same subscribers each time), to show where more processes stop helping;
- the sender pool, shared exactly: SMS only, through worker processes (3 sharing Redis
  on PostgreSQL, 1 on SQLite) and a pool of senders with rates of their own (two long
  codes, a short code, a Messaging Service); the loopback Twilio server records each
  message's arrival per sender, and the figure is the SMS per second it saw beside the
  sum of the rates, with each sender's busiest second (sliding window) against its rate;
- the workers' own CPU time per message, measured, and beside it the rate that CPU
  time would allow with every CPU of the machine given to workers: an estimate, which
  carries no goal.
Goal, judged on the measured end-to-end rate with ``BENCH_WORKER_PROCESSES`` processes:
at least 2,000 messages/s in total. For the throughput figures SMS pacing is set out of
the way (10 senders at 1,000/s each): the per-sender rate is a carrier rule, not worker
capacity; the sender pool figure measures that rule.
"""

from __future__ import annotations

import json
import os
import smtplib
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from typing import Any

from benchmarks import common

PER_CHANNEL = int(os.environ.get("BENCH_DELIVERIES", "3000"))
WORKER_PROCESSES = int(os.environ.get("BENCH_WORKER_PROCESSES", "2"))
THREADS_PER_CHANNEL = int(os.environ.get("BENCH_THREADS_PER_CHANNEL", "2"))
RAW_PER_SERVER = int(os.environ.get("BENCH_RAW_PER_SERVER", "2000"))
SENDERS = [f"+1323555{number:04d}" for number in range(10)]
CENTRE = (34.0403, -118.2093)
# The sender pool, SMS only, to subscribers of another area (about 12 km away).
POOL = {"+12135550901": 5.0, "+12135550902": 5.0, "90033": 100.0, "MG" + "5" * 32: 20.0}
POOL_SECONDS = int(os.environ.get("BENCH_POOL_SECONDS", "5"))
POOL_CENTRE = (34.1478, -118.1445)


# Child processes ----------------------------------------------------------------------------


def serve(kind: str, push_subscriptions: int) -> None:
    """A loopback server in this process until stdin closes; prints its port (and the
    push subscriptions it made) first, the count of messages it accepted last."""
    sys.path.insert(0, str(common.ROOT))
    from tests.servers.smtp import SMTPServer
    from tests.servers.twilio import TwilioServer
    from tests.servers.webpush import WebPushServer

    port = common.free_port()
    hello: dict[str, Any] = {"port": port}
    server: Any
    if kind == "smtp":
        server = SMTPServer(port).start()
    elif kind == "twilio":
        server = TwilioServer(port).start()
        hello.update(sid=server.sid, token=server.token)
    else:
        server = WebPushServer(port).start()
        hello["subscriptions"] = [server.subscribe() for _ in range(push_subscriptions)]
    print(json.dumps(hello), flush=True)
    sys.stdin.readline()
    received = len(server.received) if kind != "twilio" else len(server.messages)
    refused = len(getattr(server, "refused", []))
    goodbye: dict[str, Any] = {"received": received, "refused": refused}
    if kind == "twilio":
        arrivals = server.by_sender()
        goodbye["arrivals"] = {sender: arrivals.get(sender, []) for sender in POOL}
    server.stop()
    print(json.dumps(goodbye), flush=True)


def work(threads_per_channel: int) -> None:
    """An outbox worker process: says ready, waits for go, then drains every channel
    with ``threads_per_channel`` threads each (what the ``deliver`` tasks do in
    ``vecinos worker``)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "vecinos.settings"
    import django

    django.setup()
    from django.db import connections
    from django.urls import get_resolver

    from vecinos.delivery import outbox

    # What a long-running worker has done long before: import the URL configuration
    # (messages carry links), which otherwise lands on the first message.
    get_resolver().url_patterns  # noqa: B018
    print("ready", flush=True)
    sys.stdin.readline()

    def drain(channel: str) -> None:
        try:
            outbox.drain(channel=channel)
        finally:
            connections.close_all()

    pool = [
        threading.Thread(target=drain, args=(channel,))
        for channel in ("sms", "email", "webpush")
        for _ in range(threads_per_channel)
    ]
    started = time.process_time()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    print(json.dumps({"cpu_seconds": time.process_time() - started}), flush=True)


# The run ------------------------------------------------------------------------------------


def _spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.delivery", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=common.ROOT,
        env=env,
    )


def _hello(process: subprocess.Popen[str]) -> dict[str, Any]:
    assert process.stdout is not None
    return dict(json.loads(process.stdout.readline()))


def _goodbye(process: subprocess.Popen[str]) -> dict[str, Any]:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.close()
    last = process.stdout.read().strip().splitlines()[-1]
    process.wait(timeout=30)
    return dict(json.loads(last))


def _blast(count: int, threads: int, send_some: Any) -> None:
    share = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]
    pool = [threading.Thread(target=send_some, args=(n,)) for n in share]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def raw_capacity(ports: dict[str, Any], push_subscription: dict[str, Any]) -> float:
    """Pre-built requests fired at the three servers at once: messages per second."""
    import requests
    from py_vapid import Vapid
    from pywebpush import WebPusher

    twilio = ports["twilio"]
    sms_url = f"http://127.0.0.1:{twilio['port']}/2010-04-01/Accounts/{twilio['sid']}/Messages.json"
    vapid = Vapid()
    vapid.generate_keys()
    push_headers = vapid.sign(
        {
            "sub": "mailto:bench@localhost",
            "aud": f"http://127.0.0.1:{ports['push']['port']}",
            "exp": int(time.time()) + 3600,
        }
    )
    push_headers.update({"Content-Encoding": "aes128gcm", "TTL": "60", "Urgency": "high"})
    push_body = WebPusher(push_subscription).encode(
        json.dumps({"title": "Alerta", "body": "x" * 120}).encode(), "aes128gcm"
    )["body"]
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = "a@localhost", "b@localhost", "Alerta"
    email.set_content("x" * 300)

    def sms(count: int) -> None:
        with requests.Session() as session:
            for number in range(count):
                session.post(
                    sms_url,
                    data={"To": f"+1213555{number % 10000:04d}", "From": SENDERS[0], "Body": "x"},
                    auth=(twilio["sid"], twilio["token"]),
                    timeout=10,
                )

    def push(count: int) -> None:
        with requests.Session() as session:
            for _ in range(count):
                session.post(
                    push_subscription["endpoint"], data=push_body, headers=push_headers, timeout=10
                )

    def smtp(count: int) -> None:
        with smtplib.SMTP("127.0.0.1", ports["smtp"]["port"], timeout=10) as client:
            for _ in range(count):
                client.send_message(email)

    started = time.perf_counter()
    pool = [
        threading.Thread(target=_blast, args=(RAW_PER_SERVER, 4, target))
        for target in (sms, push, smtp)
    ]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return 3 * RAW_PER_SERVER / (time.perf_counter() - started)


def _setup(env: dict[str, str], push_subscriptions: list[dict[str, Any]]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "vecinos.settings"
    import django

    django.setup()
    from django.utils import timezone

    from vecinos.alerts.models import Subscription, SubscriptionCell, SubscriptionStatus
    from vecinos.core import crypto, geo

    now = timezone.now()
    cell = geo.cell_for(*CENTRE)
    rows = []
    for number in range(PER_CHANNEL):
        for channel, contact in (
            ("sms", f"+1213{number:07d}"),
            ("email", f"person{number}@example.org"),
            ("webpush", json.dumps(push_subscriptions[number])),
        ):
            rows.append(
                Subscription(
                    channel=channel,
                    contact=contact,
                    contact_hash=crypto.keyed_hash(contact, purpose=f"bench-{channel}"),
                    language=("en", "es", "zh-hans", "ko", "vi")[number % 5],
                    status=SubscriptionStatus.ACTIVE,
                    confirmed_at=now,
                )
            )
    pool_cell = geo.cell_for(*POOL_CENTRE)
    pool_rows = [
        Subscription(
            channel="sms",
            contact=f"+1310{number:07d}",
            contact_hash=crypto.keyed_hash(f"+1310{number:07d}", purpose="bench-pool"),
            language="es",
            status=SubscriptionStatus.ACTIVE,
            confirmed_at=now,
        )
        for number in range(_pool_messages())
    ]
    Subscription.objects.bulk_create(rows + pool_rows, batch_size=2000)
    SubscriptionCell.objects.bulk_create(
        [SubscriptionCell(subscription=row, cell=cell) for row in rows]
        + [SubscriptionCell(subscription=row, cell=pool_cell) for row in pool_rows],
        batch_size=5000,
    )


def _pool_messages() -> int:
    return int(sum(POOL.values()) * POOL_SECONDS)


def _publish(centre: tuple[float, float] = CENTRE) -> tuple[int, Any]:
    """Publish an alert around ``centre`` and fan it out: (rows created, its id)."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from vecinos.alerts.fanout import fan_out
    from vecinos.alerts.models import Alert, AlertStatus
    from vecinos.core import geo
    from vecinos.reports.models import Incident, IncidentStatus

    now = timezone.now()
    incident = Incident.objects.create(
        kind="raid",
        status=IncidentStatus.CONFIRMED,
        lat=centre[0],
        lng=centre[1],
        cell=geo.cell_for(*centre),
        first_seen_at=now,
        last_seen_at=now,
        report_count=1,
        source_count=1,
        confidence=90,
    )
    alert = Alert.objects.create(
        incident=incident,
        status=AlertStatus.PUBLISHED,
        incident_kind="raid",
        lat=centre[0],
        lng=centre[1],
        radius_km=1,
        cells=sorted(geo.cells_within(*centre, 1)),
        place_label="Boyle Heights",
        published_at=now,
        expires_at=now + timedelta(hours=6),
    )
    with transaction.atomic():
        return fan_out(alert=alert), alert.pk


def _workers(count: int, env: dict[str, str]) -> tuple[float, float]:
    """Start ``count`` worker processes, say go, wait until they have drained every
    channel: (seconds from go to the last one done, their CPU seconds together)."""
    workers = [_spawn("work", str(THREADS_PER_CHANNEL), env=env) for _ in range(count)]
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    cpu = 0.0
    for worker in workers:
        assert worker.stdout is not None
        cpu += float(json.loads(worker.stdout.read().strip().splitlines()[-1])["cpu_seconds"])
        worker.wait(timeout=600)
    return time.perf_counter() - started, cpu


def _statuses() -> dict[str, int]:
    from vecinos.alerts.models import Delivery

    statuses: dict[str, int] = {}
    for status in Delivery.objects.filter(alert__isnull=False).values_list("alert_id", "status"):
        key = f"alert {status[0]}: {status[1]}"
        statuses[key] = statuses.get(key, 0) + 1
    return statuses


def _sent(alert_statuses: dict[str, int], alert_id: Any) -> int:
    return sum(
        alert_statuses.get(f"alert {alert_id}: {status}", 0) for status in ("sent", "delivered")
    )


def run() -> common.Result:
    sys.path.insert(0, str(common.ROOT))
    from tests.servers.twilio import most_in_one_second

    directory = common.data_dir("delivery")
    servers = {
        "smtp": _spawn("serve", "smtp"),
        "twilio": _spawn("serve", "twilio"),
        "push": _spawn("serve", "push", str(PER_CHANNEL + 1)),
    }
    ports = {name: _hello(process) for name, process in servers.items()}
    push_subscriptions = ports["push"].pop("subscriptions")
    twilio = {
        "VECINOS_DELIVERY_CONSOLE": "false",
        "VECINOS_SMS_PROVIDER": "twilio",
        "TWILIO_API_BASE": f"http://127.0.0.1:{ports['twilio']['port']}",
        "TWILIO_ACCOUNT_SID": ports["twilio"]["sid"],
        "TWILIO_AUTH_TOKEN": ports["twilio"]["token"],
        "VECINOS_DELIVERY_BATCH_SIZE": "200",
    }
    env = common.vecinos_env(
        directory,
        **twilio,
        TWILIO_FROM=",".join(SENDERS),
        VECINOS_SMS_RATE="1000",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(ports["smtp"]["port"]),
        EMAIL_USE_TLS="false",
        # The loopback Web Push receiver is a private address.
        VECINOS_ALLOW_PRIVATE_ADDRESSES="true",
    )
    pool_env = {key: value for key, value in env.items() if key != "TWILIO_FROM"}
    pool_env["VECINOS_SMS_SENDERS"] = ",".join(f"{s}:{rate:g}" for s, rate in POOL.items())
    counts = (1, 2, 3, 4) if common.on_postgres() else (WORKER_PROCESSES,)
    pool_processes = 3 if common.on_postgres() else 1
    result = common.Result(
        name="delivery",
        description=(
            f"{3 * PER_CHANNEL:,} alert messages through the outbox workers to loopback "
            "SMS, SMTP and Web Push servers"
            + (f" with {', '.join(map(str, counts))} worker processes" if len(counts) > 1 else "")
            + ", beside the servers' raw capacity; then SMS through a pool of senders "
            "with rates of their own, counted at the loopback provider"
        ),
    )
    load_before = os.getloadavg()[0]
    rounds: dict[int, tuple[int, int, float, float]] = {}  # processes -> created, sent, s, cpu
    try:
        common.vecinos(["migrate", "--no-input", "-v", "0"], env)
        raw = raw_capacity(ports, push_subscriptions[-1])
        _setup(env, push_subscriptions)
        for count in counts:
            created, alert_id = _publish()
            elapsed, cpu = _workers(count, env)
            rounds[count] = (created, _sent(_statuses(), alert_id), elapsed, cpu)
            print(f"  {count} processes: {rounds[count][1] / elapsed:,.0f} msg/s", flush=True)
        pool_created, pool_alert = _publish(POOL_CENTRE)
        pool_elapsed, _ = _workers(pool_processes, pool_env)
        statuses = _statuses()
    finally:
        received = {name: _goodbye(process) for name, process in servers.items()}
    result.notes.append(
        f"outcome per alert {statuses}; servers accepted "
        + ", ".join(f"{name} {info['received']:,}" for name, info in received.items())
        + f" (raw run included); {THREADS_PER_CHANNEL} threads per channel per worker "
        f"process; load average before the run {load_before:.1f} on {os.cpu_count()} CPUs"
    )
    for count, (created, sent, elapsed, _cpu) in rounds.items():
        rate = sent / elapsed
        judged = count == WORKER_PROCESSES
        result.add(
            common.Figure(
                f"worker path, {count} worker process{'es' if count > 1 else ''}, messages/s "
                "(claim, render, send, record), servers on the same CPUs",
                rate,
                "msg/s",
                "raw capacity of the 3 loopback servers together, msg/s",
                raw,
                "≥ 2,000/s" if judged else "",
                (rate >= 2000 and sent == created) if judged else None,
            )
        )
    created, sent, _elapsed, worker_cpu = rounds[WORKER_PROCESSES]
    result.add(
        common.Figure(
            f"estimate, not measured: messages per worker CPU-second x CPUs "
            f"({WORKER_PROCESSES} processes)",
            sent / worker_cpu * (os.cpu_count() or 1),
            "msg/s",
            "worker CPU per message (measured), ms",
            1000 * worker_cpu / max(1, sent),
        )
    )
    arrivals: dict[str, list[float]] = received["twilio"]["arrivals"]
    every = sorted(at for times in arrivals.values() for at in times)
    pool_rate = (len(every) - 1) / (every[-1] - every[0]) if len(every) > 1 else 0.0
    busiest = {sender: most_in_one_second(times) for sender, times in arrivals.items()}
    within = all(busiest[sender] <= rate for sender, rate in POOL.items())
    pool_sent = _sent(statuses, pool_alert)
    result.add(
        common.Figure(
            f"sender pool: SMS/s arriving at the loopback provider, {pool_processes} worker "
            f"process{'es' if pool_processes > 1 else ''}",
            pool_rate,
            "msg/s",
            "sum of the senders' rates, msg/s",
            sum(POOL.values()),
            "≥ 90 % of the sum; no sender above its rate in any second",
            pool_rate >= 0.9 * sum(POOL.values()) and within and pool_sent == pool_created,
        )
    )
    result.notes.append(
        "Sender pool "
        + ", ".join(f"{sender} at {rate:g}/s" for sender, rate in POOL.items())
        + f": {pool_sent:,} of {pool_created:,} SMS sent in {pool_elapsed:.1f} s from go; "
        "busiest second (sliding window) at the provider per sender: "
        + ", ".join(f"{sender} {busiest[sender]} (rate {POOL[sender]:g})" for sender in POOL)
        + ". The limiter spaces each sender's slots (1 + 5 %) / rate apart "
        "(vecinos/delivery/ratelimit.py), so the pool sends about 95 % of the sum."
    )
    result.notes.append(
        "On one machine the workers and the Python loopback servers share the CPUs, so the "
        "end-to-end rate is bounded by both; the goal is judged on it. More worker processes "
        "help until the servers (and PostgreSQL) take the CPUs the workers would use. The "
        "estimate divides the measured worker CPU per message into every CPU of the "
        "machine: where the workers alone would become the bottleneck, with no goal."
    )
    return result


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    elif sys.argv[1] == "work":
        work(int(sys.argv[2]))
