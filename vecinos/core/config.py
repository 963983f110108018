"""Reading configuration from the environment and the data directory.

Imported by ``vecinos.settings`` before Django is set up, so nothing here may
import Django models or read ``django.conf.settings``.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import math
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# Every project setting is named VECINOS_*; these were read under their old names
# (left: the old name), which still work for now, with a warning in the log. Names
# that belong to Django (EMAIL_*, DEFAULT_FROM_EMAIL), Twilio (TWILIO_*), requests
# (REQUESTS_CA_BUNDLE) and the usual service URLs (DATABASE_URL, REDIS_URL) stay.
RENAMED = {
    "VECINOS_ACCOUNT_EVENT_RETENTION": "ACCOUNT_EVENT_RETENTION",
    "VECINOS_ALERT_APPROVALS_REQUIRED": "ALERT_APPROVALS_REQUIRED",
    "VECINOS_ALERT_TTL_HOURS": "ALERT_TTL_HOURS",
    "VECINOS_DATABASE_CONN_MAX_AGE": "DATABASE_CONN_MAX_AGE",
    "VECINOS_DELIVERY_BATCH_SIZE": "DELIVERY_BATCH_SIZE",
    "VECINOS_DELIVERY_CLAIM_TIMEOUT": "DELIVERY_CLAIM_TIMEOUT",
    "VECINOS_DISPATCH_ACK_MINUTES": "DISPATCH_ACK_MINUTES",
    "VECINOS_INCIDENT_QUIET_HOURS": "INCIDENT_QUIET_HOURS",
    "VECINOS_INCIDENT_RETENTION": "INCIDENT_RETENTION",
    "VECINOS_REPORT_CLUSTER_MINUTES": "REPORT_CLUSTER_MINUTES",
    "VECINOS_REPORT_CLUSTER_RADIUS_M": "REPORT_CLUSTER_RADIUS_M",
    "VECINOS_REPORT_GROUP_COMMIT": "REPORT_GROUP_COMMIT",
    "VECINOS_REPORT_RETENTION": "REPORT_RETENTION",
    "VECINOS_REPORT_WRITE_TIMEOUT": "REPORT_WRITE_TIMEOUT",
    "VECINOS_SMS_INBOUND_GLOBAL_RATE": "SMS_INBOUND_GLOBAL_RATE",
    "VECINOS_SMS_INBOUND_RATE": "SMS_INBOUND_RATE",
    "VECINOS_SMS_PROVIDER": "SMS_PROVIDER",
    "VECINOS_SMS_RATE": "SMS_RATE",
    "VECINOS_SUBSCRIPTION_CODE_ATTEMPTS": "SUBSCRIPTION_CODE_ATTEMPTS",
    "VECINOS_SUBSCRIPTION_CODE_MINUTES": "SUBSCRIPTION_CODE_MINUTES",
    "VECINOS_SUBSCRIPTION_CONTACT_RATE": "SUBSCRIPTION_CONTACT_RATE",
    "VECINOS_SUBSCRIPTION_MANAGE_LINK_DAYS": "SUBSCRIPTION_MANAGE_LINK_DAYS",
    "VECINOS_SUBSCRIPTION_PENDING_HOURS": "SUBSCRIPTION_PENDING_HOURS",
    "VECINOS_SUBSCRIPTION_PUSH_HOSTS": "SUBSCRIPTION_PUSH_HOSTS",
    "VECINOS_SUBSCRIPTION_RATE": "SUBSCRIPTION_RATE",
    "VECINOS_SUBSCRIPTION_STOPPED_DAYS": "SUBSCRIPTION_STOPPED_DAYS",
    "VECINOS_SUBSCRIPTION_ZIP_RADIUS_KM": "SUBSCRIPTION_ZIP_RADIUS_KM",
    "VECINOS_SUBSCRIPTION_ZIP_STATES": "SUBSCRIPTION_ZIP_STATES",
    "VECINOS_WEBPUSH_SUBJECT": "WEBPUSH_SUBJECT",
}
logger = logging.getLogger("vecinos.config")
_warned: set[str] = set()


def _raw(name: str) -> str | None:
    """The environment's value of ``name``, or of its old name (with a warning)."""
    value = os.environ.get(name)
    old = RENAMED.get(name)
    if value is None and old is not None and old in os.environ:
        if old not in _warned:
            _warned.add(old)
            logger.warning("%s is deprecated and will stop working: rename it %s", old, name)
        value = os.environ[old]
    return value


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return (default if value is None else value).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _env_number[N: (int, float)](
    name: str, parse: Callable[[str], N], what: str
) -> tuple[N, str] | None:
    """The variable read by ``parse`` (int, float), with what it said; None when it is
    unset or blank; ImproperlyConfigured when it is not ``what``."""
    raw = _raw(name)
    if raw is None or not raw.strip():
        return None
    try:
        return parse(raw), raw
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {what}, not {raw!r}") from None


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    if (found := _env_number(name, int, "a whole number")) is None:
        return default
    value = found[0]
    if value < minimum or (maximum is not None and value > maximum):
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}, not {value}")
    return value


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    if (found := _env_number(name, float, "a number")) is None:
        return default
    value, raw = found
    if not value >= minimum:  # also refuses NaN
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# What Twilio takes as a sender: a phone number (+E.164, long code or toll-free), a
# short code (5-6 digits), or a Messaging Service SID (sent as MessagingServiceSid).
SMS_NUMBER_RE = re.compile(r"^\+[1-9]\d{6,14}$")
SMS_SHORT_CODE_RE = re.compile(r"^\d{5,6}$")
SMS_SERVICE_RE = re.compile(r"^MG[0-9a-fA-F]{32}$")


