"""Dispatch requests to responders, over the same transports as alerts.

A responder chooses where requests reach them on their contact page
(``vecinos.delivery.views_responder``); the console's ``dispatch_responders`` action
calls :func:`notify_dispatch` after commit for each dispatch it makes. The message
carries no place and no detail — SMS and email pass through providers — only a link to
the request, which needs the responder's login.

Setting an SMS or email contact takes two steps, with the same 6-digit codes as
subscriptions (``vecinos.alerts.subscriptions``: made, counted per contact, sent and
judged there):

1. ``request_responder_contact`` sends a code to the contact typed and returns a
   :class:`PendingContact`; nothing is stored in the database, and requests keep
   going where they went. The caller keeps the pending contact in the responder's
   session (server-side), where it holds the contact only encrypted and the code
   only as a keyed hash.
2. ``confirm_responder_contact`` checks the code typed back; if right, the contact
   replaces the one on that channel (``set_responder_contact``).

A browser's web-push subscription needs no code: only that browser can make it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vecinos.accounts.events import record_event as record_account_event
from vecinos.accounts.models import AccountEvent, User
from vecinos.alerts import subscriptions
from vecinos.core import crypto, ratelimit
from vecinos.delivery.models import ResponderContact
from vecinos.delivery.tasks import send_transactional
from vecinos.reports.models import Dispatch, DispatchStatus

CHANNELS = ("sms", "email", "webpush")
# Channels a code is sent over; web push proves itself.
CODE_CHANNELS = ("sms", "email")
PENDING_PURPOSE = "delivery.ResponderContact.pending"
CODE_TEXT = gettext_lazy(
    "Vecinos: your code is %(code)s. It expires in %(minutes)s minutes. It confirms "
    "where dispatch requests reach you. If you did not ask for it, ignore this message."
)
# Test messages a responder may send themself: enough to try each channel.
TEST_RATE = (5, 3600)


class TooManyTests(Exception):
    """The responder sent themself as many test messages as an hour allows."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many test messages")
        self.retry_after = retry_after


def _own(user: User, actor: User) -> None:
    # Nobody may divert someone else's dispatch requests, or read where they go.
    if actor.pk != user.pk:
        raise PermissionError("only the responder sets their own contact")


def _bound(user: User, channel: str, contact_hash: str) -> str:
    """What a code confirms: this person, on this channel, this contact. A code sent
    for one contact confirms no other, even in the same session."""
    return f"responder:{user.pk}:{channel}:{contact_hash}"


@dataclass
class PendingContact:
    """An SMS or email contact a responder typed, waiting for its code."""

    channel: str
    sealed: str  # the normalised contact, encrypted (PENDING_PURPOSE)
    contact_hash: str
    digest: str  # keyed hash of the code; empty once voided
    expires_at: datetime
    attempts: int = 0

    @property
    def address(self) -> str:
        return crypto.decrypt(self.sealed, purpose=PENDING_PURPOSE)

    @property
    def masked(self) -> str:
        return subscriptions.mask_contact(self.channel, self.address)

    def to_session(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "sealed": self.sealed,
            "contact_hash": self.contact_hash,
            "digest": self.digest,
            "expires_at": self.expires_at.isoformat(),
            "attempts": self.attempts,
        }

    @classmethod
    def from_session(cls, data: object) -> PendingContact | None:
        """The pending contact kept by ``to_session``, or None for anything else
        (nothing kept, a session from an older version of this code, or a contact
        encrypted under a key retired since)."""
        if not isinstance(data, dict):
            return None
        expires_at = parse_datetime(str(data.get("expires_at", "")))
        attempts = data.get("attempts")
        fields = [data.get(name) for name in ("channel", "sealed", "contact_hash", "digest")]
        if (
            expires_at is None
            or not isinstance(attempts, int)
            or not all(isinstance(value, str) for value in fields)
            or data.get("channel") not in CODE_CHANNELS
        ):
            return None
        channel, sealed, contact_hash, digest = (str(value) for value in fields)
        try:
            crypto.decrypt(sealed, purpose=PENDING_PURPOSE)
        except crypto.DecryptionError:  # its key was retired since: ask again
            return None
        return cls(channel, sealed, contact_hash, digest, expires_at, attempts)


