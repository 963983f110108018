"""A subscriber's contact: checked and put in one canonical form, its keyed hash
(for lookups, separated by channel), and masked for its owner to recognise."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vecinos.alerts.models import (
    Subscription,
    SubscriptionChannel,
)
from vecinos.core import crypto, outgoing
from vecinos.core.text import has_control_characters

MAX_ENDPOINT = 1024


def contact_purpose(channel: str) -> str:
    return f"subscription-contact:{channel}"


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _b64url_bytes(value: object, field: str, length: int) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 256:
        raise _refuse(field, _("Enter the key the browser gave."))
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise _refuse(field, _("This key is not base64url.")) from None
    if len(raw) != length:
        raise _refuse(field, _("This key has the wrong length."))
    return value.rstrip("=")


def _push_host_allowed(host: str) -> bool:
    allowed = [h.lower().lstrip(".") for h in getattr(settings, "SUBSCRIPTION_PUSH_HOSTS", ["*"])]
    if "*" in allowed:
        return True
    return any(host == suffix or host.endswith("." + suffix) for suffix in allowed)


def _push_url_standard(parts: Any) -> bool:
    """The shape every known push service gives its endpoints: the standard https
    port (none, or 443), no fragment, and a path (the subscription's token). A port
    of our choosing would aim the workers at another service on the push host."""
    try:
        port = parts.port
    except ValueError:
        return False
    return port in (None, 443) and not parts.fragment and len(parts.path) > 1


def _normalize_push(address: object) -> tuple[str, str]:
    """A browser's PushSubscription JSON → (canonical JSON, endpoint).

    Only ``endpoint`` and ``keys`` (``p256dh``: a 65-byte P-256 point, ``auth``: 16
    bytes) are kept. The endpoint must be https on a known push service
    (``SUBSCRIPTION_PUSH_HOSTS``); otherwise anyone could make our workers send
    requests to an address of their choosing."""
    if not isinstance(address, dict):
        raise _refuse("address", _("For web push, send the browser's push subscription."))
    unknown = set(address) - {"endpoint", "keys", "expirationTime"}
    if unknown:
        raise _refuse("address." + sorted(unknown)[0], _("Unknown field."))
    endpoint = address.get("endpoint")
    if not isinstance(endpoint, str) or not 10 <= len(endpoint) <= MAX_ENDPOINT:
        raise _refuse("address.endpoint", _("Enter the push endpoint URL."))
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise _refuse("address.endpoint", _("This is not a URL.")) from None
    # Plain http only where private addresses are allowed (a local receiver).
    schemes = {"https", "http"} if outgoing.allowed_private() else {"https"}
    if parts.scheme not in schemes or not host or parts.username or parts.password:
        raise _refuse("address.endpoint", _("The push endpoint must be an https URL."))
    if not _push_host_allowed(host) or outgoing.literal_refused(endpoint):
        raise _refuse("address.endpoint", _("This push service is not accepted."))
    any_host = "*" in getattr(settings, "SUBSCRIPTION_PUSH_HOSTS", ["*"])
    if not any_host and not _push_url_standard(parts):
        raise _refuse("address.endpoint", _("This push service is not accepted."))
    if any(ch.isspace() for ch in endpoint) or has_control_characters(endpoint, lines=False):
        raise _refuse("address.endpoint", _("This is not a URL."))
    keys = address.get("keys")
    if not isinstance(keys, dict) or set(keys) != {"p256dh", "auth"}:
        raise _refuse("address.keys", _("Send the keys p256dh and auth, nothing else."))
    p256dh = _b64url_bytes(keys["p256dh"], "address.keys.p256dh", 65)
    auth = _b64url_bytes(keys["auth"], "address.keys.auth", 16)
    canonical = json.dumps(
        {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
        sort_keys=True,
        separators=(",", ":"),
    )
    return canonical, endpoint


def _normalized(
    address: object, longest: int, normalize: Callable[[str], str], problem: str
) -> str:
    """``normalize(address)`` for text of at most ``longest`` characters; anything
    else ``ValidationError`` naming ``address`` with ``problem``."""
    if not isinstance(address, str) or len(address) > longest:
        raise _refuse("address", problem)
    try:
        return normalize(address)
    except ValueError:
        raise _refuse("address", problem) from None


def normalize_contact(channel: str, address: object) -> tuple[str, str]:
    """(the contact as stored, its keyed hash), or ``ValidationError`` naming
    ``address``. The hash of a web-push subscription is the hash of its endpoint: the
    keys of one endpoint may change, the endpoint identifies it."""
    if channel == SubscriptionChannel.SMS:
        contact = _normalized(
            address, 40, crypto.normalize_phone, _("Enter a phone number, e.g. +1 213 555 0100.")
        )
        key = contact
    elif channel == SubscriptionChannel.EMAIL:
        contact = _normalized(address, 254, crypto.normalize_email, _("Enter an email address."))
        key = contact
    elif channel == SubscriptionChannel.WEBPUSH:
        contact, key = _normalize_push(address)
    else:
        raise _refuse("channel", _("Choose SMS, email or web push."))
    return contact, crypto.keyed_hash(key, purpose=contact_purpose(channel))


def contact_hash(channel: str, address: object) -> str:
    return normalize_contact(channel, address)[1]


def push_endpoint_hash(endpoint: str) -> str:
    """The ``contact_hash`` of a browser's web-push subscriptions, from its endpoint."""
    if not isinstance(endpoint, str) or not 10 <= len(endpoint) <= MAX_ENDPOINT:
        raise _refuse("endpoint", _("Enter the push endpoint URL."))
    return crypto.keyed_hash(endpoint, purpose=contact_purpose(SubscriptionChannel.WEBPUSH))


def masked_contact(subscription: Subscription) -> str:
    """Enough of the contact for its owner to recognise it: ``•••0100``,
    ``n•••@example.org``; a browser for web push."""
    return mask_contact(subscription.channel, str(subscription.contact))


def mask_contact(channel: str, contact: str) -> str:
    """``masked_contact`` for any stored contact (a responder's dispatch contact too)."""
    if channel == SubscriptionChannel.SMS:
        return "•••" + contact[-4:]
    if channel == SubscriptionChannel.EMAIL:
        local, _at, domain = contact.partition("@")
        return f"{local[:1]}•••@{domain}"
    return str(_("this browser"))
