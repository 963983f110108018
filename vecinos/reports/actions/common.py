"""What the report actions share: the errors they raise, the dispatcher check,
the row lock and the states they test."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vecinos.accounts.access import Forbidden, require_role
from vecinos.accounts.models import Role, User
from vecinos.reports import queries
from vecinos.reports.models import (
    DispatchStatus,
    Incident,
    IncidentStatus,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ActionRefused(Exception):
    """A write the rules refuse. ``message`` is translated and safe to show to the user;
    ``status_code`` is what the API answers (409: the state forbids it)."""

    status_code = 409

    def __init__(self, message: StrOrPromise) -> None:
        super().__init__(str(message))
        self.message = message


class InvalidTransition(ActionRefused):
    """The incident's or dispatch's current state does not allow this change."""


class InvalidInput(ActionRefused):
    """The request names something that cannot be used (422)."""

    status_code = 422


# Radius a responder may say they cover, in kilometres.
MIN_RADIUS_KM = 0.5
MAX_RADIUS_KM = queries.MAX_RADIUS_KM
MAX_VERIFICATION_NOTES = 2000
MAX_PUBLIC_LABEL = 120

ACTIVE_DISPATCH = (DispatchStatus.REQUESTED, DispatchStatus.ACKNOWLEDGED)
VERIFIABLE = (IncidentStatus.NEW, IncidentStatus.DISPATCHED)
# Outcomes a dispatcher may correct to once an incident has been checked.
CORRECTIONS: dict[str, frozenset[str]] = {
    IncidentStatus.CONFIRMED: frozenset({IncidentStatus.FALSE}),
    IncidentStatus.UNCONFIRMED: frozenset({IncidentStatus.CONFIRMED, IncidentStatus.FALSE}),
}


def _require_dispatcher(actor: User | None) -> User:
    if actor is None:
        raise Forbidden
    require_role(actor, Role.DISPATCHER)
    return actor


def _locked(incident: Incident) -> Incident:
    """The incident's current row, locked until the transaction ends (PostgreSQL;
    SQLite's immediate transactions already serialise writers)."""
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _status_change(status: str | None) -> dict[str, Any]:
    """Event data for an incident status that changed as a side effect, if it did."""
    return {"status": status} if status else {}


def _status_label(status: str) -> str:
    return str(IncidentStatus(status).label)


# Availability ----------------------------------------------------------------------------
