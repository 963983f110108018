"""A wheel of the project (what ``pip install .`` installs) carries the compiled
translation catalogues, so a deployment that follows docs/operations.md without
``make`` still serves Spanish."""

from __future__ import annotations

import gettext
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
        check=True,
        timeout=600,
    )
    [built] = out.glob("vecinos-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_carries_the_compiled_spanish_catalogue(wheel: zipfile.ZipFile) -> None:
    compiled = wheel.read("vecinos/locale/es/LC_MESSAGES/django.mo")
    spanish = gettext.GNUTranslations(io.BytesIO(compiled))

    assert spanish.gettext("Report what you see") == "Reporte lo que ve"


def test_the_wheel_carries_templates_and_static_files(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()

    assert "vecinos/templates/base.html" in names
    assert any(name.startswith("vecinos/core/static/") for name in names)
