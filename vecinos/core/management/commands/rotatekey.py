"""``vecinos rotatekey``: a new field-encryption key, and every encrypted value moved to it.

1. Generate a key and write it FIRST into ``DATA_DIR/encryption.keys`` (old keys stay,
   so values not yet moved, and processes not yet restarted, keep working).
2. Switch this process to the new list (settings were read at start-up).
3. For every ``EncryptedTextField`` of every model, walk the rows in primary-key
   order, ``--batch-size`` at a time, each batch in its own transaction; a value
   under an older key is decrypted and written back under the new one with a
   conditional update (``WHERE pk = … AND column = <old token>``), so a value
   changed meanwhile by someone else is left to them, not overwritten.
4. With ``--retire``: scan every encrypted value again and drop from the file the keys
   no value uses any more (never the active one).

Cost: one read of every encrypted column plus one UPDATE per value moved; memory is
one batch. Running it twice is harmless: values already under the active key are
skipped.

Other processes read the key file again when they meet a key id they do not know,
so they can decrypt moved values at once; they keep *encrypting* under the key they
started with until restarted. Restart every web process and worker before
``--retire``.
"""

from __future__ import annotations

import base64
import os
import secrets
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F

from vecinos.core import config, crypto, hooks
from vecinos.core.fields import EncryptedTextField, encrypted_fields

ENV_HOWTO = """\
The field-encryption keys come from VECINOS_ENCRYPTION_KEY, which this command cannot
change. Rotate by hand:
  1. vecinos rotatekey --print-key                  prints a new "kid:key" item
  2. put it FIRST: VECINOS_ENCRYPTION_KEY=<new item>,<the old items>
     and restart every web process and worker
  3. vecinos rotatekey --no-new-key                 moves every value to the new key
  4. vecinos rotatekey --no-new-key --retire        lists the keys no value uses;
     remove those from VECINOS_ENCRYPTION_KEY and restart again"""


def raw_column(field: EncryptedTextField) -> ExpressionWrapper:
    """The stored token itself: the column read as plain text, so the field's
    ``from_db_value`` (which would decrypt) is not applied."""
    return ExpressionWrapper(F(field.attname), output_field=models.TextField())


def write_key_file(path: Path, keys: list[tuple[str, bytes]]) -> None:
    """Replace the key file atomically, readable by its owner only."""
    lines = [f"{kid} {base64.urlsafe_b64encode(key).decode().rstrip('=')}" for kid, key in keys]
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".encryption.keys.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def reencrypt(model: type[models.Model], field: EncryptedTextField, *, batch_size: int) -> int:
    """Move every value of ``field`` to the active key; returns how many moved."""
    active = crypto.active_key_id()
    manager = model._base_manager
    moved = 0
    last_pk: Any = None
    while True:
        with transaction.atomic():
            rows = manager.annotate(_token=raw_column(field)).filter(
                **{f"{field.name}__isnull": False}
            )
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.order_by("pk").values_list("pk", "_token")[:batch_size])
            for pk, token in batch:
                if not token or crypto.key_id(token) == active:
                    continue
                plain = crypto.decrypt(token, purpose=field.purpose)
                moved += (
                    manager.filter(pk=pk)
                    .alias(_token=raw_column(field))
                    .filter(_token=token)
                    .update(**{field.attname: plain})
                )
        if len(batch) < batch_size:
            return moved
        last_pk = batch[-1][0]


def key_ids_in_use(model: type[models.Model], field: EncryptedTextField) -> Counter[str]:
    tokens = (
        model._base_manager.annotate(_token=raw_column(field))
        .filter(**{f"{field.name}__isnull": False})
        .values_list("_token", flat=True)
    )
    return Counter(crypto.key_id(token) for token in tokens.iterator(chunk_size=2000) if token)


class Command(BaseCommand):
    help = "Make a new field-encryption key and re-encrypt every encrypted value under it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--retire",
            action="store_true",
            help="afterwards, remove the keys that no stored value uses any more",
        )
        parser.add_argument(
            "--no-new-key",
            action="store_true",
            help="do not make a key: move every value to the current first key",
        )
        parser.add_argument(
            "--print-key",
            action="store_true",
            help='only print a new key as "kid:key" (for VECINOS_ENCRYPTION_KEY)',
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["print_key"]:
            self.stdout.write(config.new_key_line().replace(" ", ":", 1))
            return
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        from_env = bool(config.env_str("VECINOS_ENCRYPTION_KEY"))
        if from_env and not options["no_new_key"]:
            self.stderr.write(ENV_HOWTO)
            raise CommandError("keys from VECINOS_ENCRYPTION_KEY must be rotated by hand")

        path = crypto.key_file()
        if not options["no_new_key"]:
            current = config.encryption_keys(directory=path.parent)
            new_kid = secrets.token_hex(4)
            while new_kid in dict(current):
                new_kid = secrets.token_hex(4)
            write_key_file(path, [(new_kid, secrets.token_bytes(32)), *current])
            # Settings were read when this process started: use what was just written.
            crypto.use_keys(config.encryption_keys(directory=path.parent))
            self.stdout.write(f"New active key {new_kid} written first in {path}.")

        active = crypto.active_key_id()
        for model, field in encrypted_fields():
            moved = reencrypt(model, field, batch_size=batch_size)
            self.stdout.write(f"{field.purpose}: {moved} value(s) moved to key {active}.")
        # Values apps encrypt outside EncryptedTextField (MFA secrets: accounts).
        for purpose, moved, _in_use in hooks.reencrypt.call():
            self.stdout.write(f"{purpose}: {moved} value(s) moved to key {active}.")

        if options["retire"]:
            self.retire(from_env=from_env)
        elif not options["no_new_key"]:
            self.stdout.write(
                "Restart every web process and worker so they encrypt with the new key, "
                "then run `vecinos rotatekey --no-new-key --retire` to drop the old ones."
            )

    def retire(self, *, from_env: bool) -> None:
        used: Counter[str] = Counter()
        for model, field in encrypted_fields():
            used += key_ids_in_use(model, field)
        for _purpose, _moved, in_use in hooks.reencrypt.call():
            used += in_use
        keys = crypto.keys()
        active = keys[0][0]
        keep = [(kid, key) for kid, key in keys if kid == active or used[kid]]
        retired = [kid for kid, _ in keys if kid not in dict(keep)]
        for kid, _ in keep[1:]:
            self.stdout.write(f"Key {kid} is still used by {used[kid]} value(s): kept.")
        if not retired:
            self.stdout.write("No key to retire.")
            return
        if from_env:
            self.stdout.write(
                "No value uses these keys; remove them from VECINOS_ENCRYPTION_KEY and "
                "restart: " + ", ".join(retired)
            )
            return
        write_key_file(crypto.key_file(), keep)
        crypto.use_keys(keep)
        self.stdout.write("Retired key(s): " + ", ".join(retired) + ".")
