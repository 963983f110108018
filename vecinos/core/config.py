"""Reading configuration from the environment and the data directory.

Imported by ``vecinos.settings`` before Django is set up, so nothing here may
import Django models or read ``django.conf.settings``.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}, not {value}")
    return value


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None
    if not value >= minimum:  # also refuses NaN
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


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
