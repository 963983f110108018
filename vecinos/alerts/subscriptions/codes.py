"""Confirmation codes. A 6-digit code sent to a contact proves its holder typed it.
Subscriptions keep theirs on the row; a responder's dispatch contact
(vecinos.delivery.responders) keeps its own in the session until confirmed. Both go
through these functions: one way to make a code, count it against the contact, word it
and judge what was typed.

A code is never stored, queued or logged: it is derived (``code_for``: a keyed hash
under ``hash.key``) from what it confirms and the moment it was issued, and only a
keyed hash of it is kept. The task that sends it carries ids and derives it again when
it runs, so the queue (a SQLite file and its WAL, or Redis) never holds a code."""

from __future__ import annotations

import hmac
import unicodedata
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vecinos.core import crypto, ratelimit

CODE_DIGITS = 6
CODE_PURPOSE = "subscription-code"


class TooManyCodes(Exception):
    """This contact was sent as many codes as an hour (or a day) allows (someone may
    be typing another person's number): try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many confirmation codes for this contact")
        self.retry_after = retry_after


CODE_OK = "ok"
CODE_WRONG = "wrong"
CODE_EXPIRED = "expired"
CODE_EXHAUSTED = "exhausted"
CODE_DERIVE_PURPOSE = "subscription-code-derive"
CODE_TEXT = gettext_lazy(
    "Vecinos: your code is %(code)s. It expires in %(minutes)s minutes. "
    "If you did not ask for alerts, ignore this message."
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _code_hash(subscription_id: object, code: str) -> str:
    # Bound to the row, so a hash copied to another row matches nothing.
    return crypto.keyed_hash(f"{subscription_id}:{code}", purpose=CODE_PURPOSE)


def code_for(bound: str, issued: datetime) -> str:
    """The code for ``bound`` (what it confirms) issued at ``issued``: six digits of a
    keyed hash, so only this server can make it, and the same again when the sending
    task runs. Microseconds make two issues to the same contact different codes."""
    micros = (issued - _EPOCH) // timedelta(microseconds=1)
    digest = crypto.keyed_hash(f"{bound}@{micros}", purpose=CODE_DERIVE_PURPOSE)
    return f"{int(digest, 16) % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def _code_minutes() -> int:
    return int(getattr(settings, "SUBSCRIPTION_CODE_MINUTES", 15))


def _max_attempts() -> int:
    return int(getattr(settings, "SUBSCRIPTION_CODE_ATTEMPTS", 5))


def issue_code(bound: str) -> tuple[str, str, datetime]:
    """A fresh code for ``bound`` (whatever it must confirm): (the code; its keyed
    hash, to keep; when it expires, which is also what it is derived from:
    ``code_for(bound, expires_at)`` gives it again)."""
    expires_at = timezone.now() + timedelta(minutes=_code_minutes())
    code = code_for(bound, expires_at)
    return code, _code_hash(bound, code), expires_at


def count_code(contact_hash: str, *, scope: str = "subscription-code") -> None:
    """Count one code about to be sent to this contact, or raise ``TooManyCodes``:
    ``SUBSCRIPTION_CONTACT_RATE`` per contact (and ``SUBSCRIPTION_CONTACT_DAILY_RATE``
    a day), so nobody can flood someone else's phone with codes by typing their
    number anywhere."""
    for suffix, rate in (
        ("", getattr(settings, "SUBSCRIPTION_CONTACT_RATE", (3, 3600))),
        (":day", getattr(settings, "SUBSCRIPTION_CONTACT_DAILY_RATE", (6, 86400))),
    ):
        verdict = ratelimit.hit(scope + suffix, contact_hash, rate)
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


def code_message(*, language: str, code: str, text: Promise = CODE_TEXT) -> tuple[str, str]:
    """(subject, text) of a code message in ``language``."""
    with translation.override(language):
        subject = _("Your Vecinos confirmation code")
        body = str(text) % {"code": code, "minutes": _code_minutes()}
    return subject, body
