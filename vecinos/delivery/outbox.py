"""The outbox workers: claim due deliveries, send them, record what happened.

The ``Delivery`` table is the source of truth; a worker task only says "look now".
Every step is conditional, so any number of workers on any number of machines can
drain the same table, a task may run twice, and a worker may die anywhere:

1. **Claim** (:func:`claim`): mark up to ``limit`` due rows of one channel as
   ``sending`` under a fresh ``claim_token``. Due: ``queued`` with
   ``next_attempt_at <= now``, or ``sending`` with a claim older than
   ``DELIVERY_CLAIM_TIMEOUT`` (its worker died). In one transaction: select the first
   ``limit`` due ids (index ``delivery_due``), then ``UPDATE … WHERE id IN (…) AND
   <still due>`` — conditional, so a row taken in between is not taken twice. SQLite:
   the transaction is IMMEDIATE, writers are serialised. PostgreSQL: the SELECT is
   ``FOR UPDATE SKIP LOCKED``, so concurrent workers take disjoint rows without
   waiting on each other.
2. **Send** (:func:`process`): skip rows whose subscription stopped or whose alert was
   retracted; fail rows whose alert expired; render each message in the subscriber's
   language — once per (alert, language, channel) for the whole batch
   (:class:`Renderer`), an email then personalised with the subscriber's own signed
   unsubscribe link; send through the channel's transport (console for test alerts)
   with ``d<delivery id>`` as idempotency key, one connection per batch or kept open
   between batches. A row that already has a ``provider_id`` was sent: it is recorded,
   never sent again.
3. **Record** (:func:`record`): each message's outcome right after it is sent, in
   its own transaction (the rows that were never sent — skipped, expired, already
   sent — together), updating the row ``WHERE claim_token = <ours> AND status =
   'sending'`` (a claim taken over by another worker is left alone); every
   ``FLUSH_EVERY`` messages the claim time of the rows still waiting is refreshed. So
   a worker killed at any moment leaves at most the one message each of its threads
   had in flight sent but unrecorded: that message is sent again once its claim times
   out, and no other (docs/architecture.md, "The outbox for alerts").
   Sent → ``sent``/``delivered`` with ``provider_id`` and ``sent_at``, one UPDATE for the
   whole group (:func:`_mark_sent`). Transient failure → ``queued`` again at ``now +
   backoff(attempts)`` (30 s doubling, at most an hour, with jitter), or ``failed``
   ("expired") when that is past the alert's expiry. Permanent failure → ``failed``
   and, when the contact is at fault, the subscription is disabled.

Other kinds of message (a committee's announcement) are rows of the same table with
``kind`` set and ``alert``/``subscription`` empty. The app that owns the kind
registers a ``Preparer`` (:func:`register_kind`) that, for a batch of its rows, answers
each row's message (its recipient's contact and language) or why it must not be sent
(the recipient left: skipped). Claiming, retries and recording are the same for every
kind; a permanent failure of such a row disables nothing.

Complexity per batch of n rows: one claim UPDATE (index ``delivery_due``), one SELECT
of the rows with their subscriptions and one of their (few) alerts, one rendering per
(alert, language, channel), n sends, ⌈n / FLUSH_EVERY⌉ recording transactions of one
UPDATE for the sent rows (plus one per rare failure). benchmarks/delivery.py measures
the worker CPU per message.
"""

from __future__ import annotations

import json
import logging
import math
import random
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from vecinos.alerts import links, messages
from vecinos.alerts.messages import Message
from vecinos.alerts.models import (
    Alert,
    AlertStatus,
    Delivery,
    DeliveryStatus,
    Subscription,
    SubscriptionStatus,
)
from vecinos.core import hooks
from vecinos.delivery import ratelimit
from vecinos.delivery.transports import (
    OutgoingMessage,
    Receipt,
    Transport,
    TransportError,
    transport_for,
)

logger = logging.getLogger(__name__)

