"""How apps above reports take part in dispatch without reports importing them.

- ``DISPATCH_RULES``: each takes the people about to be dispatched (or suggested) and
  returns ``{person id: reason}`` for those who may not be. The organizing app refuses
  committee members without a valid responder training (vecinos/organizing/hooks.py).
- ``CONSOLE_PANELS``: each takes the incident shown (None on the queue page) and
  returns a panel for the console (a template name and its context) or None: the
  organizing app shows who is on call now and suggests on-call responders.

Registered from the apps' ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vecinos.accounts.models import User
    from vecinos.reports.models import Incident

DispatchRule = Callable[[Sequence["User"]], dict[int, str]]
ConsolePanel = Callable[["Incident | None"], "dict[str, Any] | None"]

DISPATCH_RULES: list[DispatchRule] = []
CONSOLE_PANELS: list[ConsolePanel] = []


def unfit_for_dispatch(people: Iterable[User]) -> dict[int, str]:
    """``{person id: reason}`` for those of ``people`` a rule refuses."""
    chosen = list(people)
    refused: dict[int, str] = {}
    if not chosen:
        return refused
    for rule in DISPATCH_RULES:
        for pk, reason in rule(chosen).items():
            refused.setdefault(pk, reason)
    return refused


def console_panels(incident: Incident | None) -> list[dict[str, Any]]:
    return [panel for make in CONSOLE_PANELS if (panel := make(incident)) is not None]