def set_responder_contact(
    *, user: User, channel: str, address: str | dict[str, object], actor: User
) -> ResponderContact:
    """Set (or replace) where ``user`` gets dispatch requests on ``channel``. Only the
    person themself may, so nobody can divert someone else's requests. The pages call
    it once the contact is proven: a code typed back (``confirm_responder_contact``),
    or a browser's own push subscription."""
    _own(user, actor)
    if channel not in CHANNELS:
        raise ValidationError({"channel": _("Choose SMS, email or web push.")})
    contact, _hash = subscriptions.normalize_contact(channel, address)
    with transaction.atomic():
        before = list(ResponderContact.objects.select_for_update().filter(user=user))
        found, created = ResponderContact.objects.update_or_create(
            user=user, channel=channel, defaults={"contact": contact}
        )
        record_account_event(
            AccountEvent.Type.CONTACT_SET,
            user=user,
            actor=actor,
            channel=channel,
            replaced=not created,
        )
        _tell_about_change(user, before, changed=channel)
    return found


def request_responder_contact(
    *, user: User, channel: str, address: str, language: str, actor: User
) -> PendingContact:
    """Step 1 of setting or changing an SMS or email contact: send a code to it.

    1. Only the person themself, only SMS or email (``ValidationError`` naming
       ``channel``); the address is normalised (``ValidationError`` naming ``address``).
    2. The code counts against the contact like a subscription's (``TooManyCodes``
       beyond ``SUBSCRIPTION_CONTACT_RATE``).
    3. A code bound to this person, channel and contact is sent, in ``language``,
       after the current transaction commits. Nothing else is written."""
    _own(user, actor)
    if channel not in CODE_CHANNELS:
        raise ValidationError({"channel": _("Choose SMS or email.")})
    contact, hashed = subscriptions.normalize_contact(channel, address)
    subscriptions.count_code(hashed)
    code, digest, expires_at = subscriptions.issue_code(_bound(user, channel, hashed))
    subscriptions.send_code(
        channel=channel, address=contact, language=language, code=code, text=CODE_TEXT
    )
    return PendingContact(
        channel=channel,
        sealed=crypto.encrypt(contact, purpose=PENDING_PURPOSE),
        contact_hash=hashed,
        digest=digest,
        expires_at=expires_at,
    )


def confirm_responder_contact(
    *, user: User, pending: PendingContact, code: str, actor: User
) -> ResponderContact:
    """Step 2: check the code typed back. Right: the contact replaces the one on its
    channel, and dispatch requests go there from now on. Otherwise
    ``ConfirmationError`` (``wrong``, ``expired`` or ``exhausted``, as for
    subscriptions); a wrong code costs one of ``SUBSCRIPTION_CODE_ATTEMPTS``, counted
    on ``pending`` (the caller keeps it), and the last one voids the code."""
    _own(user, actor)
    verdict, left = subscriptions.check_code(
        bound=_bound(user, pending.channel, pending.contact_hash),
        code=code,
        digest=pending.digest,
        expires_at=pending.expires_at,
        attempts=pending.attempts,
        now=timezone.now(),
    )
    if verdict == subscriptions.CODE_OK:
        return set_responder_contact(
            user=user, channel=pending.channel, address=pending.address, actor=actor
        )
    if verdict == subscriptions.CODE_EXPIRED:
        raise subscriptions.ConfirmationError(
            verdict, _("This code has expired. Ask for a new code.")
        )
    if verdict == subscriptions.CODE_WRONG:
        pending.attempts += 1
        if left:
            raise subscriptions.ConfirmationError(
                verdict,
                _("This code is not right. %(left)s attempts left.") % {"left": left},
                attempts_left=left,
            )
        pending.digest = ""
    raise subscriptions.ConfirmationError(
        subscriptions.CODE_EXHAUSTED, _("Too many wrong codes. Ask for a new code.")
    )