CHANNELS = ("sms", "email", "webpush")
# Messages are rendered, and the claims of the rows still waiting refreshed, this many
# at a time; each outcome is recorded as soon as its message is sent.
FLUSH_EVERY = 50
# A drain task sends for at most this long, then hands its channel to a fresh task at
# the back of the queue: transactional messages (a higher priority) and the other
# channels' drains get a worker thread in between, whatever one channel's backlog.
DRAIN_SLICE_SECONDS = 5.0
# Channels paced by a rate (the SMS senders') are drained by at most this many threads of a
# worker at a time: the others stay free for the channels that are not waiting.
PACED_DRAINS = 1
BACKOFF_FIRST = 30  # seconds
BACKOFF_MAX = 3600
# When an alert has no expiry: how long transient failures are retried.
RETRY_WINDOW = timedelta(hours=24)
# An SMS claim holds no more than this many seconds of its senders' budget, so a claim
# never outlives DELIVERY_CLAIM_TIMEOUT waiting for its turn.
SMS_CLAIM_SECONDS = 30


@dataclass
class Outcome:
    delivery: Delivery
    receipt: Receipt | None = None
    error: TransportError | None = None
    # Decided before sending: "skipped" or "failed" with a reason.
    status: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Prepared:
    """What a kind's preparer answers for one row: a message, or a status
    (``skipped``/``failed``) and a short reason when it must not be sent."""

    message: OutgoingMessage | None = None
    status: str = ""
    reason: str = ""


# kind -> function(rows of that kind) -> {row id: Prepared}; see register_kind.
Preparer = Callable[[Sequence[Delivery]], dict[int, Prepared]]
_kinds: dict[str, Preparer] = {}


def register_kind(kind: str, preparer: Preparer) -> None:
    """Let the outbox deliver rows of ``kind`` (call from the owning app's ``ready()``).
    ``preparer`` gets a batch's rows of that kind together, so it reads what they
    need in a few queries, and must answer every row (a missing one is retried)."""
    if kind == "alert":
        raise ValueError("alert rows are the outbox's own")
    _kinds[kind] = preparer


@dataclass
class DrainResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed + self.skipped


# 1. Claim ---------------------------------------------------------------------------------


def claim_limit(channel: str) -> int:
    limit = int(settings.DELIVERY_BATCH_SIZE)
    if (
        channel == "sms"
        and settings.SMS_PROVIDER == "twilio"
        and not settings.DELIVERY_CONSOLE_ONLY
    ):
        budget = ratelimit.total_rate() * SMS_CLAIM_SECONDS
        limit = max(1, min(limit, math.floor(budget)))
    return limit


def _due(now: datetime) -> Q:
    stale = now - timedelta(seconds=int(settings.DELIVERY_CLAIM_TIMEOUT))
    return Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=stale
    )


