"""Apps tell core things by convention, not by being imported from it: an app that has
``<app>/inventory.py``, ``<app>/demo.py`` or ``<app>/nav.py`` is found here, so core
imports no app and a new app only adds its own files (docs/architecture.md, "Hooks").
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import module_has_submodule

# core asks; the demo app is the one that collects ``<app>/demo.py``, not one of them.
SKIPPED = frozenset({"vecinos.core", "vecinos.demo"})


@cache
def app_modules(name: str) -> tuple[ModuleType, ...]:
    """The ``<app>.<name>`` modules of the installed Vecinos apps other than core and
    the demo app (which collects the others' ``demo.py``), in ``INSTALLED_APPS`` order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("vecinos.") or config.name in SKIPPED:
            continue
        if module_has_submodule(config.module, name):
            found.append(import_module(f"{config.name}.{name}"))
    return tuple(found)
