"""`make stress`: the county-size simulation on PostgreSQL + Redis, several processes.

- ``STRESS_SUBSCRIPTIONS`` (default 1,000,000) subscriptions spread evenly over Los
  Angeles County's ZIP codes (benchmarks/population.py, ``zips``: each holds its ZIP
  code's cells, as ``JOIN 90033`` does), in the twelve alert languages, on SMS, email
  and web push, each with a real (encrypted) contact at this run's loopback servers;
- ``vecinos serve --workers STRESS_WEB`` (3) takes anonymous reports over HTTP at
  10/s throughout, with a burst of 200/s for ``STRESS_BURST_SECONDS`` (60);
- when the burst starts, one alert whose circle around downtown Los Angeles holds
  about ``STRESS_RECIPIENTS`` (default 300,000) subscriptions is drafted and approved
  by two dispatchers through the action layer (vecinos.alerts.actions: the two-person
  rule; the second approval publishes and fans out);
- ``STRESS_DELIVERY_WORKERS`` (2) ``vecinos worker`` processes drain the outbox to the
  loopback Twilio (``STRESS_SMS_SENDERS`` short codes at ``STRESS_SMS_RATE`` messages
  per second each), SMTP and web push servers this process runs.

Figures: seconds from the second approval until every delivery row is committed; until
the last message reaches the loopback providers; messages per recipient at the
providers (none lost, none repeated); the busiest second per SMS sender against its
rate; reports by answer status, their p99, and the answers per second during the burst
(``burst_rate_sent``: below the rate asked when the server, or the load generator in
this process, falls behind); peak resident memory (VmHWM) of every process.
Written to benchmarks/results/stress/postgres/county.json.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

os.environ["VECINOS_BENCH_BACKEND"] = "postgres"

from benchmarks import common, population

SUBSCRIPTIONS = int(os.environ.get("STRESS_SUBSCRIPTIONS", "1000000"))
RECIPIENTS = int(os.environ.get("STRESS_RECIPIENTS", "300000"))
WEB = int(os.environ.get("STRESS_WEB", "3"))
DELIVERY_WORKERS = int(os.environ.get("STRESS_DELIVERY_WORKERS", "2"))
WORKER_THREADS = int(os.environ.get("STRESS_WORKER_THREADS", "8"))
SMS_SENDERS = int(os.environ.get("STRESS_SMS_SENDERS", "4"))
SMS_RATE = float(os.environ.get("STRESS_SMS_RATE", "100"))
STEADY_RATE = 10.0
BURST_RATE = float(os.environ.get("STRESS_BURST_RATE", "200"))
BURST_SECONDS = int(os.environ.get("STRESS_BURST_SECONDS", "60"))
LEAD_SECONDS = 10  # steady reports before the burst
DEADLINE = int(os.environ.get("STRESS_DEADLINE", "3600"))
CENTRE = (34.05, -118.25)  # downtown Los Angeles
RESULTS = common.RESULTS / "stress" / "postgres"


# Contacts: made from the subscriber's number, so the loopback servers can be checked.


def phone(number: int) -> str:
    return f"+1213{number:07d}"


def email(number: int) -> str:
    return f"vecina{number}@example.org"


def browser_id(number: int) -> str:
    return f"b{number}"


def contact_maker(push: Any) -> population.Contacts:
    """Encrypted contacts as the model stores them. Every browser shares one key pair
    (a browser's key is only what its pushes are encrypted to; 300,000 key pairs would
    be minutes of setup for nothing measured)."""
    from tests.servers.webpush import Browser
    from vecinos.alerts.models import Subscription
    from vecinos.core import crypto

    template = push.subscribe()
    shared = push.browsers[str(template["endpoint"]).rsplit("/", 1)[-1]]
    purpose = Subscription._meta.get_field("contact").purpose
    keys = template["keys"]

    def make(person: population.Subscriber) -> tuple[str, str]:
        if person.channel == "sms":
            contact = phone(person.number)
        elif person.channel == "email":
            contact = email(person.number)
        else:
            name = browser_id(person.number)
            push.browsers[name] = Browser(name, shared.private_key, shared.auth, None)
            contact = json.dumps(
                {"endpoint": f"{push.origin}/push/{name}", "keys": keys}, sort_keys=True
            )
        digest = crypto.keyed_hash(contact, purpose=f"stress-{person.channel}")
        return crypto.encrypt(contact, purpose=purpose), digest

    return make


def alert_radius(zips: list[tuple[str, float, float]], cells: dict[str, tuple[int, ...]]) -> float:
    """The radius around downtown whose cells reach about ``RECIPIENTS`` of the
    subscriptions (spread evenly over the ZIP codes, 95 % active)."""
    from vecinos.core import geo

    share = RECIPIENTS / (SUBSCRIPTIONS * 0.95)
    low, high = 0.5, 25.0
    for _ in range(14):
        middle = (low + high) / 2
        area = set(geo.cells_within(*CENTRE, middle))
        reached = sum(1 for code, _lat, _lng in zips if area.intersection(cells[code]))
        if reached / len(zips) < share:
            low = middle
        else:
            high = middle
    return round(high, 2)


# Processes -------------------------------------------------------------------------------


def peak_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    found = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            children = (task / "children").read_text().split()
            for child in children:
                found.extend(descendants(int(child)))
    except OSError:
        pass
    return found


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# Reports over HTTP -----------------------------------------------------------------------


class Reporter:
    """Anonymous reports at a set rate from a pool of threads, each a session of its own."""

    def __init__(self, url: str) -> None:
        self.url = url + "/api/v1/reports"
        self.rate = STEADY_RATE
        self.statuses: Counter[int] = Counter()
        self.latencies: list[float] = []
        self.burst_sent = 0
        self.burst_seconds = 0.0
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=48)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.rng = random.Random(10)

    def _post(self, body: dict[str, object]) -> None:
        import requests

        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
        started = time.perf_counter()
        try:
            status = session.post(self.url, json=body, timeout=30).status_code
        except requests.RequestException:
            status = 0
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(time.perf_counter() - started)

    def _run(self) -> None:
        kinds = ["raid", "checkpoint", "arrest", "patrol", "surveillance", "other"]
        next_at = time.monotonic()
        while not self.stopped.is_set():
            body = {
                "kind": self.rng.choice(kinds),
                "lat": round(self.rng.uniform(33.75, 34.30), 6),
                "lng": round(self.rng.uniform(-118.65, -117.90), 6),
                "description": "seen from the bus stop",
            }
            self.pool.submit(self._post, body)
            next_at += 1 / self.rate
            pause = next_at - time.monotonic()
            if pause > 0:
                time.sleep(pause)

    def burst(self) -> None:
        """``BURST_RATE`` for ``BURST_SECONDS``, then back to the steady rate."""
        before = sum(self.statuses.values())
        started = time.monotonic()
        self.rate = BURST_RATE
        time.sleep(BURST_SECONDS)
        self.rate = STEADY_RATE
        self.burst_seconds = time.monotonic() - started
        self.burst_sent = sum(self.statuses.values()) - before

    def start(self) -> None:
        self.thread.start()

    def finish(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.pool.shutdown(wait=True)


# The run ---------------------------------------------------------------------------------


def _django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "vecinos.settings"
    import django

    django.setup()


def publish(radius_km: float) -> tuple[Any, float]:
    """One dispatcher drafts the alert, another approves it: the approval
    publishes it and fans it out in its transaction. Returns the alert and the
    seconds of that second approval, i.e. until every delivery row is committed."""
    from django.utils import timezone

    from vecinos.accounts.models import Role, User
    from vecinos.alerts import actions
    from vecinos.core import geo
    from vecinos.reports.models import Incident, IncidentStatus

    first = User.objects.create(username="stress-dispatcher-1", role=Role.DISPATCHER)
    second = User.objects.create(username="stress-dispatcher-2", role=Role.DISPATCHER)
    now = timezone.now()
    incident = Incident.objects.create(
        kind="raid",
        status=IncidentStatus.CONFIRMED,
        lat=CENTRE[0],
        lng=CENTRE[1],
        cell=geo.cell_for(*CENTRE),
        first_seen_at=now,
        last_seen_at=now,
        report_count=3,
        source_count=3,
        confidence=90,
    )
    alert = actions.draft_alert(incident=incident, radius_km=radius_km, actor=first)
    started = time.perf_counter()
    alert = actions.approve_alert(alert=alert, actor=second)
    return alert, time.perf_counter() - started


def outbox(alert: Any) -> Counter[str]:
    from django.db.models import Count

    from vecinos.alerts.models import Delivery

    return Counter(
        dict(
            Delivery.objects.filter(alert=alert)
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
    )


def expected_contacts(alert: Any) -> Counter[str]:
    """Who the outbox says must get the alert, as the providers will see them."""
    from vecinos.alerts.models import Delivery

    wanted: Counter[str] = Counter()
    rows = Delivery.objects.filter(alert=alert).values_list("channel", "subscription__contact")
    for channel, contact in rows.iterator(chunk_size=5000):
        if channel == "webpush":
            wanted[str(json.loads(contact)["endpoint"]).rsplit("/", 1)[-1]] += 1
        else:
            wanted[contact] += 1
    return wanted


def busiest_second(times: list[float]) -> int:
    return max(Counter(int(at) for at in times).values(), default=0)


def run() -> dict[str, Any]:
    from tests.servers.smtp import SMTPServer
    from tests.servers.twilio import TwilioServer
    from tests.servers.webpush import WebPushServer

    # The SMTP server logs every command it reads: 100,000 messages would drown the figures.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    common.drop_postgres_databases()
    common.empty_redis()
    directory = common.data_dir("stress")
    twilio = TwilioServer(common.free_port()).start()
    smtp = SMTPServer(common.free_port()).start()
    push = WebPushServer(common.free_port()).start()
    port = common.free_port()
    senders = [f"{80000 + n}" for n in range(SMS_SENDERS)]
    env = common.vecinos_env(
        directory,
        VECINOS_PUBLIC_URL=f"http://127.0.0.1:{port}",
        VECINOS_REPORT_RATE="1000000/h",
        VECINOS_API_RATE="1000000/m",
        VECINOS_SMS_PROVIDER="twilio",
        TWILIO_API_BASE=twilio.base_url,
        TWILIO_ACCOUNT_SID=twilio.sid,
        TWILIO_AUTH_TOKEN=twilio.token,
        TWILIO_FROM=",".join(senders),
        VECINOS_SMS_RATE=str(SMS_RATE),
        VECINOS_WORKER_THREADS=str(WORKER_THREADS),
        VECINOS_ALLOW_PRIVATE_ADDRESSES="true",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        EMAIL_USE_TLS="false",
        PYTHONUNBUFFERED="1",
    )
    common.vecinos(["migrate", "--no-input", "-v", "0"], env)
    _django(env)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    peaks: dict[str, float] = {}
    figures: dict[str, Any] = {}
    try:
        zips = population.la_county_zips()
        cells = population.zip_cells(zips, 2.0)
        radius = alert_radius(zips, cells)
        people = population.subscribers(SUBSCRIPTIONS, seed=14, placement="zips")
        made = population.write_postgres(env["DATABASE_URL"], people, contact_maker(push))
        print(f"  {SUBSCRIPTIONS:,} subscriptions written in {made['seconds']:.0f} s", flush=True)
        log = directory / "processes.log"
        with log.open("ab") as sink:
            processes["serve"] = subprocess.Popen(
                [sys.executable, "-m", "vecinos", "serve", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(WEB)],
                env=env, cwd=common.ROOT, stdout=sink, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
            for n in range(DELIVERY_WORKERS):
                processes[f"worker {n + 1}"] = subprocess.Popen(
                    [sys.executable, "-m", "vecinos", "worker"],
                    env=env, cwd=common.ROOT, stdout=sink, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        common_deadline = time.monotonic() + 90
        import requests

        while True:
            try:
                if requests.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > common_deadline or processes["serve"].poll() is not None:
                raise RuntimeError(f"vecinos serve did not come up: {log.read_text()[-2000:]}")
            time.sleep(0.3)

        reporter = Reporter(url)
        reporter.start()
        time.sleep(LEAD_SECONDS)
        burst = threading.Thread(target=reporter.burst)
        burst.start()
        started = time.monotonic()
        alert, rows_seconds = publish(radius)
        wanted = expected_contacts(alert)
        total = sum(wanted.values())
        print(f"  {total:,} delivery rows committed in {rows_seconds:.2f} s", flush=True)

        def arrived() -> int:
            return len(twilio.messages) + len(smtp.received) + len(push.received)

        last = -1
        while arrived() < total and time.monotonic() - started < DEADLINE:
            time.sleep(1)
            now = arrived()
            if now != last and int(time.monotonic() - started) % 15 == 0:
                print(f"  {now:,} of {total:,} messages arrived", flush=True)
            last = now
        delivered_seconds = time.monotonic() - started
        burst.join()
        # Anything late or repeated arrives in the next seconds.
        time.sleep(5)
        reporter.finish()
        for name, process in processes.items():
            pids = descendants(process.pid)
            for pid in pids:
                label = name if pid == process.pid else f"{name} (child {pid})"
                peaks[label] = round(peak_mb(pid), 1)
        peaks["this process (generator, loopback servers, load)"] = round(peak_mb(os.getpid()), 1)
        rows = outbox(alert)
    finally:
        for process in processes.values():
            stop(process)
        twilio.stop()
        smtp.stop()
        push.stop()

    received: Counter[str] = Counter(message.to for message in twilio.messages)
    received.update(address for mail in smtp.received for address in mail.recipients)
    received.update(p.browser_id for p in push.received)
    lost = sum(1 for who in wanted if received[who] == 0)
    repeated = sum(max(0, received[who] - 1) for who in wanted)
    strangers = sum(1 for who in received if who not in wanted)
    by_sender: dict[str, list[float]] = {}
    for message in twilio.messages:
        by_sender.setdefault(message.sender, []).append(message.at)
    latencies = sorted(reporter.latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan")
    figures.update(
        {
            "subscriptions": SUBSCRIPTIONS,
            "zip_codes": len(zips),
            "subscription_cells": int(made["cells"]),
            "generated_seconds": round(made["seconds"], 1),
            "alert_radius_km": radius,
            "alert_cells": len(alert.cells),
            "recipients": total,
            "recipients_by_channel": dict(
                Counter(
                    "sms" if who.startswith("+") else "email" if "@" in who else "webpush"
                    for who in wanted
                )
            ),
            "seconds_until_every_delivery_row": round(rows_seconds, 2),
            "seconds_until_last_message_arrived": round(delivered_seconds, 1),
            "messages_per_second": round(total / delivered_seconds, 1),
            "all_arrived": arrived_total(twilio, smtp, push) >= total,
            "lost": lost,
            "repeated": repeated,
            "unexpected_recipients": strangers,
            "outbox": dict(rows),
            "sms_senders": len(senders),
            "sms_rate_per_sender": SMS_RATE,
            "busiest_second_per_sender": {
                sender: busiest_second(times) for sender, times in sorted(by_sender.items())
            },
            "web_processes": WEB,
            "delivery_workers": DELIVERY_WORKERS,
            "worker_threads": WORKER_THREADS,
            "reports": {
                "statuses": {str(k): v for k, v in sorted(reporter.statuses.items())},
                "steady_rate": STEADY_RATE,
                "burst_rate_asked": BURST_RATE,
                "burst_rate_sent": round(reporter.burst_sent / max(reporter.burst_seconds, 1), 1),
                "burst_seconds": BURST_SECONDS,
                "p99_ms": round(p99, 1),
            },
            "peak_rss_mb": peaks,
            "load_average_at_end": round(os.getloadavg()[0], 1),
        }
    )
    return figures


def arrived_total(twilio: Any, smtp: Any, push: Any) -> int:
    return len(twilio.messages) + len(smtp.received) + len(push.received)


def write(figures: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "county.json"
    path.write_text(
        json.dumps({"machine": common.machine(), "name": "county", **figures}, indent=2) + "\n"
    )
    return path


def main() -> int:
    print(
        f"== county simulation: {SUBSCRIPTIONS:,} subscriptions, an alert to ~{RECIPIENTS:,}",
        flush=True,
    )
    try:
        figures = run()
    finally:
        common.drop_postgres_databases()
    path = write(figures)
    print(json.dumps(figures, indent=2))
    print(f"written to {path.relative_to(common.ROOT)}")
    ok = figures["lost"] == 0 and figures["repeated"] == 0 and figures["unexpected_recipients"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