def claim(
    *, channel: str, limit: int | None = None, now: datetime | None = None
) -> tuple[str, list[int]]:
    """Take up to ``limit`` due rows of ``channel``: (claim token, their ids)."""
    now = now or timezone.now()
    limit = limit or claim_limit(channel)
    token = secrets.token_hex(16)
    due = Delivery.objects.filter(_due(now), channel=channel).order_by("next_attempt_at", "id")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Rows another worker has locked are skipped, not waited for.
            due = due.select_for_update(skip_locked=True)
        # On SQLite the transaction is IMMEDIATE: it holds the write lock from its
        # first statement, so no other worker claims between this SELECT and the UPDATE.
        candidates = list(due.values_list("id", flat=True)[:limit])
        # The due condition again: the row must still be due when this UPDATE runs.
        # attempts counts claims: a worker that dies mid-send still used an attempt.
        Delivery.objects.filter(_due(now), id__in=candidates).update(
            status=DeliveryStatus.SENDING,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
        ids = list(
            Delivery.objects.filter(id__in=candidates, claim_token=token).values_list(
                "id", flat=True
            )
        )
    return token, ids


# 2. Send ----------------------------------------------------------------------------------


def _address(subscription: Subscription) -> str | dict[str, object]:
    contact = subscription.contact
    if subscription.channel == "webpush":
        value = json.loads(contact)
        if isinstance(value, dict):
            return value
    return str(contact)


def _ttl(alert: Alert, now: datetime) -> int:
    if alert.expires_at is None:
        return int(RETRY_WINDOW.total_seconds())
    return max(60, int((alert.expires_at - now).total_seconds()))


class Renderer:
    """Renders each (alert, language, channel) once, however many subscribers share it.

    An email is rendered with ``UNSUBSCRIBE_PLACEHOLDER`` and personalised per
    subscriber with their signed link; SMS and push texts are the same for everyone
    who reads the language. One renderer lives for one batch, so an alert edited
    meanwhile (a retraction) is rendered afresh by the next batch."""

    def __init__(self) -> None:
        self._rendered: dict[tuple[object, str, str], Message] = {}
        self._unsubscribe_url: Callable[[Subscription], str] | None = None

    def message(self, alert: Alert, subscription: Subscription, channel: str) -> Message:
        key = (alert.pk, subscription.language, channel)
        rendered = self._rendered.get(key)
        if rendered is None:
            rendered = self._rendered[key] = messages.render_message(
                alert,
                language=subscription.language,
                channel=channel,
                unsubscribe_url=messages.UNSUBSCRIBE_PLACEHOLDER if channel == "email" else "",
            )
        if channel == "email":
            if self._unsubscribe_url is None:
                self._unsubscribe_url = links.unsubscribe_urls()
            return rendered.with_unsubscribe(self._unsubscribe_url(subscription))
        return rendered


def build_message(
    delivery: Delivery, now: datetime, renderer: Renderer | None = None
) -> OutgoingMessage:
    """Render the alert for this subscriber: their language, their channel."""
    alert, subscription = _alert_row(delivery)
    rendered = (renderer or Renderer()).message(alert, subscription, delivery.channel)
    unsubscribe = ""
    if delivery.channel == "email":
        unsubscribe = rendered.headers.get("List-Unsubscribe", "").strip("<>")
    return OutgoingMessage(
        key=f"d{delivery.pk}",
        channel=delivery.channel,
        address=_address(subscription),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        url=rendered.url,
        unsubscribe_url=unsubscribe,
        ttl=_ttl(alert, now),
    )


def _alert_row(delivery: Delivery) -> tuple[Alert, Subscription]:
    """The alert and subscription of an alert row (other kinds have neither)."""
    if delivery.alert is None or delivery.subscription is None:
        raise ValueError(f"delivery {delivery.pk} is not an alert delivery")
    return delivery.alert, delivery.subscription


def _verdict(delivery: Delivery, now: datetime) -> tuple[str, str]:
    """(status, reason) when the row must not be sent at all, else ("", "")."""
    if delivery.subscription_id is not None and delivery.subscription is None:
        # Deleted while its alert fanned out: the key is no database constraint
        # (vecinos/alerts/models.py), so the row outlives it.
        return DeliveryStatus.SKIPPED, "stopped"
    alert, subscription = _alert_row(delivery)
    if subscription.status != SubscriptionStatus.ACTIVE:
        return DeliveryStatus.SKIPPED, "stopped"
    if alert.status in (AlertStatus.CANCELLED,) or (
        alert.status == AlertStatus.RETRACTED and alert.original_id is None
    ):
        return DeliveryStatus.SKIPPED, "retracted"
    if alert.expires_at is not None and now >= alert.expires_at:
        return DeliveryStatus.FAILED, "expired"
    return "", ""


# What sending and recording read of a claimed row and its subscription: converting
# the other columns (nine timestamps) cost more than the rest of the query.
ROW_FIELDS = (
    "alert_id",
    "kind",
    "item_id",
    "recipient_id",
    "channel",
    "attempts",
    "provider_id",
    "created_at",
    "subscription__channel",
    "subscription__contact",
    "subscription__language",
    "subscription__status",
)


def claimed_rows(token: str, ids: Sequence[int]) -> list[Delivery]:
    """The claimed rows with their subscriptions (contacts decrypted), in id order.
    Their alerts are read once each and shared, not joined into every row: a batch
    belongs to a handful of alerts, and an alert row carries its whole cell list."""
    rows = list(
        Delivery.objects.filter(claim_token=token, id__in=ids)
        .select_related("subscription")
        .only(*ROW_FIELDS)
        .order_by("id")
    )
    alerts = Alert.objects.select_related("original").in_bulk(
        {row.alert_id for row in rows if row.alert_id is not None}
    )
    for row in rows:
        if row.alert_id is not None:
            row.alert = alerts[row.alert_id]
    return rows


def process(
    token: str,
    ids: Sequence[int],
    *,
    transports: Callable[[str, bool], Transport] | None = None,
) -> DrainResult:
    """Send the claimed rows and record their outcomes."""
    pick = transports or (lambda channel, test: transport_for(channel, test=test))
    rows = claimed_rows(token, ids)
    result = DrainResult()
    renderer = Renderer()
    open_transports: dict[tuple[str, bool], Transport] = {}

    def record_now(outcomes: Sequence[Outcome]) -> None:
        record(token, outcomes, result=result)

    try:
        for start in range(0, len(rows), FLUSH_EVERY):
            group = rows[start : start + FLUSH_EVERY]
            _send_group(group, pick, open_transports, renderer, record_now)
            waiting = [row.pk for row in rows[start + FLUSH_EVERY :]]
            if waiting:
                Delivery.objects.filter(
                    claim_token=token, id__in=waiting, status=DeliveryStatus.SENDING
                ).update(claimed_at=timezone.now())
    finally:
        for transport in open_transports.values():
            transport.close()
    return result


def _send_group(
    rows: Sequence[Delivery],
    pick: Callable[[str, bool], Transport],
    open_transports: dict[tuple[str, bool], Transport],
    renderer: Renderer,
    record_now: Callable[[Sequence[Outcome]], None],
) -> list[Outcome]:
    """Send ``rows``, handing each outcome to ``record_now`` as soon as it is known:
    the rows that are not sent first, together, then each sent message on its own."""
    now = timezone.now()
    outcomes: list[Outcome] = []
    to_send: dict[tuple[str, bool], list[tuple[Outcome, OutgoingMessage]]] = {}
    prepared = _prepare_other_kinds([row for row in rows if not row.provider_id])
    for row in rows:
        outcome = Outcome(delivery=row)
        outcomes.append(outcome)
        if row.provider_id:
            # Sent before, its record interrupted: never twice.
            outcome.receipt = Receipt(provider_id=row.provider_id)
            continue
        if row.alert_id is None:
            ready = prepared.get(row.pk)
            if ready is None:
                outcome.error = TransportError("not prepared", permanent=False, code="render_error")
            elif ready.message is None:
                outcome.status, outcome.reason = ready.status, ready.reason
            else:
                to_send.setdefault((row.channel, False), []).append((outcome, ready.message))
            continue
        status, reason = _verdict(row, now)
        if status:
            outcome.status, outcome.reason = status, reason
            continue
        try:
            message = build_message(row, now, renderer)
        except Exception:
            logger.exception("delivery %s: the message could not be rendered", row.pk)
            outcome.error = TransportError("render failed", permanent=False, code="render_error")
            continue
        to_send.setdefault((row.channel, _alert_row(row)[0].is_test), []).append((outcome, message))
    sending = {id(outcome) for pairs in to_send.values() for outcome, _message in pairs}
    unsent = [outcome for outcome in outcomes if id(outcome) not in sending]
    if unsent:
        record_now(unsent)
    for (channel, test), pairs in to_send.items():
        transport = open_transports.get((channel, test))
        if transport is None:
            transport = open_transports[(channel, test)] = pick(channel, test)
        for outcome, message in pairs:
            # One message, then its record: a kill between the two repeats only it.
            (sent,) = transport.send_batch([message])
            if isinstance(sent, TransportError):
                outcome.error = sent
            else:
                outcome.receipt = sent
            record_now([outcome])
    return outcomes


def _prepare_other_kinds(rows: Sequence[Delivery]) -> dict[int, Prepared]:
    """The messages of rows that are not alerts, from their kinds' preparers."""
    by_kind: dict[str, list[Delivery]] = {}
    for row in rows:
        if row.alert_id is None:
            by_kind.setdefault(row.kind, []).append(row)
    prepared: dict[int, Prepared] = {}
    for kind, group in by_kind.items():
        preparer = _kinds.get(kind)
        if preparer is None:
            for row in group:
                prepared[row.pk] = Prepared(status=DeliveryStatus.FAILED, reason="unknown kind")
            continue
        try:
            prepared.update(preparer(group))
        except Exception:
            # Left unanswered: retried with backoff like a failed rendering.
            logger.exception("deliveries of kind %s could not be prepared", kind)
    return prepared


# 3. Record --------------------------------------------------------------------------------


def backoff(attempts: int) -> float:
    """Seconds before attempt ``attempts + 1``: 30, 60, 120 … at most an hour, ±10 %."""
    base = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, attempts - 1))
    return base * random.uniform(0.9, 1.1)  # noqa: S311 - jitter, not a secret


