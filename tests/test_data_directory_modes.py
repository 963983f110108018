"""The data directory and uploaded photos get the modes docs/operations.md states:
directories 0700, files 0600, whatever the umask; an existing data directory or
media directory left at 0755 is tightened."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import photo_bytes
from vecinos.core import config
from vecinos.reports import photos

pytestmark = pytest.mark.django_db


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The umask a server started by hand often has: group and others may read."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_an_existing_data_directory_at_0755_becomes_0700(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loose_umask: None
) -> None:
    existing = tmp_path / "var"
    existing.mkdir(mode=0o755)
    existing.chmod(0o755)
    monkeypatch.setenv("VECINOS_DATA_DIR", str(existing))

    assert config.data_dir() == existing.resolve()

    assert mode(existing) == 0o700


def test_a_new_data_directory_is_0700(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loose_umask: None
) -> None:
    monkeypatch.setenv("VECINOS_DATA_DIR", str(tmp_path / "fresh" / "var"))

    assert mode(config.data_dir()) == 0o700


def test_an_uploaded_photo_is_0600_in_a_0700_directory(
    media_root: Path, settings: Any, loose_umask: None
) -> None:
    media_root.chmod(0o755)  # as an older version left it
    name = photos.store_photo(photos.clean_photo(photo_bytes()))

    stored = media_root / name
    assert mode(stored) == 0o600
    assert mode(stored.parent) == 0o700
    assert mode(media_root) == 0o700
