"""Web Push through pywebpush, signed with VAPID (RFC 8292), encrypted aes128gcm (RFC 8291).

The VAPID key pair is generated into the data directory on first use
(``vapid_private.pem``, mode 0600) and never leaves it; the subscribe page hands the
public half to the browser (:func:`vapid_public_key`). Changing the key orphans every
browser subscription made with the old one, so it is kept like the other secrets.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import threading
import time
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import requests
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from vecinos.delivery.transports.base import OutgoingMessage, Receipt, Transport, TransportError

KEY_FILE = "vapid_private.pem"
# Seconds to connect and to wait for the push service's answer.
TIMEOUT = (5, 15)
# A fresh JWT for every message is cheap enough (one ECDSA signature); it expires well
# inside the 24 hours RFC 8292 allows.
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


def _session() -> requests.Session:
    # One keep-alive session per worker thread: requests.Session is not thread-safe.
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


class WebPushTransport(Transport):
    channel = "webpush"

    def send(self, message: OutgoingMessage) -> Receipt:
        info = message.address
        if isinstance(info, str):
            info = json.loads(info)
        if not isinstance(info, dict) or not isinstance(info.get("endpoint"), str):
            raise TransportError("not a push subscription", permanent=True, code="push_invalid")
        key = vapid()  # outside the try: a key problem is ours, not the subscriber's
        endpoint = urlsplit(str(info["endpoint"]))
        # A fresh claims dict per call: pywebpush writes "aud" and "exp" into the dict
        # it is given, so a shared one would carry one push service's audience to another.
        claims: dict[str, str | int] = {
            "sub": subject(),
            "aud": f"{endpoint.scheme}://{endpoint.netloc}",
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
            # Keys that are not valid P-256 points or auth secrets.
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