def record(
    token: str,
    outcomes: Sequence[Outcome],
    *,
    result: DrainResult,
    still_claimed: Sequence[int] = (),
) -> None:
    """Write the outcomes of one group in one transaction (one disk flush): the sent
    rows in one UPDATE per status, the rare others one by one, and a fresh claim time
    for the rows of the batch still waiting their turn."""
    now = timezone.now()
    to_disable: list[tuple[Subscription, str]] = []
    with transaction.atomic():
        _record_sent(token, [o for o in outcomes if o.receipt is not None], now, result)
        for outcome in outcomes:
            if outcome.receipt is not None:
                continue  # written above
            row = outcome.delivery
            mine = Delivery.objects.filter(
                pk=row.pk, claim_token=token, status=DeliveryStatus.SENDING
            )
            if outcome.status:
                mine.update(status=outcome.status, error=outcome.reason, claim_token="")
                if outcome.status == DeliveryStatus.SKIPPED:
                    result.skipped += 1
                else:
                    result.failed += 1
            elif outcome.error is not None and outcome.error.permanent:
                if mine.update(
                    status=DeliveryStatus.FAILED, error=outcome.error.code, claim_token=""
                ):
                    result.failed += 1
                    if outcome.error.disable and row.subscription is not None:
                        to_disable.append((row.subscription, outcome.error.code))
            elif outcome.error is not None:
                retry_at = now + timedelta(seconds=backoff(row.attempts))
                expires = row.alert.expires_at if row.alert is not None else None
                deadline = expires or (row.created_at + RETRY_WINDOW)
                if retry_at >= deadline:
                    mine.update(
                        status=DeliveryStatus.FAILED,
                        error=f"expired after {outcome.error.code}"[:80],
                        claim_token="",
                    )
                    result.failed += 1
                else:
                    mine.update(
                        status=DeliveryStatus.QUEUED,
                        next_attempt_at=retry_at,
                        error=outcome.error.code,
                        claim_token="",
                    )
                    result.retried += 1
        if still_claimed:
            Delivery.objects.filter(
                claim_token=token, id__in=still_claimed, status=DeliveryStatus.SENDING
            ).update(claimed_at=now)
    for subscription, reason in to_disable:
        _disable(subscription, reason)


