"""Event reminders: a committee of 5,000 members, a reminder queued for all of them,
beside the alert fan-out of the same size in the same run.

Setup: a throwaway database (``vecinos migrate``; SQLite, or PostgreSQL on the
``postgres`` backend); one committee of
``BENCH_MEMBERS`` (default 5,000) members, each with a responder contact (three in five
SMS, the rest email), and every other one with the contact they gave the committee
when they joined (an email, which reminders prefer: vecinos/organizing/contacts.py),
invited to an event; as many alert subscriptions in one cell of
downtown Los Angeles, for an alert over that cell.

Figures, each the best of ``BENCH_REMINDERS_REPEAT`` (3) runs taken in turn (a
reminder, then an alert; a new event and a new alert each time):
- ``queue_event_reminder``: from the start of its transaction until every outbox row
  of the reminder is committed (claim the reminder, read the invited members and
  their channels, one bulk insert);
- ``fan_out`` of an alert reaching as many subscriptions: the baseline.
Goal: every reminder row queued in under 2 s.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

from benchmarks import common

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "5000"))
REPEAT = int(os.environ.get("BENCH_REMINDERS_REPEAT", "3"))
CENTRE = (34.05, -118.25)  # downtown Los Angeles


def _django(directory: Path) -> None:
    os.environ.update(common.vecinos_env(directory))
    os.environ["DJANGO_SETTINGS_MODULE"] = "vecinos.settings"
    import django

    django.setup()


def _populate() -> tuple[object, object]:
    """The committee, its coordinator, members and contacts, and the subscriptions."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from vecinos.accounts.models import Role, User
    from vecinos.alerts import subscriptions
    from vecinos.alerts.models import Subscription, SubscriptionCell
    from vecinos.committees.actions import normalize_contact
    from vecinos.committees.models import Committee, Membership, MembershipRole
    from vecinos.core import geo
    from vecinos.delivery.models import ResponderContact

    cell = geo.cell_for(*CENTRE)
    unusable = make_password(None)  # nobody signs in as these
    with transaction.atomic():
        committee = Committee.objects.create(
            name="Bench", slug="bench", kind="neighborhood", area_cells=[cell]
        )
        coordinator = User.objects.create(
            username="coordinator", role=Role.COORDINATOR, password=unusable
        )
        Membership.objects.create(
            committee=committee, user=coordinator, role=MembershipRole.COORDINATOR
        )
        people = User.objects.bulk_create(
            [User(username=f"m{i}", password=unusable, language="es") for i in range(MEMBERS)],
            batch_size=1000,
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    committee=committee,
                    user=person,
                    channel="email",
                    contact=f"j{i}@example.org",
                    contact_hash=normalize_contact("email", f"j{i}@example.org")[2],
                )
                if i % 2 == 0
                else Membership(committee=committee, user=person)
                for i, person in enumerate(people)
            ],
            batch_size=1000,
        )
        ResponderContact.objects.bulk_create(
            [
                ResponderContact(user=person, channel="sms", contact=f"+1213{5550000 + i:07d}")
                if i % 5 < 3
                else ResponderContact(user=person, channel="email", contact=f"m{i}@example.org")
                for i, person in enumerate(people)
            ],
            batch_size=1000,
        )
        made = Subscription.objects.bulk_create(
            [
                Subscription(
                    channel="sms",
                    contact=f"+1323{5550000 + i:07d}",
                    contact_hash=subscriptions.contact_hash("sms", f"+1323{5550000 + i:07d}"),
                    language="es",
                    status="active",
                )
                for i in range(MEMBERS)
            ],
            batch_size=1000,
        )
        SubscriptionCell.objects.bulk_create(
            [SubscriptionCell(subscription=s, cell=cell) for s in made], batch_size=1000
        )
    return committee, coordinator


def _reminder(committee: object, coordinator: object, run: int) -> object:
    from django.utils import timezone

    from vecinos.organizing import actions
    from vecinos.organizing.models import EventReminder

    start = timezone.now() + timedelta(days=2, hours=run)
    event = actions.create_event(
        committee=committee,  # type: ignore[arg-type]
        kind="meeting",
        title=f"Junta {run}",
        place="Salón",
        language="es",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        actor=coordinator,  # type: ignore[arg-type]
    )
    return EventReminder.objects.get(event=event, kind="day_before")


