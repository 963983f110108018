"""What the organizing app registers with the apps below it (from ``ready()``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from vecinos.accounts.models import User


def dispatch_rule(people: Sequence[User]) -> dict[int, str]:
    """A committee member without a valid responder training is not dispatched
    (see ``queries.untrained_committee_people``)."""
    from vecinos.organizing import queries

    refused = queries.untrained_committee_people(person.pk for person in people)
    return {pk: str(_("no valid responder training")) for pk in refused}


def console_panel(incident: Any) -> dict[str, Any] | None:
    """On the queue: who is on call now. On an incident: on-call responders whose
    committee area covers it, nearest first (checkboxes of the dispatch form)."""
    from vecinos.organizing import queries

    if incident is None:
        return {"template": "organizing/console_on_call.html", "on_call": queries.on_call_now()}
    return {
        "template": "organizing/console_suggest.html",
        "suggested": queries.suggest_on_call(incident.cell),
    }


def sms_answer(*, sms_hash: str, answer: str, language: str) -> str | None:
    """SI/YES or NO from a number with a pending invitation: the RSVP."""
    from vecinos.organizing import actions
    from vecinos.organizing.models import Rsvp

    invitation = actions.answer_rsvp_by_sms(sms_hash=sms_hash, answer=answer)
    if invitation is None:
        return None
    with translation.override(invitation.user.language or language):
        values = {"title": invitation.event.title}
        if invitation.rsvp == Rsvp.YES:
            return _("Thank you: you are coming to %(title)s. Reply NO if that changes.") % values
        if invitation.rsvp == Rsvp.NO:
            return _("Thank you: you are not coming to %(title)s.") % values
        return _("Sorry, %(title)s is full.") % values


def register() -> None:
    from vecinos.core import hooks
    from vecinos.organizing import reminders

    reminders.register()
    hooks.sms_answer.register(sms_answer)
    hooks.dispatch_refusals.register(dispatch_rule)
    hooks.console_panels.register(console_panel)
