"""What is deleted is gone from the database file too (SQLite ``secure_delete``): a
purged report description must not be readable in free pages of a seized disk."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from django.db import connection

from vecinos.committees.models import Committee

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL reclaims deleted rows by vacuum"
)


def file_bytes() -> bytes:
    # What `vecinos purge` does after deleting: fold the WAL into the file and empty
    # it, so no older copy of a page survives there (other connections may be open).
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    name = Path(str(connection.settings_dict["NAME"]))
    return b"".join(path.read_bytes() for path in [name, Path(f"{name}-wal")] if path.exists())


def write_and_delete(text: str) -> None:
    committee = Committee.objects.create(name="Temporary", slug=text[:40], description=text)
    committee.delete()


def test_a_deleted_rows_text_is_not_left_in_the_database_file(transactional_db: None) -> None:
    text = "purged description " + secrets.token_hex(16)

    write_and_delete(text)

    assert text.encode() not in file_bytes()


def test_without_secure_delete_the_text_would_still_be_there(transactional_db: None) -> None:
    """The check above can fail: with the pragma off, the deleted text is found."""
    text = "purged description " + secrets.token_hex(16)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete=OFF")
    try:
        write_and_delete(text)
        found = text.encode() in file_bytes()
    finally:
        connection.close()  # the next connection starts with the configured pragmas

    assert found
