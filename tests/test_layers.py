"""The arrows of imports point down (docs/architecture.md, "Layers"): core imports no
app, and an app imports only apps below it, at the top of a module or inside a
function alike. A lower layer reaches a higher one through ``vecinos/core/hooks.py``."""

from __future__ import annotations

import ast
from pathlib import Path

import vecinos

PACKAGE = Path(vecinos.__file__).resolve().parent
# Lowest first. The project-level modules (settings, urls, cli, wsgi) sit above all.
LAYERS = [
    "core",
    "accounts",
    "committees",
    "reports",
    "alerts",
    "delivery",
    "directory",
    "library",
    "organizing",
    "api",
    "feeds",
    "demo",
]
RANK = {app: rank for rank, app in enumerate(LAYERS)}
# api and feeds are siblings: neither imports the other.
SIBLINGS = {frozenset({"api", "feeds"})}


def imports_of(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def app_of(module: str) -> str | None:
    """The app ``module`` belongs to; None outside the apps (other packages, and the
    project's own settings, urls, cli and wsgi, which load the apps, not use them)."""
    parts = module.split(".")
    if parts[0] != "vecinos" or len(parts) < 2 or not (PACKAGE / parts[1]).is_dir():
        return None
    return parts[1]


def upward_imports() -> list[str]:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if len(relative.parts) < 2 or relative.parts[0] not in RANK:
            continue  # settings, urls, cli, wsgi: the top
        here = relative.parts[0]
        for line, module in imports_of(path):
            there = app_of(module)
            if there is None or there == here:
                continue
            if RANK[there] > RANK[here]:
                wrong.append(f"{relative}:{line} imports {module}")
            elif frozenset({here, there}) in SIBLINGS:
                wrong.append(f"{relative}:{line} imports its sibling {module}")
    return wrong


def test_every_app_is_in_the_layer_list() -> None:
    apps = {p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()}

    assert apps == set(LAYERS)


def test_no_module_imports_an_app_above_its_own() -> None:
    assert upward_imports() == []


def test_core_imports_no_app() -> None:
    core = [
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in (PACKAGE / "core").rglob("*.py")
        for _, module in imports_of(path)
        if app_of(module) not in (None, "core")
    ]

    assert core == []
