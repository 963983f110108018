"""Fan-out: from a published alert to one outbox row per recipient.

The outbox (``Delivery``) is the source of truth of what must be sent; the queue only
wakes the workers that drain it (vecinos.delivery.outbox).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from vecinos.alerts.models import (
    Alert,
    AlertKind,
    Delivery,
    DeliveryStatus,
    Subscription,
    SubscriptionCell,
    SubscriptionStatus,
)
from vecinos.core import hooks

logger = logging.getLogger(__name__)

# Cells per IN (...) list: under SQLite's historical limit of 999 bound variables.
CELL_CHUNK = 500
# PostgreSQL takes an alert's cells in one statement: each statement reads the
# subscriptions once (a hash join), so two chunks were two passes.
POSTGRES_CELL_CHUNK = 20_000
LARGE_CACHE_KIB = 65536
# PostgreSQL's working memory for the fan-out's statements: the distinct recipients of
# a county-wide alert (hundreds of thousands of ids) hashed in memory, not in batches
# spilled to disk (4 MB, the server default, spilled 32 batches for 100,000).
POSTGRES_WORK_MEM = "64MB"


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_deliveries(select: str, params: list[Any]) -> int:
    """``INSERT INTO <delivery> (...) <select> ON CONFLICT (alert, subscription) DO
    NOTHING``; ``select`` yields (alert id, subscription id, channel) and may use
    ``{subscription}``, ``{cell}`` and ``{delivery}`` for the table names. Returns the
    rows inserted."""
    quote = connection.ops.quote_name
    meta = Delivery._meta
    column = {name: quote(meta.get_field(name).column) for name in DELIVERY_COLUMNS}  # type: ignore[union-attr, arg-type]
    now = meta.get_field("created_at").get_db_prep_value(timezone.now(), connection)
    tables = {
        "subscription": quote(Subscription._meta.db_table),
        "cell": quote(SubscriptionCell._meta.db_table),
        "delivery": quote(meta.db_table),
    }
    # Only quoted names from the models' metadata and %s placeholders go into the text.
    sql = (
        f"INSERT INTO {tables['delivery']} ({', '.join(column.values())}) "  # noqa: S608
        f"SELECT alert_id, subscription_id, channel, {QUEUED_VALUES} FROM ("
        # "WHERE 1 = 1": SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT, or
        # it reads ON as the start of a join constraint.
        f"{select.format(**tables)}) AS recipients WHERE 1 = 1 "
        f"ON CONFLICT ({column['alert']}, {column['subscription']}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [DeliveryStatus.QUEUED, now, now, *params])
        return max(0, cursor.rowcount)


# A newly queued outbox row, after whom and how it is for: its columns and their values
# in an INSERT … SELECT (queued, no attempt yet, due now, nothing claimed, sent or failed;
# the three placeholders take the status, now and now). The other columns are NULL until
# a worker claims the row. Reminders and announcements queue theirs the same way.
QUEUED_COLUMNS = (
    "status",
    "attempts",
    "next_attempt_at",
    "claim_token",
    "provider_id",
    "error",
    "created_at",
)
QUEUED_VALUES = "%s, 0, %s, '', '', '', %s"

# The columns fan-out writes.
DELIVERY_COLUMNS = ("alert", "subscription", "channel", *QUEUED_COLUMNS)


def _alert_param(alert: Alert) -> object:
    return Delivery._meta.get_field("alert").get_db_prep_value(alert.pk, connection)


@contextmanager
def _fan_out_memory() -> Iterator[None]:
    """On SQLite, a 64 MB page cache while the rows are written (the connection's
    default is 2 MB): the cell index ranges and the new delivery rows stay in memory
    instead of being read and spilled page by page (benchmarks/fanout.py).
    Restored afterwards. On PostgreSQL, ``POSTGRES_WORK_MEM`` until the publishing
    transaction ends (``SET LOCAL``; nothing outside a transaction)."""
    if connection.vendor == "postgresql":
        if connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{POSTGRES_WORK_MEM}'")
        yield
        return
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-LARGE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def insert_by_cell(alert: Alert, cells: Iterable[int]) -> int:
    """Rows for the active subscriptions holding any of ``cells``."""
    created = 0
    size = POSTGRES_CELL_CHUNK if connection.vendor == "postgresql" else CELL_CHUNK
    for chunk in _chunks(sorted({int(cell) for cell in cells}), size):
        marks = ", ".join(["%s"] * len(chunk))
        created += _insert_deliveries(
            # The IN (subquery) makes the distinct set of subscription ids first (a
            # subscription has several cells in an area), then one primary-key lookup
            # each for the status and channel.
            "SELECT %s AS alert_id, s.id AS subscription_id, s.channel AS channel "  # noqa: S608
            "FROM {subscription} s WHERE s.status = %s AND s.id IN "
            f"(SELECT c.subscription_id FROM {{cell}} c WHERE c.cell IN ({marks}))",
            [_alert_param(alert), SubscriptionStatus.ACTIVE, *chunk],
        )
    return created


def insert_for_original(alert: Alert) -> int:
    """Rows for the still-active recipients of ``alert.original`` (see fan_out, 1)."""
    original = Delivery._meta.get_field("alert").get_db_prep_value(alert.original_id, connection)
    return _insert_deliveries(
        "SELECT %s AS alert_id, d.subscription_id AS subscription_id, d.channel AS channel "
        "FROM {delivery} d JOIN {subscription} s ON s.id = d.subscription_id "
        "WHERE d.alert_id = %s AND d.status <> %s AND s.status = %s",
        [_alert_param(alert), original, DeliveryStatus.SKIPPED, SubscriptionStatus.ACTIVE],
    )


def fan_out(*, alert: Alert) -> int:
    """Write the alert's outbox rows and wake the workers after commit. Returns the
    number of rows created (0 when it runs again for the same alert).

    Called inside the publishing transaction (vecinos.alerts.actions); safe to repeat.

    1. Recipients, computed inside the database:
       - An alert: for each chunk of ``CELL_CHUNK`` alert cells, the subscription ids
         found in ``SubscriptionCell`` (unique index on (cell, subscription): one index
         range per cell, covering, no table read), made distinct, then each looked up
         by primary key for its status (active only) and channel.
       - A retraction or all-clear (``alert.original`` set): exactly the subscriptions
         with a delivery row of the original, whatever its status, except
         a) rows skipped before they were sent (nothing reached that person), and
         b) subscriptions no longer active: a person who sent STOP (or whose contact
            failed permanently) gets nothing more, not even the correction.
       - A retraction first cancels the original's rows no worker has taken yet
         (queued → skipped, error "retracted"): nobody is warned of something false
         after it was withdrawn, and those people are then not among the recipients.
         Rows already taken (sending) count as reached, and get the retraction.
    2. Rows: each recipient query feeds ``INSERT … SELECT … ON CONFLICT (alert,
       subscription) DO NOTHING`` — the bulk insert with ignored conflicts, done where
       the ids already are instead of moving 100,000 ids into Python objects and back
       (faster than ``bulk_create``: benchmarks/results/fanout.json). The unique
       constraint makes a second run, or a subscription met in two chunks, insert
       nothing, so a retried publish never makes a second message.
    3. After commit: the outbox's workers are rung (``hooks.deliveries_waiting``:
       ``vecinos.delivery.tasks.wake_workers``, a task per channel per
       ``DELIVERY_BATCH_SIZE`` rows, a few at most). A rolled-back publish wakes nobody.

    Complexity: O(C/500) statements for C alert cells (one on PostgreSQL), each
    O(c·log S + r·log N) for the r matching cell rows among S subscription cells and N
    subscriptions — no scan of all subscriptions (PostgreSQL may choose one pass over
    them, hashed, when r is large); the insert is O(R·log D) for R recipients, D
    delivery rows.
    Python memory is O(C), independent of the number of recipients.
    """
    if alert.original_id is not None:
        if alert.kind == AlertKind.RETRACTION:
            cancelled = Delivery.objects.filter(
                alert_id=alert.original_id, status=DeliveryStatus.QUEUED
            ).update(status=DeliveryStatus.SKIPPED, error="retracted", claim_token="")
            if cancelled:
                logger.info(
                    "alert %s: %d unsent deliveries cancelled", alert.original_id, cancelled
                )
        created = insert_for_original(alert)
    else:
        with _fan_out_memory():
            created = insert_by_cell(alert, alert.cells or [])

    alert_id = alert.pk
    transaction.on_commit(lambda: hooks.deliveries_waiting.call(alert_id=alert_id, rows=created))
    logger.info("alert %s: %d delivery rows created", alert.pk, created)
    return created
