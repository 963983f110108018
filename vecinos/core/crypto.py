"""Field encryption and keyed hashes for contacts (docs/architecture.md, principle 1).

Encryption: AES-256-GCM under the first key of ``settings.VECINOS_ENCRYPTION_KEYS``
(older keys stay for decryption until ``vecinos rotatekey --retire`` drops them).
A token is ``v1.<kid>.<base64url(nonce + ciphertext + tag)>``. The associated data
binds it to its *purpose* (for a model field, ``"<app>.<Model>.<field>"``) and to the
key id, so a ciphertext copied into another column, or relabelled with another key
id, does not decrypt.

Keyed hash: HMAC-SHA256 under ``settings.VECINOS_HASH_KEY``, which never rotates, so
a contact can be looked up and de-duplicated without decrypting every row. It is also
separated by purpose: the same phone number hashes differently for two purposes.

Keys are read through :func:`keys`, not from settings directly, so ``vecinos
rotatekey`` can switch a running process to the key list it has just written.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import phonenumbers
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from vecinos.core.text import has_control_characters

VERSION = "v1"
NONCE_BYTES = 12
KID_RE = re.compile(r"^[0-9a-f]{8}$")

KeyList = list[tuple[str, bytes]]

_lock = threading.Lock()
# Set by use_keys() (key rotation) or after a reload from the key file; None means
# "whatever settings say".
_override: KeyList | None = None


class DecryptionError(ValueError):
    """A token is malformed, was made for another purpose, was tampered with, or was
    encrypted under a key that is no longer configured."""


# Keys ---------------------------------------------------------------------------------


def keys() -> KeyList:
    """The configured keys as (key id, 32 bytes), the first one active."""
    current = _override
    return current if current is not None else list(settings.VECINOS_ENCRYPTION_KEYS)


def key_file() -> Path:
    """Where the keys live unless ``VECINOS_ENCRYPTION_KEY`` is set (see config.py)."""
    return Path(settings.DATA_DIR) / "encryption.keys"


def active_key_id() -> str:
    return keys()[0][0]


def use_keys(new_keys: Sequence[tuple[str, bytes]] | None) -> None:
    """Make this process use ``new_keys`` (``None``: go back to settings)."""
    global _override
    with _lock:
        _override = None if new_keys is None else list(new_keys)


@contextmanager
def keys_in_use(new_keys: Sequence[tuple[str, bytes]]) -> Iterator[None]:
    """Use ``new_keys`` inside the block only (tests, one-off scripts)."""
    previous = _override
    use_keys(new_keys)
    try:
        yield
    finally:
        use_keys(previous)


def _reload_from_file(kid: str) -> bytes | None:
    """Another process (``vecinos rotatekey``) may have added a key to the key file
    since this one started: read it again before declaring a key unknown. Adopted
    only if it knows ``kid``, so a forged key id cannot swap our keys for nothing."""
    from vecinos.core import config

    if config.env_str("VECINOS_ENCRYPTION_KEY") or not key_file().exists():
        return None  # keys from the environment change only with a restart
    try:
        fresh = config.encryption_keys(directory=settings.DATA_DIR)
    except Exception:  # a half-written or damaged file: keep what we have
        return None
    found = dict(fresh).get(kid)
    if found is not None:
        use_keys(fresh)
    return found


def _key_for(kid: str) -> bytes:
    key = dict(keys()).get(kid)
    if key is None:
        key = _reload_from_file(kid)
    if key is None:
        raise DecryptionError(f"no configured key has the id {kid!r}")
    return key


@lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def _associated_data(kid: str, purpose: str) -> bytes:
    return f"vecinos:{VERSION}:{kid}:{purpose}".encode()


def _check_purpose(purpose: str) -> None:
    if not purpose or not isinstance(purpose, str):
        raise ValueError("a purpose is required, e.g. 'alerts.Subscription.address'")


# Encryption ---------------------------------------------------------------------------


def encrypt(text: str, *, purpose: str) -> str:
    """Encrypt ``text`` for ``purpose`` under the active key; a fresh nonce each time."""
    _check_purpose(purpose)
    if not isinstance(text, str):
        raise TypeError(f"encrypt() takes text, not {type(text).__name__}")
    kid, key = keys()[0]
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = _cipher(key).encrypt(nonce, text.encode(), _associated_data(kid, purpose))
    body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    return f"{VERSION}.{kid}.{body}"


def parse_token(token: str) -> tuple[str, bytes]:
    """Split a token into (key id, nonce + ciphertext) or raise DecryptionError."""
    if not isinstance(token, str):
        raise DecryptionError("a token is text")
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != VERSION or not KID_RE.match(parts[1]):
        raise DecryptionError("not a Vecinos encryption token")
    body = parts[2]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise DecryptionError("the token is not valid base64") from None
    if len(raw) < NONCE_BYTES + 16:
        raise DecryptionError("the token is too short")
    return parts[1], raw


def key_id(token: str) -> str:
    """The id of the key that encrypted ``token``."""
    return parse_token(token)[0]


def decrypt(token: str, *, purpose: str) -> str:
    """Decrypt a token made by :func:`encrypt` for the same ``purpose``."""
    _check_purpose(purpose)
    kid, raw = parse_token(token)
    key = _key_for(kid)
    try:
        plain = _cipher(key).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated_data(kid, purpose)
        )
    except InvalidTag:
        raise DecryptionError(
            "the token does not decrypt: tampered with, or made for another purpose"
        ) from None
    return plain.decode()


# Keyed hash ---------------------------------------------------------------------------


def keyed_hash(value: str, *, purpose: str) -> str:
    """Hex HMAC-SHA256 of ``value`` for ``purpose``: equal inputs give equal hashes, so
    it can be indexed and compared; without the hash key it reveals nothing.
    Normalise the value first (``normalize_email``, ``normalize_phone``)."""
    _check_purpose(purpose)
    message = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(settings.VECINOS_HASH_KEY, message, hashlib.sha256).hexdigest()


# Normalisers --------------------------------------------------------------------------


def normalize_email(value: str) -> str:
    """``" Name@Example.ORG "`` -> ``"name@example.org"``; ValueError when Django's
    ``validate_email`` refuses it. The local part is lowered too: providers treat it
    case-blind in practice, and one person must not get two subscriptions."""
    email = value.strip().lower()
    if has_control_characters(email, lines=False):
        raise ValueError("not an email address: control characters")
    try:
        validate_email(email)
    except ValidationError:
        raise ValueError("not an email address") from None
    return email


def normalize_phone(value: str, *, region: str | None = None) -> str:
    """The number in E.164 (``+12135550100``), read by libphonenumber (``phonenumbers``):
    a number written with ``+`` (or ``00``) is international; one without is read in
    ``region``, by default the network's (``PHONE_REGION``, from VECINOS_PHONE_REGION:
    ``US``), so ``55 1234 5678`` is a Mexico City number where the region is ``MX``.
    ValueError for anything libphonenumber does not know as a valid number."""
    text = value.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region or settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