def remove_responder_contact(*, user: User, channel: str, actor: User) -> bool:
    """Stop sending dispatch requests to ``user``'s contact on ``channel``. True if
    there was one."""
    _own(user, actor)
    with transaction.atomic():
        before = list(ResponderContact.objects.select_for_update().filter(user=user))
        deleted, _rows = ResponderContact.objects.filter(user=user, channel=channel).delete()
        if deleted:
            record_account_event(
                AccountEvent.Type.CONTACT_REMOVED, user=user, actor=actor, channel=channel
            )
            _tell_about_change(user, before, changed=channel)
    return deleted > 0


def _tell_about_change(user: User, before: list[ResponderContact], *, changed: str) -> None:
    """Tell the contacts ``user`` had before a change (the replaced one included) that
    where their dispatch requests go has changed: whoever got into the account cannot
    quietly divert requests, which name where help is needed, to a phone of theirs.
    Sent after commit, in the person's language, without the new contact."""
    if not before:
        return
    url = settings.VECINOS_PUBLIC_URL + reverse("responder_contact")
    channel_names = {"sms": _("text message"), "email": _("email"), "webpush": _("web push")}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("Vecinos: where your dispatch requests go has changed")
        text = _(
            "Vecinos: your %(channel)s contact for dispatch requests was just changed. "
            "If it was not you, tell your coordinator now: %(url)s"
        ) % {"channel": channel_names.get(changed, changed), "url": url}
    for contact in before:
        send_transactional(
            channel=contact.channel, address=_address(contact), subject=subject, text=text, url=url
        )


def contacts_of(user: User) -> list[ResponderContact]:
    """``user``'s dispatch contacts, SMS first, then email, then web push."""
    found = {contact.channel: contact for contact in ResponderContact.objects.filter(user=user)}
    return [found[channel] for channel in CHANNELS if channel in found]


def masked(contact: ResponderContact) -> str:
    """Enough of the contact for its owner to recognise it (``•••0177``)."""
    return subscriptions.mask_contact(contact.channel, str(contact.contact))


def _address(contact: ResponderContact) -> str | dict[str, object]:
    if contact.channel == "webpush":
        value: dict[str, object] = json.loads(contact.contact)
        return value
    return str(contact.contact)


def send_responder_test(*, user: User, channel: str, actor: User) -> ResponderContact | None:
    """Send a test message to ``user``'s contact on ``channel``, worded in their
    language like a dispatch request, so they see one arrive before it matters.
    None if there is no contact on that channel; ``TooManyTests`` beyond
    ``TEST_RATE``."""
    _own(user, actor)
    contact = ResponderContact.objects.filter(user=user, channel=channel).first()
    if contact is None:
        return None
    verdict = ratelimit.hit("responder-contact-test", str(user.pk), TEST_RATE)
    if not verdict.allowed:
        raise TooManyTests(verdict.retry_after)
    url = settings.VECINOS_PUBLIC_URL + reverse("responder_home")
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("Vecinos: test message")
        text = _(
            "Vecinos: this is a test. Dispatch requests will reach you here, with a "
            "link like this one: %(url)s"
        ) % {"url": url}
    send_transactional(
        channel=channel, address=_address(contact), subject=subject, text=text, url=url
    )
    return contact


def notify_dispatch_id(dispatch_id: int) -> None:
    """After a dispatch commits (``hooks.dispatch_requested``, from
    ``vecinos.reports.actions.dispatch_responders``): send the request where the
    responder chose to get it, if it is still waiting for them. The request is on
    their page in the app either way."""
    dispatch = Dispatch.objects.select_related("responder").filter(pk=dispatch_id).first()
    if dispatch is not None and dispatch.status == DispatchStatus.REQUESTED:
        notify_dispatch(dispatch)


def contacts_for_page(user: User) -> list[tuple[ResponderContact, str]]:
    """``user``'s dispatch contacts, each with the masked text their page shows
    (``hooks.responder_contacts``: the responder's home page in reports)."""
    return [(contact, masked(contact)) for contact in contacts_of(user)]


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
        send_transactional(
            channel=contact.channel, address=_address(contact), subject=subject, text=text, url=url
        )
        queued += 1
    return queued
