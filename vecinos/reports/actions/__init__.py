"""Writes to reports and incidents, one module per concern:

- ``intake``: the domain rules of a report, and submitting reports (one, or a batch
  from the SQLite group-commit writer) into incidents;
- ``summary``: an incident's summary recomputed from its reports;
- ``dispatch``: responders on call, dispatch requests and their answers;
- ``verification``: the outcome of a check on the ground;
- ``lifecycle``: closing, reopening, merging, splitting, the public label;
- ``common``: the errors they raise and the checks they share.

Every action runs under ``transaction.atomic``, records a timeline row per state
change (``vecinos.reports.events.record_event``) and leaves side effects (live updates,
messages) to ``transaction.on_commit``. Callers use this package
(``actions.submit_report(...)``); the names below are its whole public surface.
"""

from vecinos.reports.actions.common import (
    ACTIVE_DISPATCH,
    CORRECTIONS,
    MAX_PUBLIC_LABEL,
    MAX_RADIUS_KM,
    MAX_VERIFICATION_NOTES,
    MIN_RADIUS_KM,
    VERIFIABLE,
    ActionRefused,
    InvalidInput,
    InvalidTransition,
)
from vecinos.reports.actions.dispatch import (
    acknowledge_dispatch,
    decline_dispatch,
    dispatch_responders,
    expire_dispatch,
    set_availability,
)
from vecinos.reports.actions.intake import (
    MAX_AGE,
    MAX_AHEAD,
    MAX_DESCRIPTION,
    MAX_LANGUAGE,
    MAX_OFFICERS,
    MAX_PLACE,
    MAX_VEHICLES,
    NewReport,
    check_report,
    source_tag,
    submit_report,
    submit_reports,
    text_problem,
)
from vecinos.reports.actions.lifecycle import (
    close_incident,
    close_quiet_incident,
    merge_incidents,
    reopen_incident,
    set_public_label,
    split_report,
)
from vecinos.reports.actions.summary import refresh_incident
from vecinos.reports.actions.verification import verify_incident

__all__ = [
    "ACTIVE_DISPATCH",
    "CORRECTIONS",
    "MAX_AGE",
    "MAX_AHEAD",
    "MAX_DESCRIPTION",
    "MAX_LANGUAGE",
    "MAX_OFFICERS",
    "MAX_PLACE",
    "MAX_PUBLIC_LABEL",
    "MAX_RADIUS_KM",
    "MAX_VEHICLES",
    "MAX_VERIFICATION_NOTES",
    "MIN_RADIUS_KM",
    "VERIFIABLE",
    "ActionRefused",
    "InvalidInput",
    "InvalidTransition",
    "NewReport",
    "acknowledge_dispatch",
    "check_report",
    "close_incident",
    "close_quiet_incident",
    "decline_dispatch",
    "dispatch_responders",
    "expire_dispatch",
    "merge_incidents",
    "refresh_incident",
    "reopen_incident",
    "set_availability",
    "set_public_label",
    "source_tag",
    "split_report",
    "submit_report",
    "submit_reports",
    "text_problem",
    "verify_incident",
]
