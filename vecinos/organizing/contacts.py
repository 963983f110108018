"""Where a committee member is reached: the one place that decides it.

Today a person with an account is reached through the contacts they set on their
responder contact page (``delivery.ResponderContact``: SMS first, then email, then web
push) or, failing those, the email address of their account. Nothing here stores a
contact: reminders look it up when they are sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection

from vecinos.accounts.models import User
from vecinos.alerts import subscriptions
from vecinos.delivery.models import ResponderContact

ORDER = ("sms", "email", "webpush")
Address = str | dict[str, object]


def channels_of(user_ids: Iterable[int]) -> dict[int, str]:
    """The channel each person is reached on (those with none are left out). Two
    queries, no decryption: what a fan-out of thousands needs."""
    ids = list(user_ids)
    best: dict[int, str] = {}
    for user_id, channel in ResponderContact.objects.filter(user_id__in=ids).values_list(
        "user_id", "channel"
    ):
        if user_id not in best or ORDER.index(channel) < ORDER.index(best[user_id]):
            best[user_id] = channel
    missing = [pk for pk in ids if pk not in best]
    if missing:
        for user_id in (
            User.objects.filter(pk__in=missing).exclude(email="").values_list("pk", flat=True)
        ):
            best[user_id] = "email"
    return best


def channel_sql(user: str) -> str:
    """The same choice as ``channels_of`` as an SQL expression over the user table's
    alias ``user`` (NULL for someone with no contact): for inserting outbox rows inside
    the database. Each lookup is on the (user, channel) unique index."""
    quote = connection.ops.quote_name
    table = quote(ResponderContact._meta.db_table)
    # Only quoted names and the fixed channel names of ORDER go into the text.
    lookups = [
        f"(SELECT '{channel}' FROM {table} c WHERE c.{quote('user_id')} = {user}.{quote('id')} "  # noqa: S608
        f"AND c.{quote('channel')} = '{channel}')"
        for channel in ORDER
    ]
    email = f"CASE WHEN {user}.{quote('email')} <> '' THEN 'email' END"
    return f"COALESCE({', '.join(lookups)}, {email})"


def addresses_of(user_ids: Iterable[int]) -> dict[tuple[int, str], Address]:
    """(person, channel) -> contact, decrypted, for the people of one batch."""
    ids = list(user_ids)
    found: dict[tuple[int, str], Address] = {}
    for contact in ResponderContact.objects.filter(user_id__in=ids):
        value: Address = str(contact.contact)
        if contact.channel == "webpush":
            value = json.loads(contact.contact)
        found[(contact.user_id, contact.channel)] = value
    for pk, email in User.objects.filter(pk__in=ids).exclude(email="").values_list("pk", "email"):
        found.setdefault((pk, "email"), email)
    return found


def sms_hashes(user_ids: Iterable[int]) -> dict[int, str]:
    """The keyed hash of each person's SMS number (as subscriptions hash numbers), so
    an SMS answer can be matched to them without keeping the number anywhere else."""
    return {
        contact.user_id: subscriptions.contact_hash("sms", str(contact.contact))
        for contact in ResponderContact.objects.filter(user_id__in=list(user_ids), channel="sms")
    }


def phone_of(user_id: int) -> str | None:
    found = ResponderContact.objects.filter(user_id=user_id, channel="sms").first()
    return str(found.contact) if found else None
