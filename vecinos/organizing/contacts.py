"""Where a committee member is reached: the one place that decides it.

For something of one committee (an event, a shift), a member is reached first on the
contact and channel they gave that committee when they joined (``Membership.contact``,
``Membership.channel``); without one, through the contacts they set on their responder
contact page (``delivery.ResponderContact``: SMS first, then email, then web push) or,
failing those, the email address of their account. Nothing here stores a contact:
reminders look it up when they are sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection

from vecinos.accounts.models import User
from vecinos.alerts import subscriptions
from vecinos.committees.models import Membership
from vecinos.delivery.models import ResponderContact

ORDER = ("sms", "email", "webpush")
Address = str | dict[str, object]


def channels_of(user_ids: Iterable[int], committee_id: int | None = None) -> dict[int, str]:
    """The channel each person is reached on (those with none are left out), for
    something of ``committee_id`` when given. A few queries, no decryption: what a
    fan-out of thousands needs."""
    ids = list(user_ids)
    own: dict[int, str] = {}
    if committee_id is not None:
        own.update(
            Membership.objects.filter(committee_id=committee_id, user_id__in=ids)
            .exclude(channel="")
            .exclude(contact_hash="")
            .values_list("user_id", "channel")
        )
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
    return best | own


def channel_sql(user: str, committee_id: int | None = None) -> str:
    """The same choice as ``channels_of`` as an SQL expression over the user table's
    alias ``user`` (NULL for someone with no contact): for inserting outbox rows inside
    the database. The membership lookup is on the (committee, user) unique index, each
    other on the (user, channel) unique index."""
    quote = connection.ops.quote_name
    table = quote(ResponderContact._meta.db_table)
    # Only quoted names, the fixed channel names of ORDER and an integer go into the text.
    lookups = []
    if committee_id is not None:
        members = quote(Membership._meta.db_table)
        lookups.append(
            f"(SELECT m.{quote('channel')} FROM {members} m "  # noqa: S608
            f"WHERE m.{quote('committee_id')} = {int(committee_id)} "
            f"AND m.{quote('user_id')} = {user}.{quote('id')} "
            f"AND m.{quote('channel')} <> '' AND m.{quote('contact_hash')} <> '')"
        )
    lookups += [
        f"(SELECT '{channel}' FROM {table} c WHERE c.{quote('user_id')} = {user}.{quote('id')} "  # noqa: S608
        f"AND c.{quote('channel')} = '{channel}')"
        for channel in ORDER
    ]
    email = f"CASE WHEN {user}.{quote('email')} <> '' THEN 'email' END"
    return f"COALESCE({', '.join(lookups)}, {email})"


def addresses_of(user_ids: Iterable[int]) -> dict[tuple[int, str], Address]:
    """(person, channel) -> contact, decrypted, for the people of one batch, apart from
    any committee (``membership_addresses`` comes first for a committee's things)."""
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


def membership_addresses(
    pairs: Iterable[tuple[int, int]],
) -> dict[tuple[int, int], tuple[str, Address]]:
    """(person, committee) -> (channel, contact), decrypted, for the members of one batch
    who gave that committee a contact when they joined."""
    wanted = set(pairs)
    found: dict[tuple[int, int], tuple[str, Address]] = {}
    if not wanted:
        return found
    rows = (
        Membership.objects.filter(
            user_id__in={user for user, _ in wanted},
            committee_id__in={committee for _, committee in wanted},
        )
        .exclude(channel="")
        .exclude(contact_hash="")
        .only("user_id", "committee_id", "channel", "contact")
    )
    for membership in rows:
        key = (membership.user_id, membership.committee_id)
        if key in wanted and membership.contact:
            found[key] = (membership.channel, str(membership.contact))
    return found


def sms_hashes(user_ids: Iterable[int], committee_id: int | None = None) -> dict[int, str]:
    """The keyed hash of each person's SMS number (as subscriptions hash numbers), so
    an SMS answer can be matched to them without keeping the number anywhere else; for
    ``committee_id``, the number they gave the committee first (where its reminders go)."""
    ids = list(user_ids)
    found = {
        contact.user_id: subscriptions.contact_hash("sms", str(contact.contact))
        for contact in ResponderContact.objects.filter(user_id__in=ids, channel="sms")
    }
    if committee_id is not None:
        for membership in Membership.objects.filter(
            committee_id=committee_id, user_id__in=ids, channel="sms"
        ).exclude(contact_hash=""):
            if membership.contact:
                found[membership.user_id] = subscriptions.contact_hash(
                    "sms", str(membership.contact)
                )
    return found


def phone_of(user_id: int) -> str | None:
    found = ResponderContact.objects.filter(user_id=user_id, channel="sms").first()
    return str(found.contact) if found else None