def sms_sender_kind(sender: str) -> str:
    """``number``, ``short_code`` or ``service``; "" when Twilio would not take it."""
    if SMS_NUMBER_RE.match(sender):
        return "number"
    if SMS_SHORT_CODE_RE.match(sender):
        return "short_code"
    if SMS_SERVICE_RE.match(sender):
        return "service"
    return ""


def parse_sms_senders(value: str, *, name: str, default_rate: float) -> dict[str, float]:
    """A sender pool ``sender[:rate],…`` as {sender: messages per second}, in order.

    ``+13235550001:1,+13235550002:1,90033:100,MG…:10``: each sender with its own rate
    (``default_rate`` when it has none). Refuses, naming the entry, anything Twilio would
    not take, a rate that is not a number of at least 0.01, and a sender named twice."""
    pool: dict[str, float] = {}
    for entry in (item.strip() for item in value.split(",")):
        if not entry:
            continue
        sender, colon, rate_text = (part.strip() for part in entry.partition(":"))
        if not sms_sender_kind(sender):
            raise ImproperlyConfigured(
                f"{name} holds {entry!r}: a sender is +E.164, a 5-6 digit short code "
                "or a Messaging Service SID (MG and 32 hex digits)"
            )
        rate = default_rate
        if colon:
            try:
                rate = float(rate_text)
            except ValueError:
                rate = math.nan
            if not (0.01 <= rate <= 10_000):  # also refuses NaN and infinity
                raise ImproperlyConfigured(
                    f"{name} holds {entry!r}: the rate after ':' must be messages per "
                    "second, from 0.01 to 10000"
                )
        if sender in pool:
            raise ImproperlyConfigured(f"{name} names {sender} twice")
        pool[sender] = rate
    return pool


RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


def parse_rate(value: str, *, name: str = "rate") -> tuple[int, int]:
    """Parse ``"20/h"`` or ``"5/10m"`` into (count, seconds)."""
    match = RATE_RE.match(value)
    if not match:
        raise ImproperlyConfigured(f"{name} must look like 20/h or 5/10m, not {value!r}")
    count, multiple, unit = match.groups()
    seconds = int(multiple or 1) * RATE_UNITS[unit]
    if int(count) < 1 or seconds < 1:
        raise ImproperlyConfigured(f"{name} must allow at least one request, not {value!r}")
    return int(count), seconds


PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600


def private_directory(path: Path) -> Path:
    """``path``, created if missing, with mode 0700 (an existing directory made by
    someone else's umask, e.g. 0755, is tightened): what docs/operations.md promises
    for the data directory and what it holds."""
    path.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != PRIVATE_DIRECTORY:
        path.chmod(PRIVATE_DIRECTORY)
    return path


def data_dir() -> Path:
    path = Path(env_str("VECINOS_DATA_DIR") or Path.cwd() / "var").resolve()
    return private_directory(path)


def write_secret_file(path: Path, content: str) -> None:
    """Create ``path`` readable by its owner only; never overwrite an existing one
    (FileExistsError). Written into a private temporary file first, then hard-linked
    into place, so a process starting at the same moment never reads it half-written
    (several workers start together on a fresh data directory)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def read_or_create_secret(path: Path, make: Callable[[], str]) -> str:
    if path.exists():
        return path.read_text().strip()
    with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
        write_secret_file(path, make() + "\n")
    return path.read_text().strip()


def new_key_b64() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def new_key_line() -> str:
    return f"{secrets.token_hex(4)} {new_key_b64()}"


def secret_key(*, production: bool, directory: Path) -> str:
    """The Django secret key: from the environment, a named file, or (outside production)
    a file generated in the data directory."""
    if value := env_str("VECINOS_SECRET_KEY"):
        return value
    if file_name := env_str("VECINOS_SECRET_KEY_FILE"):
        try:
            value = Path(file_name).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"VECINOS_SECRET_KEY_FILE cannot be read: {error}") from None
        if not value:
            raise ImproperlyConfigured("VECINOS_SECRET_KEY_FILE is empty")
        return value
    if production:
        raise ImproperlyConfigured(
            "VECINOS_ENV=production needs VECINOS_SECRET_KEY or VECINOS_SECRET_KEY_FILE"
        )
    return read_or_create_secret(directory / "secret_key", lambda: secrets.token_urlsafe(50))


def encryption_keys(*, directory: Path) -> list[tuple[str, bytes]]:
    """Field-encryption keys as (key id, 32 bytes), the first one active.

    ``VECINOS_ENCRYPTION_KEY`` holds ``"kid:base64key"`` items separated by commas;
    otherwise ``encryption.keys`` in the data directory holds one ``kid base64key``
    per line. It is generated on first run.
    """
    raw = env_str("VECINOS_ENCRYPTION_KEY")
    if raw:
        lines = [item.replace(":", " ", 1) for item in raw.split(",") if item.strip()]
    else:
        text = read_or_create_secret(directory / "encryption.keys", new_key_line)
        lines = [line for line in text.splitlines() if line.strip()]
    keys: list[tuple[str, bytes]] = []
    for line in lines:
        try:
            kid, encoded = line.split()
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError:
            raise ImproperlyConfigured("an encryption key line is malformed") from None
        if len(key) != 32 or not re.fullmatch(r"[0-9a-f]{8}", kid):
            raise ImproperlyConfigured("encryption keys must be 32 bytes with an 8-hex-digit id")
        keys.append((kid, key))
    if not keys:
        raise ImproperlyConfigured("no field-encryption key is configured")
    return keys


def hash_key(*, directory: Path) -> bytes:
    """The key of the keyed hash used to look contacts up. It never rotates: every
    stored lookup hash depends on it."""
    encoded = env_str("VECINOS_HASH_KEY") or read_or_create_secret(
        directory / "hash.key", new_key_b64
    )
    key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    if len(key) < 32:
        raise ImproperlyConfigured("VECINOS_HASH_KEY must be at least 32 bytes, base64")
    return key
