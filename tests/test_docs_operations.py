"""docs/operations.md lists every setting the code reads from the environment and
every `vecinos` command the project adds."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = (ROOT / "docs" / "operations.md").read_text()
ENV_READ = re.compile(r"env_(?:str|bool|int|float|list)\(\s*\"([A-Z][A-Z0-9_]*)\"")


def environment_variables() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "vecinos").rglob("*.py"):
        found.update(ENV_READ.findall(path.read_text()))
    return found


def project_commands() -> set[str]:
    return {
        path.stem
        for path in (ROOT / "vecinos").glob("*/management/commands/*.py")
        if not path.stem.startswith("_")
    }


def test_every_environment_variable_is_documented() -> None:
    variables = environment_variables()

    assert "VECINOS_DATA_DIR" in variables  # the scan finds them
    assert sorted(name for name in variables if f"`{name}`" not in OPERATIONS) == []


def test_every_project_command_is_documented() -> None:
    commands = project_commands()

    assert {"serve", "worker", "purge"} <= commands
    assert sorted(name for name in commands if f"`vecinos {name}" not in OPERATIONS) == []
