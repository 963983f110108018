"""The one set of errors every app's actions raise for a write the rules refuse
(docs/architecture.md, "Actions, events and on_commit"). ``message`` is translated and
safe to show; ``status_code`` is what the API answers; ``field`` names the input at
fault, when one is. Apps subclass them (``AlertRefused``, ``AccountError``) to say
whose rule it is; views and the API catch ``ActionRefused``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ActionRefused(Exception):
    """The state forbids it (409)."""

    status_code = 409

    def __init__(self, message: StrOrPromise, *, field: str = "") -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class InvalidTransition(ActionRefused):
    """The incident's, dispatch's or alert's current state does not allow this change."""


class InvalidInput(ActionRefused):
    """The request names something that cannot be used (422)."""

    status_code = 422
