"""Kinds of outbox message other than alerts: a hearing reminder, a family update, an
announcement. Each is one more kind of ``Delivery`` row, claimed, sent, retried and
recorded by the same workers (vecinos/delivery/outbox.py); there is no second outbox.

An app registers its kind from ``AppConfig.ready()`` with a builder, and puts rows in
with :func:`enqueue`::

    kinds.register("case", build_case_message)
    kinds.enqueue(kind="case", ref="hearing:12:week", channel="sms")

The row holds only ``kind`` and ``ref`` (ids, never a contact or text). The builder is
called by the worker with the claimed row and returns the message (contact decrypted,
text rendered in the recipient's language) or ``None`` when there is nothing to send
any more (the case was closed, the contact erased): the row is then skipped. ``(kind,
ref)`` is unique, so enqueueing the same reminder twice sends it once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from vecinos.delivery.transports.base import OutgoingMessage

if TYPE_CHECKING:
    from vecinos.alerts.models import Delivery

Builder = Callable[["Delivery", datetime], OutgoingMessage | None]

_builders: dict[str, Builder] = {}


def register(kind: str, builder: Builder) -> None:
    if kind == "alert":
        raise ValueError("'alert' is the outbox's own kind")
    _builders[kind] = builder


def build(delivery: Delivery, now: datetime) -> OutgoingMessage | None:
    builder = _builders.get(delivery.kind)
    if builder is None:
        raise LookupError(f"no builder registered for delivery kind {delivery.kind!r}")
    return builder(delivery, now)


def enqueue(*, kind: str, ref: str, channel: str) -> bool:
    """Put one message in the outbox (once per ``(kind, ref)``) and ring the doorbell
    after commit. Returns whether a row was added."""
    from vecinos.alerts.models import Delivery
    from vecinos.delivery import tasks

    if kind not in _builders:
        raise LookupError(f"no builder registered for delivery kind {kind!r}")
    try:
        with transaction.atomic():
            Delivery.objects.create(kind=kind, ref=ref[:64], channel=channel)
    except IntegrityError:
        return False
    transaction.on_commit(partial(tasks.deliver, channel))
    return True
