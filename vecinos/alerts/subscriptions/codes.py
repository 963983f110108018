"""Confirmation codes. A 6-digit code sent to a contact proves its holder typed it.
Subscriptions keep theirs on the row; a responder's dispatch contact
(vecinos.delivery.responders) keeps its own in the session until confirmed. Both go
through these functions: one way to make a code, count it against the contact, send
it and judge what was typed."""

from __future__ import annotations

import hmac
import secrets
import unicodedata
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vecinos.core import crypto, hooks, ratelimit

CODE_DIGITS = 6


CODE_PURPOSE = "subscription-code"


class TooManyCodes(Exception):
    """This contact was sent as many codes as an hour allows (someone may be typing
    another person's number): try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many confirmation codes for this contact")
        self.retry_after = retry_after


CODE_OK = "ok"


CODE_WRONG = "wrong"


CODE_EXPIRED = "expired"


CODE_EXHAUSTED = "exhausted"


CODE_TEXT = gettext_lazy(
    "Vecinos: your code is %(code)s. It expires in %(minutes)s minutes. "
    "If you did not ask for alerts, ignore this message."
)


def _code_hash(subscription_id: object, code: str) -> str:
    # Bound to the row, so a hash copied to another row matches nothing.
    return crypto.keyed_hash(f"{subscription_id}:{code}", purpose=CODE_PURPOSE)


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _code_minutes() -> int:
    return int(getattr(settings, "SUBSCRIPTION_CODE_MINUTES", 15))


def _max_attempts() -> int:
    return int(getattr(settings, "SUBSCRIPTION_CODE_ATTEMPTS", 5))


def issue_code(bound: object) -> tuple[str, str, datetime]:
    """A fresh code for ``bound`` (whatever it must confirm, e.g. a row's id): (the
    code, to send; its keyed hash, to keep; when it expires)."""
    code = _new_code()
    return code, _code_hash(bound, code), timezone.now() + timedelta(minutes=_code_minutes())


def count_code(contact_hash: str) -> None:
    """Count one code about to be sent to this contact, or raise ``TooManyCodes``:
    ``SUBSCRIPTION_CONTACT_RATE`` per contact whatever asks for it, so nobody can
    flood someone else's phone with codes by typing their number anywhere."""
    verdict = ratelimit.hit(
        "subscription-code",
        contact_hash,
        getattr(settings, "SUBSCRIPTION_CONTACT_RATE", (3, 3600)),
    )
    if not verdict.allowed:
        raise TooManyCodes(verdict.retry_after)


def check_code(
    *,
    bound: object,
    code: object,
    digest: str,
    expires_at: datetime | None,
    attempts: int,
    now: datetime,
) -> tuple[str, int]:
    """Judge a typed ``code`` against the kept ``digest``: (verdict, attempts left).

    1. No code kept, or ``SUBSCRIPTION_CODE_ATTEMPTS`` used up: ``exhausted``.
    2. Past ``expires_at``: ``expired``.
    3. Not the code: ``wrong``, which costs an attempt (the caller records it); the
       count is of attempts left after this one: at 0 the caller voids the code and
       answers as for ``exhausted``.
    4. Otherwise ``ok``.
    The comparison takes the same time whatever the digits."""
    left = max(0, _max_attempts() - attempts)
    if not digest or left == 0:
        return CODE_EXHAUSTED, 0
    if expires_at is None or expires_at <= now:
        return CODE_EXPIRED, left
    if isinstance(code, str) and hmac.compare_digest(_code_hash(bound, plain_digits(code)), digest):
        return CODE_OK, left
    return CODE_WRONG, left - 1


def plain_digits(code: str) -> str:
    """``code`` without surrounding space, its digits as ASCII: a phone keyboard set to
    Chinese or Japanese types full-width digits, one set to Persian or Arabic its own
    (Extended Arabic-Indic, Arabic-Indic); all are the digits we sent, and the forms
    accept them as such (``\\d`` matches every decimal digit)."""
    return "".join(
        str(unicodedata.decimal(char)) if unicodedata.decimal(char, None) is not None else char
        for char in code.strip()
    )


def send_code(
    *, channel: str, address: str, language: str, code: str, text: Promise = CODE_TEXT
) -> None:
    """Send ``code`` to a contact (after commit), worded by ``text`` in ``language``."""
    with translation.override(language):
        subject = _("Your Vecinos confirmation code")
        body = str(text) % {"code": code, "minutes": _code_minutes()}
    hooks.send_transactional.call(channel=channel, address=address, subject=subject, text=body)
