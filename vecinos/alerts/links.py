"""Signed links a subscriber uses without an account.

- ``unsubscribe_url(subscription)``: one click (or one RFC 8058 POST from a mail
  client) stops that one subscription. It does not expire: an old email must still
  let its reader out. It names only the subscription id.
- ``manage_url(subscription)``: lists every subscription of the same contact
  (``contact_hash`` and channel) and stops or resumes each. It expires after
  ``SUBSCRIPTION_MANAGE_LINK_DAYS``; a new one is sent on request.

Both are ``django.core.signing`` tokens (HMAC under ``SECRET_KEY``, each with its own
salt), so a forged or altered link is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from vecinos.alerts.models import Subscription

UNSUBSCRIBE_SALT = "vecinos.alerts.unsubscribe"
MANAGE_SALT = "vecinos.alerts.manage"


@dataclass(frozen=True)
class ManageToken:
    contact_hash: str
    channel: str


def _absolute(path: str) -> str:
    return settings.VECINOS_PUBLIC_URL + path


def unsubscribe_token(subscription: Subscription) -> str:
    return signing.dumps(subscription.pk.hex, salt=UNSUBSCRIBE_SALT, compress=False)


def read_unsubscribe_token(token: str) -> str | None:
    """The subscription id (hex) the token names, or None if it is forged."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) and len(value) == 32 else None


def unsubscribe_path(subscription: Subscription) -> str:
    return reverse("alerts_unsubscribe", args=[unsubscribe_token(subscription)])


def unsubscribe_url(subscription: Subscription) -> str:
    return _absolute(unsubscribe_path(subscription))


# Stands for the signed value while the unsubscribe URL pattern is resolved once.
_MARK = "signed-value-goes-here"


def unsubscribe_urls() -> Callable[[Subscription], str]:
    """``unsubscribe_url`` for the many subscribers of one outbox batch: the URL is
    resolved once (``reverse`` costs more than signing), then each subscriber's token
    takes the mark's place. Tokens are base64url and colons, which ``reverse`` leaves
    as they are, so the result is the same."""
    resolved = _absolute(reverse("alerts_unsubscribe", args=[_MARK]))
    prefix, _mark, suffix = resolved.rpartition(_MARK)

    def url(subscription: Subscription) -> str:
        return f"{prefix}{unsubscribe_token(subscription)}{suffix}"

    return url


def manage_token(*, contact_hash: str, channel: str) -> str:
    return signing.dumps({"h": contact_hash, "c": channel}, salt=MANAGE_SALT, compress=False)


def read_manage_token(token: str) -> ManageToken | None:
    """What a manage token names, or None if it is forged or older than
    ``SUBSCRIPTION_MANAGE_LINK_DAYS``."""
    days = int(getattr(settings, "SUBSCRIPTION_MANAGE_LINK_DAYS", 30))
    try:
        value = signing.loads(token, salt=MANAGE_SALT, max_age=days * 86400)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(value, dict):
        return None
    hashed, channel = value.get("h"), value.get("c")
    if not isinstance(hashed, str) or not isinstance(channel, str):
        return None
    return ManageToken(contact_hash=hashed, channel=channel)


def manage_path(subscription: Subscription) -> str:
    token = manage_token(contact_hash=subscription.contact_hash, channel=subscription.channel)
    return reverse("alerts_manage_link", args=[token])


def manage_url(subscription: Subscription) -> str:
    return _absolute(manage_path(subscription))
