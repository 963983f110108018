"""Two-factor secrets are encrypted at rest and follow key rotation."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management import call_command
from django.db import connection

from tests.conftest import TOTP_SECRET, give_totp, make_user, totp_code
from vecinos.accounts.models import User
from vecinos.core import crypto

OLD = ("0ab00001", bytes(range(32)))


def stored_data(user: User) -> str:
    """The data column as it is on disk."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data FROM mfa_authenticator WHERE user_id = %s AND type = %s",
            [user.pk, Authenticator.Type.TOTP],
        )
        return str(cursor.fetchone()[0])


def test_a_totp_secret_is_not_stored_in_the_clear(dani: User) -> None:
    raw = stored_data(dani)

    assert TOTP_SECRET not in raw
    assert '"v1.' in raw


def test_the_stored_secret_still_checks_codes(dani: User, fresh_cache: None) -> None:
    authenticator = Authenticator.objects.get(user=dani, type=Authenticator.Type.TOTP)

    assert TOTP(authenticator).validate_code(totp_code())
    assert not TOTP(authenticator).validate_code("000000")


def test_a_secret_stored_before_encryption_still_works(dani: User, fresh_cache: None) -> None:
    Authenticator.objects.filter(user=dani).update(data={"secret": TOTP_SECRET})
    authenticator = Authenticator.objects.get(user=dani, type=Authenticator.Type.TOTP)

    assert TOTP(authenticator).validate_code(totp_code())


@pytest.fixture
def old_key(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("VECINOS_ENCRYPTION_KEY", raising=False)
    line = f"{OLD[0]} {base64.urlsafe_b64encode(OLD[1]).decode().rstrip('=')}\n"
    (tmp_path / "encryption.keys").write_text(line)
    settings.DATA_DIR = tmp_path
    settings.VECINOS_ENCRYPTION_KEYS = [OLD]
    crypto.use_keys(None)
    yield tmp_path
    crypto.use_keys(None)


def test_rotation_moves_two_factor_secrets_to_the_new_key_and_retires_the_old(
    old_key: Path, db: None, fresh_cache: None
) -> None:
    dani = make_user("dani", "dispatcher")
    give_totp(dani)
    assert f'"v1.{OLD[0]}.' in stored_data(dani)

    call_command("rotatekey", "--retire", stdout=io.StringIO())

    raw = stored_data(dani)
    assert OLD[0] not in raw
    assert OLD[0] not in (old_key / "encryption.keys").read_text()
    authenticator = Authenticator.objects.get(user=dani, type=Authenticator.Type.TOTP)
    with time_machine.travel(time.time(), tick=False):  # one 30-second window throughout
        assert TOTP(authenticator).validate_code(totp_code())