def _record_sent(token: str, sent: Sequence[Outcome], now: datetime, result: DrainResult) -> None:
    """One UPDATE per final status for the whole group (see :func:`_mark_sent`)."""
    for status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED):
        delivered = status == DeliveryStatus.DELIVERED
        provider_ids = {
            o.delivery.pk: o.receipt.provider_id or o.delivery.provider_id
            for o in sent
            if o.receipt is not None and (o.receipt.status == "delivered") == delivered
        }
        if provider_ids:
            result.sent += _mark_sent(token, status, provider_ids, now)


def _mark_sent(token: str, status: str, provider_ids: dict[int, str], now: datetime) -> int:
    """``UPDATE … SET status, provider_id = CASE id WHEN … END, sent_at … WHERE
    claim_token = <ours> AND status = 'sending' AND id IN (…)``: rows another worker
    took over, or a status callback moved on, are left alone. Written as SQL because
    the ORM spends longer building a CASE of fifty ``When`` than the database spends
    running it (about a millisecond a row, more than sending to a fast provider).
    Returns the rows changed."""
    ops = connection.ops
    quote = ops.quote_name
    table = quote(Delivery._meta.db_table)
    whens = " ".join(["WHEN %s THEN %s"] * len(provider_ids))
    marks = ", ".join(["%s"] * len(provider_ids))
    # Only quoted names and %s placeholders are interpolated.
    sql = (
        f"UPDATE {table} SET {quote('status')} = %s, "  # noqa: S608
        f"{quote('provider_id')} = CASE {quote('id')} {whens} ELSE {quote('provider_id')} END, "
        f"{quote('sent_at')} = COALESCE({quote('sent_at')}, %s), {quote('delivered_at')} = %s, "
        f"{quote('claim_token')} = '', {quote('error')} = '' "
        f"WHERE {quote('claim_token')} = %s AND {quote('status')} = %s "
        f"AND {quote('id')} IN ({marks})"
    )
    stamp = ops.adapt_datetimefield_value(now)
    params: list[Any] = [status]
    for pk, provider_id in provider_ids.items():
        params += [pk, provider_id[:64]]
    params += [stamp, stamp if status == DeliveryStatus.DELIVERED else None]
    params += [token, DeliveryStatus.SENDING, *provider_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _disable(subscription: Subscription, reason: str) -> None:
    hooks.delivery_failed_for_good.call(subscription=subscription, reason=reason)
    logger.info("subscription %s disabled: %s", subscription.pk, reason)


# The loop ---------------------------------------------------------------------------------


def run_once(*, channel: str, limit: int | None = None) -> DrainResult:
    """Claim one batch of ``channel`` and process it."""
    token, ids = claim(channel=channel, limit=limit)
    if not ids:
        return DrainResult()
    return process(token, ids)


def paced(channel: str) -> bool:
    """Whether sending on ``channel`` waits for a rate (SMS through Twilio)."""
    return (
        channel == "sms"
        and settings.SMS_PROVIDER == "twilio"
        and not settings.DELIVERY_CONSOLE_ONLY
    )


_paced_slots = threading.BoundedSemaphore(PACED_DRAINS)


def drain(
    *,
    channel: str,
    max_seconds: float | None = None,
    wake_at: Callable[[str, datetime], object] | None = None,
    hand_over: Callable[[str], object] | None = None,
) -> int:
    """Process batches until nothing of ``channel`` is due, or for ``max_seconds``.

    A worker task passes ``hand_over``: after ``DRAIN_SLICE_SECONDS`` it is called
    with the channel (a fresh task at the back of the queue takes over), so no
    channel's backlog keeps a worker thread from the others or from transactional
    messages. Without it the drain goes on for up to 240 s. A paced channel (SMS) is
    drained by at most ``PACED_DRAINS`` threads of this process at once; another
    drain of it ends at once (the thread draining it goes on until nothing is due).
    Returns the rows handled. If rows were left for a retry, ``wake_at(channel,
    when)`` is told the earliest retry time (the worker task schedules itself)."""
    slot = _paced_slots if paced(channel) else None
    if slot is not None and not slot.acquire(blocking=False):
        return 0
    if max_seconds is None:
        max_seconds = DRAIN_SLICE_SECONDS if hand_over is not None else 240.0
    started = time.monotonic()
    handled = 0
    retried = 0
    more = False
    try:
        while True:
            batch = run_once(channel=channel)
            if batch.total == 0:
                break
            handled += batch.total
            retried += batch.retried
            if time.monotonic() - started >= max_seconds:
                more = True
                break
    finally:
        if slot is not None:
            slot.release()
    if more and hand_over is not None:
        hand_over(channel)
    elif retried and wake_at is not None and (first := next_retry_at(channel)) is not None:
        wake_at(channel, first)
    return handled


def due_channels(now: datetime | None = None) -> list[str]:
    """The channels with a row due now (what the minute sweep rings for)."""
    now = now or timezone.now()
    return [ch for ch in CHANNELS if Delivery.objects.filter(_due(now), channel=ch).exists()]


def next_retry_at(channel: str) -> datetime | None:
    """When the earliest row of ``channel`` waiting for a retry is due."""
    return (
        Delivery.objects.filter(channel=channel, status=DeliveryStatus.QUEUED)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
