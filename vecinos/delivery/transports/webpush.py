"""Web Push through pywebpush: the payload encrypted aes128gcm (RFC 8291), a VAPID
token (RFC 8292) signed for every message from a fresh claims dict, posted over a
kept-alive ``requests`` session per worker thread.

The VAPID key pair is generated into the data directory on first use
(``vapid_private.pem``, mode 0600) and never leaves it; the subscribe page hands the
public half to the browser (:func:`vapid_public_key`). Changing the key orphans every
browser subscription made with the old one, so it is kept like the other secrets.

A fresh claims dict per call: pywebpush writes ``aud`` and ``exp`` into the dict it is
given, so a shared one would carry one push service's audience to another, and an
expiry into messages long after it was set.

Cost: about a millisecond of CPU per message (a new ephemeral ECDH key, the
encryption, an ECDSA signature, the request); with SMS and email at about a quarter of
that, the workers' capacity stays far above the 2,000 messages a second they must
keep up with (benchmarks/delivery.py).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import threading
import time
from functools import lru_cache
from pathlib import Path

import requests
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from vecinos.core import outgoing
from vecinos.delivery.transports import http
from vecinos.delivery.transports.base import OutgoingMessage, Receipt, Transport, TransportError

KEY_FILE = "vapid_private.pem"
# Seconds to connect and to wait for the push service's answer.
TIMEOUT = (5.0, 15.0)
# A VAPID token expires this long after it is signed (RFC 8292 allows 24 hours).
CLAIMS_SECONDS = 12 * 3600

_local = threading.local()


def key_path() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE


_key_lock = threading.Lock()


@lru_cache(maxsize=4)
def _load(path: str) -> Vapid:
    with _key_lock:
        file = Path(path)
        if not file.exists():
            _create(file)
        # Whoever won the race to create the file, everyone uses what it holds.
        return Vapid.from_pem(file.read_bytes())


def _create(file: Path) -> None:
    """Write a new key pair to ``file`` atomically: into a private temporary file first,
    then hard-linked into place, which fails if another process got there first. A
    reader never sees a half-written key (several workers start at once)."""
    fresh = Vapid()
    fresh.generate_keys()
    temporary = file.with_name(f".{file.name}.{os.getpid()}.{threading.get_ident()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(fresh.private_pem())
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, file)
    finally:
        temporary.unlink(missing_ok=True)


def vapid() -> Vapid:
    """This installation's VAPID key pair, created on first use."""
    return _load(str(key_path()))


def vapid_public_key() -> str:
    """The public key as the browser's ``applicationServerKey`` wants it: the
    uncompressed P-256 point, base64url without padding."""
    from cryptography.hazmat.primitives import serialization

    raw = vapid().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def subject() -> str:
    """The VAPID ``sub`` claim: push services write to it when something goes wrong.
    A ``mailto:`` or an ``https://`` URL (py_vapid refuses anything else)."""
    if settings.WEBPUSH_SUBJECT:
        return str(settings.WEBPUSH_SUBJECT)
    if settings.VECINOS_PUBLIC_URL.startswith("https://"):
        return str(settings.VECINOS_PUBLIC_URL)
    return "mailto:alerts@localhost"


def payload(message: OutgoingMessage) -> str:
    """What the service worker receives (vecinos/alerts static service worker)."""
    return json.dumps(
        {"title": message.subject, "body": message.text, "url": message.url, "tag": message.key},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _subscription(address: str | dict[str, object]) -> dict[str, object]:
    info: object = address
    if isinstance(info, str):
        try:
            info = json.loads(info)
        except ValueError:
            info = None
    if not isinstance(info, dict) or not isinstance(info.get("endpoint"), str):
        raise TransportError("not a push subscription", permanent=True, code="push_invalid")
    return info


def _unb64(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValueError("a key is base64url text")
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _check_keys(info: dict[str, object]) -> None:
    """Refuse, as a permanent failure, keys that are not an uncompressed P-256 point and
    an auth secret (base64url), before pywebpush sees them."""
    keys = info.get("keys")
    try:
        if not isinstance(keys, dict):
            raise ValueError("no keys")
        browser_key, auth = _unb64(keys.get("p256dh")), _unb64(keys.get("auth"))
        if len(browser_key) != 65 or browser_key[0] != 4 or not auth:
            raise ValueError("not an uncompressed P-256 point and an auth secret")
    except (ValueError, TypeError, binascii.Error):
        raise TransportError(
            "push subscription keys are malformed", permanent=True, code="push_invalid"
        ) from None


def _session() -> requests.Session:
    # One keep-alive session per worker thread: requests.Session is not thread-safe.
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


class WebPushTransport(Transport):
    channel = "webpush"

    def send(self, message: OutgoingMessage) -> Receipt:
        info = _subscription(message.address)
        endpoint = str(info["endpoint"])
        try:
            origin, _path = http.split(endpoint)
        except ValueError:
            raise TransportError(
                "push endpoint is not an http(s) URL", permanent=True, code="push_invalid"
            ) from None
        try:
            outgoing.check_url(endpoint)
        except outgoing.RefusedAddress as error:
            raise TransportError(
                f"push endpoint refused: {error}", permanent=True, code="push_private_address"
            ) from None
        _check_keys(info)
        key = vapid()  # outside the try: a key problem is ours, not the subscriber's
        claims: dict[str, str | int] = {
            "sub": subject(),
            "aud": f"{origin.scheme}://{origin.netloc}",
            "exp": int(time.time()) + CLAIMS_SECONDS,
        }
        try:
            response = webpush(
                subscription_info=info,
                data=payload(message),
                vapid_private_key=key,
                vapid_claims=claims,
                ttl=max(0, int(message.ttl)),
                headers={"Urgency": "high", "Topic": message.key[:32]},
                timeout=TIMEOUT,  # requests takes a (connect, read) pair
                requests_session=_session(),
            )
        except WebPushException as error:
            if error.response is None:
                # Raised before any request: the subscription's keys are unusable.
                raise TransportError(
                    "push subscription is malformed", permanent=True, code="push_invalid"
                ) from None
            raise _error(error.response.status_code) from None
        except requests.RequestException as error:
            raise TransportError(
                f"push service unreachable: {type(error).__name__}",
                permanent=False,
                code="push_unreachable",
            ) from None
        except (ValueError, TypeError, KeyError):
            # Keys that are not valid P-256 points (off the curve, say).
            raise TransportError(
                "push subscription keys are malformed", permanent=True, code="push_invalid"
            ) from None
        location = response.headers.get("Location", "") if not isinstance(response, str) else ""
        return Receipt(provider_id=location.rsplit("/", 1)[-1][:64], status="sent")


def _error(status: int | None) -> TransportError:
    if status in (404, 410):
        # The browser unsubscribed or the subscription expired: it never comes back.
        return TransportError(
            f"push subscription gone ({status})", permanent=True, code="push_gone"
        )
    if status is None or status == 429 or status >= 500:
        return TransportError(
            f"push service busy ({status})", permanent=False, code=f"push_{status}"
        )
    if status in (400, 413):
        # Our request was wrong (payload too large, bad header): the subscription is fine.
        return TransportError(
            f"push service refused the message ({status})",
            permanent=True,
            code=f"push_{status}",
            disable=False,
        )
    # 401/403: the subscription was made with another VAPID key and will never accept ours.
    return TransportError(f"push service refused ({status})", permanent=True, code=f"push_{status}")
