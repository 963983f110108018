"""`vecinos rotatekey`: a new key first in the key file, every value moved to it, old
keys retired once nothing uses them."""

from __future__ import annotations

import base64
import io
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test.utils import isolate_apps

from vecinos.core import config, crypto
from vecinos.core.fields import EncryptedTextField
from vecinos.core.management.commands import rotatekey

OLD = ("01d00001", bytes(range(32)))


def key_line(kid: str, key: bytes) -> str:
    return f"{kid} {base64.urlsafe_b64encode(key).decode().rstrip('=')}\n"


def stored_tokens(model: type[models.Model]) -> list[str]:
    """The column as it is on disk, not decrypted."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT address FROM {model._meta.db_table} ORDER BY id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def data_dir(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("VECINOS_ENCRYPTION_KEY", raising=False)
    (tmp_path / "encryption.keys").write_text(key_line(*OLD))
    settings.DATA_DIR = tmp_path
    settings.VECINOS_ENCRYPTION_KEYS = [OLD]
    crypto.use_keys(None)
    yield tmp_path
    crypto.use_keys(None)


@pytest.fixture
def contact_model(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A throwaway model with an encrypted column, in a table made for this test."""
    with isolate_apps("vecinos.core"):

        class Contact(models.Model):
            address = EncryptedTextField(null=True, blank=True)

            class Meta:
                app_label = "core"

            def __str__(self) -> str:
                return f"contact {self.pk}"

    with connection.schema_editor() as editor:
        editor.create_model(Contact)
    field = Contact._meta.get_field("address")
    monkeypatch.setattr(rotatekey, "encrypted_fields", lambda: [(Contact, field)])
    yield Contact
    with connection.schema_editor() as editor:
        editor.delete_model(Contact)


def rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotatekey", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_values_written_under_the_old_key_are_read_after_rotation_and_stored_under_the_new(
    data_dir: Path, contact_model: Any
) -> None:
    phones = [f"+1213555{n:04d}" for n in range(7)]
    for phone in phones:
        contact_model.objects.create(address=phone)
    contact_model.objects.create(address=None)
    contact_model.objects.create(address="")
    assert {crypto.key_id(t) for t in stored_tokens(contact_model) if t} == {OLD[0]}

    output = rotate("--batch-size", "3")

    keys = config.encryption_keys(directory=data_dir)
    new_kid = keys[0][0]
    assert new_kid != OLD[0] and keys[1] == OLD
    assert f"{new_kid}" in output and "7 value(s) moved" in output
    tokens = stored_tokens(contact_model)
    assert {crypto.key_id(t) for t in tokens if t} == {new_kid}
    assert tokens[-2:] == [None, ""]
    assert [c.address for c in contact_model.objects.order_by("id")] == [*phones, None, ""]
    # Encrypting from now on uses the new key.
    contact_model.objects.create(address="+12135559999")
    assert crypto.key_id(stored_tokens(contact_model)[-1]) == new_kid


def test_the_key_file_stays_private_and_keeps_the_old_key_until_retired(
    data_dir: Path, contact_model: Any
) -> None:
    contact_model.objects.create(address="+12135550100")

    rotate()

    path = data_dir / "encryption.keys"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [kid for kid, _ in config.encryption_keys(directory=data_dir)][1:] == [OLD[0]]

    output = rotate("--no-new-key", "--retire")

    assert f"Retired key(s): {OLD[0]}" in output
    remaining = config.encryption_keys(directory=data_dir)
    assert len(remaining) == 1 and remaining[0][0] != OLD[0]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert contact_model.objects.get().address == "+12135550100"


def test_a_key_still_in_use_is_not_retired(data_dir: Path, contact_model: Any) -> None:
    rotate()
    new_keys = crypto.keys()
    # A process that was not restarted wrote under the old key after the rotation pass.
    with crypto.keys_in_use([OLD]):
        contact_model.objects.create(address="+12135550100")
    crypto.use_keys(new_keys)
    out = io.StringIO()

    rotatekey.Command(stdout=out).retire(from_env=False)

    assert f"Key {OLD[0]} is still used by 1 value(s): kept." in out.getvalue()
    assert [kid for kid, _ in config.encryption_keys(directory=data_dir)] == [
        new_keys[0][0],
        OLD[0],
    ]
    # A full run moves that value first, and then the old key can go.
    output = rotate("--no-new-key", "--retire")
    assert "1 value(s) moved" in output and f"Retired key(s): {OLD[0]}" in output
    assert contact_model.objects.get().address == "+12135550100"


def test_running_it_twice_moves_nothing_the_second_time(data_dir: Path, contact_model: Any) -> None:
    contact_model.objects.create(address="+12135550100")
    rotate()

    assert "0 value(s) moved" in rotate("--no-new-key")


def test_a_process_started_before_the_rotation_reads_the_moved_values(
    data_dir: Path, contact_model: Any
) -> None:
    contact_model.objects.create(address="+12135550100")
    rotate()
    # Another process still has only the old key in memory: it meets an unknown key id,
    # reads the key file again, and decrypts.
    crypto.use_keys([OLD])

    assert contact_model.objects.get().address == "+12135550100"
    assert crypto.active_key_id() != OLD[0]


def test_keys_from_the_environment_must_be_rotated_by_hand(
    data_dir: Path, contact_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VECINOS_ENCRYPTION_KEY", key_line(*OLD).strip().replace(" ", ":"))
    errors = io.StringIO()

    with pytest.raises(CommandError, match="by hand"):
        call_command("rotatekey", stdout=io.StringIO(), stderr=errors)

    assert "VECINOS_ENCRYPTION_KEY=<new item>,<the old items>" in errors.getvalue()
    assert (data_dir / "encryption.keys").read_text() == key_line(*OLD)


def test_print_key_gives_an_item_for_the_environment_variable(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.StringIO()
    call_command("rotatekey", "--print-key", stdout=out)
    item = out.getvalue().strip()
    monkeypatch.setenv("VECINOS_ENCRYPTION_KEY", item)

    (kid, key), *_ = config.encryption_keys(directory=data_dir)
    assert item.startswith(kid + ":") and len(key) == 32


def test_every_encrypted_column_of_the_installed_apps_is_rotated(data_dir: Path, rosa: Any) -> None:
    from vecinos.core.fields import encrypted_fields
    from vecinos.delivery.models import ResponderContact

    purposes = {field.purpose for _, field in encrypted_fields()}
    assert {"alerts.Subscription.contact", "delivery.ResponderContact.contact"} <= purposes
    ResponderContact.objects.create(user=rosa, channel="sms", contact="+12135550100")

    output = rotate()

    new_kid = crypto.active_key_id()
    assert "delivery.ResponderContact.contact: 1 value(s) moved" in output
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM delivery_respondercontact")
        (token,) = cursor.fetchone()
    assert crypto.key_id(token) == new_kid
    assert ResponderContact.objects.get().contact == "+12135550100"
