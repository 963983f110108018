"""Reporters who texted us: keeping their number out of sight, and answering them.

``record_reporter_contact`` keeps the number of an SMS report encrypted
(``ReporterContact``) for ``REPORT_RETENTION`` days. ``reply_to_reporter`` lets a
dispatcher answer from the console: the number is decrypted only inside the send
task, and no page, event or log shows it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from vecinos.accounts.access import require_role
from vecinos.accounts.models import Role, User
from vecinos.alerts.subscriptions import LANGUAGES
from vecinos.core import crypto, ratelimit
from vecinos.delivery.models import ReporterContact
from vecinos.delivery.tasks import send_transactional
from vecinos.reports.actions import text_problem
from vecinos.reports.events import record_event
from vecinos.reports.models import IncidentEvent, Report

CONTACT_PURPOSE = "reporter-contact:sms"
# Three SMS segments at most: a reply is a question or a thank-you, not a letter.
MAX_REPLY = 300
# Replies to one reporter per hour: a dispatcher's questions, not a stream.
REPLY_RATE = (10, 3600)
REPLIED = IncidentEvent.Type.REPLIED


def record_reporter_contact(*, report: Report, phone: str) -> ReporterContact:
    """Keep the (normalised) number of an SMS report, encrypted."""
    number = crypto.normalize_phone(phone)
    return ReporterContact.objects.create(
        report=report,
        contact=number,
        contact_hash=crypto.keyed_hash(number, purpose=CONTACT_PURPOSE),
        created_at=report.received_at,
    )


def can_reply(report: Report) -> bool:
    return ReporterContact.objects.filter(report=report).exists()


def reply_to_reporter(*, report: Report, text: str, actor: User) -> None:
    """Send ``text`` by SMS to whoever sent ``report``, and note it on the incident's
    timeline (who replied to which report, and how long the text was: not the text,
    not the number). ``ValidationError`` names ``text`` when the reply is empty, too
    long or holds control characters, and ``report`` when there is no number (not an
    SMS report, or its number has passed its retention window)."""
    require_role(actor, Role.DISPATCHER)
    body = (text or "").strip() if isinstance(text, str) else ""
    if not body:
        raise ValidationError({"text": [_("Write a reply.")]})
    if len(body) > MAX_REPLY:
        raise ValidationError(
            {"text": [_("Use at most %(limit)s characters.") % {"limit": MAX_REPLY}]}
        )
    if problem := text_problem(body):
        raise ValidationError({"text": [problem]})
    with transaction.atomic():
        contact = ReporterContact.objects.filter(report=report).first()
        if contact is None:
            raise ValidationError(
                {"report": [_("This reporter cannot be reached: the number is gone.")]}
            )
        verdict = ratelimit.hit("reporter-reply", contact.contact_hash, REPLY_RATE)
        if not verdict.allowed:
            raise ValidationError(
                {"text": [_("This reporter has had many replies this hour. Try again later.")]}
            )
        record_event(report.incident, REPLIED, actor=actor, report=str(report.id), chars=len(body))
        language = report.language if report.language in LANGUAGES else "en"
        with translation.override(language):
            message = _("Vecinos: %(text)s") % {"text": body}
        # send_transactional enqueues after commit: nothing leaves if this rolls back.
        send_transactional(channel="sms", address=contact.contact, subject="", text=message)