def _alert() -> object:
    from django.utils import timezone

    from vecinos.alerts.models import Alert, AlertStatus
    from vecinos.core import geo
    from vecinos.reports.models import Incident, IncidentStatus

    now = timezone.now()
    cell = geo.cell_for(*CENTRE)
    incident = Incident.objects.create(
        kind="raid",
        status=IncidentStatus.CONFIRMED,
        lat=CENTRE[0],
        lng=CENTRE[1],
        cell=cell,
        first_seen_at=now,
        last_seen_at=now,
        report_count=1,
        source_count=1,
        confidence=90,
    )
    return Alert.objects.create(
        incident=incident,
        status=AlertStatus.PUBLISHED,
        incident_kind="raid",
        lat=CENTRE[0],
        lng=CENTRE[1],
        radius_km=0.3,
        cells=[cell],
        published_at=now,
        expires_at=now + timedelta(hours=6),
    )


def run() -> common.Result:
    directory = common.data_dir("reminders")
    common.vecinos(["migrate", "--no-input", "-v", "0"], common.vecinos_env(directory))
    _django(directory)
    from django.db import transaction
    from django.db.models import Count

    from vecinos.alerts.fanout import fan_out
    from vecinos.alerts.models import Delivery
    from vecinos.organizing.reminders import queue_event_reminder

    result = common.Result(
        name="reminders",
        description=(
            f"queueing an event reminder for {MEMBERS:,} committee members beside the "
            f"fan-out of an alert to {MEMBERS:,} subscriptions, on "
            f"{common.BACKEND_NAMES[common.backend()]}"
        ),
    )
    started = time.perf_counter()
    committee, coordinator = _populate()
    setup_seconds = time.perf_counter() - started
    reminder_runs: list[float] = []
    alert_runs: list[float] = []
    rows: list[int] = []
    alert_rows: list[int] = []
    channels: list[dict[str, int]] = []
    for run_number in range(REPEAT):
        reminder = _reminder(committee, coordinator, run_number)
        began = time.perf_counter()
        queue_event_reminder(reminder)  # type: ignore[arg-type]
        reminder_runs.append(time.perf_counter() - began)
        rows.append(Delivery.objects.filter(kind="event_reminder", item_id=reminder.pk).count())  # type: ignore[attr-defined]
        channels.append(
            dict(
                Delivery.objects.filter(kind="event_reminder", item_id=reminder.pk)  # type: ignore[attr-defined]
                .values_list("channel")
                .annotate(n=Count("id"))
                .values_list("channel", "n")
            )
        )

        alert = _alert()
        began = time.perf_counter()
        with transaction.atomic():
            fan_out(alert=alert)  # type: ignore[arg-type]
        alert_runs.append(time.perf_counter() - began)
        alert_rows.append(Delivery.objects.filter(alert=alert).count())  # type: ignore[misc]
    best, baseline = min(reminder_runs), min(alert_runs)
    result.notes.append(
        f"setup: {MEMBERS:,} members with contacts and {MEMBERS:,} subscriptions in "
        f"{setup_seconds:.1f} s; reminder rows per run {rows}, alert rows per run "
        f"{alert_rows}; runs (s): reminders {[round(s, 3) for s in reminder_runs]}, alerts "
        f"{[round(s, 3) for s in alert_runs]}, best of each taken; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end"
    )
    # Even members are reached on the email they gave the committee; odd ones on their
    # responder contact: SMS for i % 5 < 3.
    sms = sum(1 for i in range(MEMBERS) if i % 2 == 1 and i % 5 < 3)
    expected = {"sms": sms, "email": MEMBERS - sms}
    result.notes.append(f"reminder rows per channel {channels}, expected {expected}")
    all_queued = all(count == MEMBERS for count in rows) and all(
        found == expected for found in channels
    )
    result.add(
        common.Figure(
            f"queue_event_reminder until {MEMBERS:,} outbox rows are committed",
            best,
            "s",
            f"alert fan_out to {MEMBERS:,} subscriptions, s",
            baseline,
            "< 2 s, every member queued",
            best < 2.0 and all_queued,
        )
    )
    return result
