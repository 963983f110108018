"""Dispatch requests to responders, over the same transports as alerts.

A responder chooses where requests reach them (``set_responder_contact``); the console's
``dispatch_responders`` action calls :func:`notify_dispatch` after commit for each
dispatch it makes. The message carries no place and no detail — SMS and email pass
through providers — only a link to the request, which needs the responder's login.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from vecinos.accounts.models import User
from vecinos.delivery.models import ResponderContact
from vecinos.delivery.send import send_transactional
from vecinos.reports.models import Dispatch

CHANNELS = ("sms", "email", "webpush")


def set_responder_contact(
    *, user: User, channel: str, address: str | dict[str, object], actor: User
) -> ResponderContact:
    """Set (or replace) where ``user`` gets dispatch requests on ``channel``. Only the
    person themself may, so nobody can divert someone else's requests."""
    from vecinos.alerts.subscriptions import normalize_contact

    if actor.pk != user.pk:
        raise PermissionError("only the responder sets their own contact")
    if channel not in CHANNELS:
        raise ValidationError({"channel": _("Choose SMS, email or web push.")})
    contact, _hash = normalize_contact(channel, address)
    with transaction.atomic():
        found, _created = ResponderContact.objects.update_or_create(
            user=user, channel=channel, defaults={"contact": contact}
        )
    return found


def remove_responder_contact(*, user: User, channel: str, actor: User) -> bool:
    if actor.pk != user.pk:
        raise PermissionError("only the responder removes their own contact")
    with transaction.atomic():
        deleted, _rows = ResponderContact.objects.filter(user=user, channel=channel).delete()
    return deleted > 0


def notify_dispatch(dispatch: Dispatch) -> int:
    """Send the dispatch request to every contact the responder set. Returns how many
    messages were queued (each leaves after the current transaction commits)."""
    responder = dispatch.responder
    url = settings.VECINOS_PUBLIC_URL + reverse("responder_dispatch", args=[dispatch.pk])
    language = responder.language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Vecinos: you are asked to check an incident")
        text = _(
            "Vecinos: a dispatcher asks you to check an incident. Answer within "
            "%(minutes)s minutes: %(url)s"
        ) % {"minutes": settings.DISPATCH_ACK_MINUTES, "url": url}
    queued = 0
    for contact in ResponderContact.objects.filter(user=responder):
        address: str | dict[str, object] = contact.contact
        if contact.channel == "webpush":
            address = json.loads(contact.contact)
        send_transactional(
            channel=contact.channel, address=address, subject=subject, text=text, url=url
        )
        queued += 1
    return queued
