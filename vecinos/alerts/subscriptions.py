"""Writes to subscriptions: subscribe, confirm, stop, resume, disable.

A subscriber has no account. What proves they hold a contact is a 6-digit code sent
to it (SMS, email), the browser's own push subscription (web push), or an inbound SMS
from the number (``JOIN 90033``). The contact is stored encrypted with a keyed hash
for lookups (``contact_hash``, separated by channel), and the area only as H3 cells.

Every write runs under ``transaction.atomic``; messages leave only after commit.
Subscriptions have no event table of their own on purpose: a history of who
subscribed where would be the very list a seizure is after. The row's own times
(``created_at``, ``confirmed_at``, ``stopped_at``) and ``disabled_reason`` say enough.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vecinos.alerts import areas, messages
from vecinos.alerts.models import (
    Subscription,
    SubscriptionCell,
    SubscriptionChannel,
    SubscriptionStatus,
)
from vecinos.core import crypto, ratelimit

# Languages an alert is written in (vecinos.alerts.phrases), with their own names for
# the language menu: a reader finds their own language.
LANGUAGES: dict[str, str] = dict(messages.LANGUAGES)
CODE_DIGITS = 6
CODE_PURPOSE = "subscription-code"
MAX_ENDPOINT = 1024
# Live subscriptions one contact may hold: home, work, school, family... not a hundred.
MAX_PER_CONTACT = 10
LIVE_STATUSES = (SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE)


class TooManyCodes(Exception):
    """This contact was sent as many codes as an hour allows (someone may be typing
    another person's number): try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many confirmation codes for this contact")
        self.retry_after = retry_after


class ConfirmationError(Exception):
    """The code was not accepted. ``reason`` is ``wrong`` (``attempts_left`` says how
    many tries remain), ``expired``, ``exhausted`` (too many wrong codes: subscribe
    again) or ``not_pending`` (stopped or disabled)."""

    def __init__(self, reason: str, message: str, *, attempts_left: int = 0) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.attempts_left = attempts_left


# Contacts --------------------------------------------------------------------------------


def contact_purpose(channel: str) -> str:
    return f"subscription-contact:{channel}"


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _b64url_bytes(value: object, field: str, length: int) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 256:
        raise _refuse(field, _("Enter the key the browser gave."))
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise _refuse(field, _("This key is not base64url.")) from None
    if len(raw) != length:
        raise _refuse(field, _("This key has the wrong length."))
    return value.rstrip("=")


def _push_host_allowed(host: str) -> bool:
    allowed = [h.lower().lstrip(".") for h in getattr(settings, "SUBSCRIPTION_PUSH_HOSTS", ["*"])]
    if "*" in allowed:
        return True
    return any(host == suffix or host.endswith("." + suffix) for suffix in allowed)


def _push_url_standard(parts: Any) -> bool:
    """The shape every known push service gives its endpoints: the standard https
    port (none, or 443), no fragment, and a path (the subscription's token). A port
    of our choosing would aim the workers at another service on the push host."""
    try:
        port = parts.port
    except ValueError:
        return False
    return port in (None, 443) and not parts.fragment and len(parts.path) > 1


def _normalize_push(address: object) -> tuple[str, str]:
    """A browser's PushSubscription JSON → (canonical JSON, endpoint).

    Only ``endpoint`` and ``keys`` (``p256dh``: a 65-byte P-256 point, ``auth``: 16
    bytes) are kept. The endpoint must be https on a known push service
    (``SUBSCRIPTION_PUSH_HOSTS``); otherwise anyone could make our workers send
    requests to an address of their choosing."""
    if not isinstance(address, dict):
        raise _refuse("address", _("For web push, send the browser's push subscription."))
    unknown = set(address) - {"endpoint", "keys", "expirationTime"}
    if unknown:
        raise _refuse("address." + sorted(unknown)[0], _("Unknown field."))
    endpoint = address.get("endpoint")
    if not isinstance(endpoint, str) or not 10 <= len(endpoint) <= MAX_ENDPOINT:
        raise _refuse("address.endpoint", _("Enter the push endpoint URL."))
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise _refuse("address.endpoint", _("This is not a URL.")) from None
    any_host = "*" in getattr(settings, "SUBSCRIPTION_PUSH_HOSTS", ["*"])
    schemes = {"https", "http"} if any_host else {"https"}
    if parts.scheme not in schemes or not host or parts.username or parts.password:
        raise _refuse("address.endpoint", _("The push endpoint must be an https URL."))
    if not _push_host_allowed(host):
        raise _refuse("address.endpoint", _("This push service is not accepted."))
    if not any_host and not _push_url_standard(parts):
        raise _refuse("address.endpoint", _("This push service is not accepted."))
    if any(ch.isspace() or ord(ch) < 32 for ch in endpoint):
        raise _refuse("address.endpoint", _("This is not a URL."))
    keys = address.get("keys")
    if not isinstance(keys, dict) or set(keys) != {"p256dh", "auth"}:
        raise _refuse("address.keys", _("Send the keys p256dh and auth, nothing else."))
    p256dh = _b64url_bytes(keys["p256dh"], "address.keys.p256dh", 65)
    auth = _b64url_bytes(keys["auth"], "address.keys.auth", 16)
    canonical = json.dumps(
        {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
        sort_keys=True,
        separators=(",", ":"),
    )
    return canonical, endpoint


def normalize_contact(channel: str, address: object) -> tuple[str, str]:
    """(the contact as stored, its keyed hash), or ``ValidationError`` naming
    ``address``. The hash of a web-push subscription is the hash of its endpoint: the
    keys of one endpoint may change, the endpoint identifies it."""
    if channel == SubscriptionChannel.SMS:
        if not isinstance(address, str) or len(address) > 40:
            raise _refuse("address", _("Enter a phone number, e.g. +1 213 555 0100."))
        try:
            contact = crypto.normalize_phone(address)
        except ValueError:
            raise _refuse("address", _("Enter a phone number, e.g. +1 213 555 0100.")) from None
        key = contact
    elif channel == SubscriptionChannel.EMAIL:
        if not isinstance(address, str) or len(address) > 254:
            raise _refuse("address", _("Enter an email address."))
        try:
            contact = crypto.normalize_email(address)
        except ValueError:
            raise _refuse("address", _("Enter an email address.")) from None
        key = contact
    elif channel == SubscriptionChannel.WEBPUSH:
        contact, key = _normalize_push(address)
    else:
        raise _refuse("channel", _("Choose SMS, email or web push."))
    return contact, crypto.keyed_hash(key, purpose=contact_purpose(channel))


def contact_hash(channel: str, address: object) -> str:
    return normalize_contact(channel, address)[1]


def push_endpoint_hash(endpoint: str) -> str:
    """The ``contact_hash`` of a browser's web-push subscriptions, from its endpoint."""
    if not isinstance(endpoint, str) or not 10 <= len(endpoint) <= MAX_ENDPOINT:
        raise _refuse("endpoint", _("Enter the push endpoint URL."))
    return crypto.keyed_hash(endpoint, purpose=contact_purpose(SubscriptionChannel.WEBPUSH))


# Codes -------------------------------------------------------------------------------------
# A 6-digit code sent to a contact proves its holder typed it. Subscriptions keep theirs
# on the row; a responder's dispatch contact (vecinos.delivery.responders) keeps its own
# in the session until confirmed. Both go through these functions: one way to make a
# code, count it against the contact, send it and judge what was typed.
#
# A code is never stored, queued or logged: it is derived (``code_for``: a keyed hash
# under ``hash.key``) from what it confirms and the moment it was issued, and only a
# keyed hash of it is kept. The task that sends it carries ids and re-derives it when
# it runs, so the queue (a SQLite file and its WAL, or Redis) never holds a code.

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


# Actions -----------------------------------------------------------------------------------


def _area(
    zip_code: str | None, lat: float | None, lng: float | None, radius_km: float | None
) -> areas.Area:
    try:
        if zip_code is not None:
            if lat is not None or lng is not None or radius_km is not None:
                raise areas.AreaError("area", _("Give either a ZIP code or a point, not both."))
            return areas.zip_area(zip_code)
        if lat is None or lng is None:
            raise areas.AreaError("area", _("Give a ZIP code, or a point and a radius."))
        radius = (
            getattr(settings, "SUBSCRIPTION_ZIP_RADIUS_KM", 2.0) if radius_km is None else radius_km
        )
        return areas.point_area(lat, lng, radius)
    except areas.AreaError as error:
        raise _refuse(error.field, error.message) from None


def _cells_of(subscription_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, set[int]]:
    found: dict[uuid.UUID, set[int]] = {}
    for sub_id, cell in SubscriptionCell.objects.filter(
        subscription_id__in=list(subscription_ids)
    ).values_list("subscription_id", "cell"):
        found.setdefault(sub_id, set()).add(cell)
    return found


def _same_area_active(
    *, channel: str, contact_hash: str, cells: Iterable[int], exclude: uuid.UUID | None = None
) -> Subscription | None:
    """An active subscription of the same contact with exactly these cells: a second
    one would send every alert twice."""
    candidates = Subscription.objects.filter(
        channel=channel, contact_hash=contact_hash, status=SubscriptionStatus.ACTIVE
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude)
    ids = list(candidates.values_list("pk", flat=True)[:50])
    wanted = set(cells)
    for sub_id, sub_cells in _cells_of(ids).items():
        if sub_cells == wanted:
            return candidates.get(pk=sub_id)
    return None


def _code_bound(channel: str, contact_hash: str) -> str:
    # What a subscription code is derived from: the contact, not the row, so that
    # every row of one contact within the sharing window takes the same code.
    return f"subscription:{channel}:{contact_hash}"


def _issue_attempts() -> int:
    """Wrong codes allowed against one issued code, across every row sharing it."""
    return 2 * _max_attempts()


def _sharing(channel: str, contact_hash: str) -> QuerySet[Subscription]:
    return Subscription.objects.filter(
        channel=channel,
        contact_hash=contact_hash,
        status=SubscriptionStatus.PENDING,
        code_issued_at__isnull=False,
    ).exclude(code_hash="")


def _tries_on(channel: str, contact_hash: str, issued: datetime) -> int:
    """Wrong codes typed against the code issued at ``issued``, on every row of the
    contact that took it (voided ones too)."""
    return int(
        Subscription.objects.filter(
            channel=channel, contact_hash=contact_hash, code_issued_at=issued
        ).aggregate(n=Sum("code_attempts"))["n"]
        or 0
    )


def _issue_for(channel: str, contact_hash: str, now: datetime) -> tuple[datetime, bool]:
    """When the code a new pending row of this contact takes was issued, and whether it
    is new (to be sent). See ``subscribe``, step 2."""
    latest = _sharing(channel, contact_hash).order_by("-code_issued_at").first()
    issued = latest.code_issued_at if latest is not None else None
    if issued is not None:
        worn = _tries_on(channel, contact_hash, issued) >= _issue_attempts()
        period = int(getattr(settings, "SUBSCRIPTION_CONTACT_RATE", (3, 3600))[1])
        if not worn and issued > now - timedelta(seconds=period):
            return issued, False
    try:
        count_code(contact_hash)
    except TooManyCodes:
        # The contact's budget is spent: its phone already holds the latest code. (With
        # no pending row left to share, a code is made and not sent: the answer is the
        # same, and the phone gets nothing more until the budget's window turns.)
        return (issued or now), False
    return now, True


def subscribe(
    *,
    channel: str,
    address: str | dict[str, Any],
    language: str,
    zip_code: str | None = None,
    lat: float | None = None,
    lng: float | None = None,
    radius_km: float | None = None,
    confirmed: bool = False,
) -> Subscription:
    """Make a subscription for an area.

    1. Check the channel, language, contact and area (``ValidationError`` naming the
       field); the area becomes H3 cells and the point is forgotten.
    2. SMS and email (unless ``confirmed``: an inbound SMS proves the number): the row
       is ``pending`` with a keyed hash of a 6-digit code. The code is shared by the
       contact's pending rows: a request within ``SUBSCRIPTION_CONTACT_RATE``'s period
       of the last code sent takes that code and sends nothing; otherwise a new code is
       sent (after commit, by a task that carries only the row's id), at most
       ``SUBSCRIPTION_CONTACT_RATE`` and ``SUBSCRIPTION_CONTACT_DAILY_RATE`` to one
       contact; beyond that the row takes the last code sent. So typing someone's
       number a hundred times sends them a handful of codes, and they can still sign
       up with the last one they got. A code with ``2 x SUBSCRIPTION_CODE_ATTEMPTS``
       wrong tries across its rows is not shared again.
    3. Web push (and ``confirmed``): ``active`` at once. The same contact with exactly
       the same cells already active is updated instead of duplicated.
    Whatever the contact's state (subscribed or not, codes spent or not), the answer
    and the work done are the same: nothing here tells anyone whether a contact
    subscribes. The limit of ``MAX_PER_CONTACT`` is checked when the code is typed.
    Complexity: O(cells), at most about 3,000 rows for 25 km.
    """
    if channel not in SubscriptionChannel.values:
        raise _refuse("channel", _("Choose SMS, email or web push."))
    code_language = messages.normalize_language(language)
    if code_language is None:
        raise _refuse("language", _("Choose a language from the list."))
    language = code_language
    contact, hashed = normalize_contact(channel, address)
    area = _area(zip_code, lat, lng, radius_km)
    active_now = confirmed or channel == SubscriptionChannel.WEBPUSH
    if active_now:
        _check_room(channel, hashed)
    now = timezone.now()
    with transaction.atomic():
        if active_now:
            existing = _same_area_active(channel=channel, contact_hash=hashed, cells=area.cells)
            if existing is not None:
                existing.contact = contact
                existing.language = language
                existing.save(update_fields=["contact", "language"])
                return existing
        subscription = Subscription(
            channel=channel,
            contact=contact,
            contact_hash=hashed,
            language=language,
            area_label=area.label[:60],
            created_at=now,
        )
        fresh = False
        if active_now:
            subscription.status = SubscriptionStatus.ACTIVE
            subscription.confirmed_at = subscription.last_success_at = now
        else:
            issued, fresh = _issue_for(channel, hashed, now)
            code = code_for(_code_bound(channel, hashed), issued)
            subscription.code_issued_at = issued
            subscription.code_hash = _code_hash(subscription.id, code)
            subscription.code_expires_at = now + timedelta(minutes=_code_minutes())
        subscription.save(force_insert=True)
        SubscriptionCell.objects.bulk_create(
            [SubscriptionCell(subscription=subscription, cell=cell) for cell in sorted(area.cells)],
            batch_size=500,
        )
        if fresh:
            from vecinos.alerts import tasks

            row_id = str(subscription.pk)
            transaction.on_commit(lambda: tasks.send_subscription_code(row_id))
    return subscription


def _check_room(channel: str, contact_hash: str) -> None:
    # Only confirmed ones count: pending rows made by someone typing another person's
    # number must not lock that person out.
    live = Subscription.objects.filter(
        channel=channel, contact_hash=contact_hash, status=SubscriptionStatus.ACTIVE
    ).count()
    if live >= MAX_PER_CONTACT:
        raise _refuse(
            "address",
            _("This contact already has %(count)s subscriptions. Stop one first.")
            % {"count": live},
        )


def deliver_code(*, subscription_id: str) -> bool:
    """The worker's half of step 2 of ``subscribe``: derive the code of a pending row
    again and send it to the contact, in the row's language. Nothing is sent for a
    row that is gone, confirmed, stopped or expired. True if sent."""
    from vecinos.delivery.send import send_now

    row = Subscription.objects.filter(pk=subscription_id).first()
    if (
        row is None
        or row.status != SubscriptionStatus.PENDING
        or row.code_issued_at is None
        or not row.code_hash
        or row.code_expires_at is None
        or row.code_expires_at <= timezone.now()
    ):
        return False
    code = code_for(_code_bound(row.channel, row.contact_hash), row.code_issued_at)
    subject, text = code_message(language=row.language, code=code)
    send_now(
        channel=row.channel,
        address=str(row.contact),
        subject=subject,
        text=text,
        key=f"c{row.pk.hex}",
    )
    return True


def confirm_subscription(*, subscription: Subscription, code: str) -> Subscription:
    """Check the code a subscriber typed; on success the subscription is ``active``.

    A wrong code costs one of ``SUBSCRIPTION_CODE_ATTEMPTS``; the last one voids the
    code (subscribe again for a new one). The attempt is committed before the error
    is raised, so a caller's rollback cannot give attempts back. Confirming an active
    subscription again is harmless and returns it."""
    now = timezone.now()
    error: ConfirmationError | None = None
    with transaction.atomic():
        current = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if current.status == SubscriptionStatus.ACTIVE:
            return current
        verdict, left = check_code(
            bound=current.pk,
            code=code,
            digest=current.code_hash,
            expires_at=current.code_expires_at,
            attempts=current.code_attempts,
            now=now,
        )
        if current.code_issued_at is not None:
            # The code is shared by the contact's pending rows: wrong tries count
            # across them, or many rows would make many guesses at one code.
            spent = _tries_on(current.channel, current.contact_hash, current.code_issued_at)
            if spent >= _issue_attempts():
                verdict, left = CODE_EXHAUSTED, 0
        exhausted = _("Too many wrong codes. Subscribe again to get a new code.")
        if current.status != SubscriptionStatus.PENDING:
            error = ConfirmationError(
                "not_pending", _("This subscription was stopped. Subscribe again.")
            )
        elif verdict == CODE_EXHAUSTED:
            error = ConfirmationError(CODE_EXHAUSTED, exhausted)
        elif verdict == CODE_EXPIRED:
            error = ConfirmationError(
                CODE_EXPIRED, _("This code has expired. Subscribe again to get a new code.")
            )
        elif verdict == CODE_WRONG:
            Subscription.objects.filter(pk=current.pk).update(
                code_attempts=F("code_attempts") + 1,
                **({"code_hash": ""} if left == 0 else {}),
            )
            error = (
                ConfirmationError(
                    CODE_WRONG,
                    _("This code is not right. %(left)s attempts left.") % {"left": left},
                    attempts_left=left,
                )
                if left
                else ConfirmationError(CODE_EXHAUSTED, exhausted)
            )
        else:
            try:
                _check_room(current.channel, current.contact_hash)
            except ValidationError as refused:
                raise ConfirmationError("full", refused.messages[0]) from None
            duplicate = _same_area_active(
                channel=current.channel,
                contact_hash=current.contact_hash,
                cells=_cells_of([current.pk]).get(current.pk, set()),
                exclude=current.pk,
            )
            if duplicate is not None:
                # Already subscribed to exactly this area: keep the older row (its
                # deliveries are the ones a retraction must reach), take the language.
                duplicate.language = current.language
                duplicate.save(update_fields=["language"])
                current.delete()
                return duplicate
            current.status = SubscriptionStatus.ACTIVE
            current.confirmed_at = current.last_success_at = now
            current.code_hash = ""
            current.code_expires_at = current.code_issued_at = None
            current.save(
                update_fields=[
                    "status",
                    "confirmed_at",
                    "last_success_at",
                    "code_hash",
                    "code_expires_at",
                    "code_issued_at",
                ]
            )
            return current
    raise error


def _stop(queryset: Any, now: Any) -> int:
    return int(
        queryset.filter(status__in=LIVE_STATUSES).update(
            status=SubscriptionStatus.STOPPED, stopped_at=now, code_hash=""
        )
    )


def stop_subscription(*, subscription: Subscription) -> bool:
    """Stop one subscription (unsubscribe link, manage page). True if it was live."""
    with transaction.atomic():
        return bool(_stop(Subscription.objects.filter(pk=subscription.pk), timezone.now()))


def stop_contact_hash(*, channel: str, contact_hash: str) -> int:
    """Stop every live subscription of one contact (manage page: "stop all")."""
    with transaction.atomic():
        return _stop(
            Subscription.objects.filter(channel=channel, contact_hash=contact_hash),
            timezone.now(),
        )


def stop_contact(*, channel: str, address: str | dict[str, Any]) -> int:
    """STOP: every subscription of that contact, pending ones too. Returns how many."""
    return stop_contact_hash(channel=channel, contact_hash=contact_hash(channel, address))


def resume_subscription(*, subscription: Subscription) -> bool:
    """Resume one stopped subscription that had been confirmed (manage page)."""
    with transaction.atomic():
        return bool(
            Subscription.objects.filter(
                pk=subscription.pk,
                status=SubscriptionStatus.STOPPED,
                confirmed_at__isnull=False,
            ).update(status=SubscriptionStatus.ACTIVE, stopped_at=None)
        )


def resume_contact(*, channel: str, address: str | dict[str, Any]) -> int:
    """START: resume every confirmed subscription of that contact that was stopped or
    disabled (a text from the number shows it works again). Returns how many."""
    hashed = contact_hash(channel, address)
    with transaction.atomic():
        return int(
            Subscription.objects.filter(
                channel=channel,
                contact_hash=hashed,
                status__in=[SubscriptionStatus.STOPPED, SubscriptionStatus.DISABLED],
                confirmed_at__isnull=False,
            ).update(
                status=SubscriptionStatus.ACTIVE,
                stopped_at=None,
                disabled_reason="",
                # A text from the number is the best sign it works.
                last_success_at=timezone.now(),
            )
        )


def disable_subscription(*, subscription: Subscription, reason: str) -> None:
    """Delivery gave up for good (invalid number, push 404/410, hard bounce, opted
    out at the carrier): no more messages. ``stopped_at`` starts the retention clock.
    Conditional, so a stop or a second failure in between is harmless."""
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription.pk, status__in=LIVE_STATUSES).update(
            status=SubscriptionStatus.DISABLED,
            disabled_reason=str(reason)[:40],
            stopped_at=timezone.now(),
            code_hash="",
        )


def disable_after_failure(
    *, subscription_id: uuid.UUID, failed_send_at: datetime, reason: str
) -> bool:
    """``disable_subscription`` for a permanent failure of a message sent at
    ``failed_send_at``, but only if that is newer than the subscription's last
    success (``last_success_at``): a failure reported late, for a message older than
    a receipt or a START, says nothing about the contact now. True if disabled."""
    with transaction.atomic():
        return bool(
            Subscription.objects.filter(pk=subscription_id, status__in=LIVE_STATUSES)
            .filter(Q(last_success_at__isnull=True) | Q(last_success_at__lt=failed_send_at))
            .update(
                status=SubscriptionStatus.DISABLED,
                disabled_reason=str(reason)[:40],
                stopped_at=timezone.now(),
                code_hash="",
            )
        )


# Manage links ------------------------------------------------------------------------------


def subscriptions_of_contact(*, channel: str, contact_hash: str) -> list[Subscription]:
    """Every subscription of one contact on one channel, newest first (manage page)."""
    return list(
        Subscription.objects.filter(channel=channel, contact_hash=contact_hash).order_by(
            "-created_at"
        )[:100]
    )


def send_manage_link(*, channel: str, address: str, language: str) -> None:
    """Ask for the manage link of a contact. The same work is done, and the same
    budget spent, whether or not the contact has subscriptions: the request is
    counted against ``SUBSCRIPTION_CONTACT_RATE`` (its own budget, not the codes'),
    and, within it, a task is queued with the contact sealed. The task looks the
    contact up when it runs and sends the link only if there is something to manage
    (``deliver_manage_link``). So neither the answer, nor its time, nor the codes a
    contact can still get say whether it subscribes."""
    from vecinos.alerts import tasks
    from vecinos.delivery.send import seal

    _contact, hashed = normalize_contact(channel, address)
    verdict = ratelimit.hit(
        "subscription-manage", hashed, getattr(settings, "SUBSCRIPTION_CONTACT_RATE", (3, 3600))
    )
    if not verdict.allowed:
        return
    sealed = seal(_contact)
    language = language if language in LANGUAGES else ""
    transaction.on_commit(lambda: tasks.send_manage_link(channel, sealed, language))


def deliver_manage_link(*, channel: str, sealed: str, language: str) -> bool:
    """The worker's half of ``send_manage_link``: find the contact's subscriptions
    and, if it has any beyond a pending one, send the link, made now (the queue
    never held it). True if sent."""
    from vecinos.alerts import links
    from vecinos.delivery.send import send_now, unseal

    contact = unseal(channel, sealed)
    _contact, hashed = normalize_contact(channel, contact)
    found = (
        Subscription.objects.filter(channel=channel, contact_hash=hashed)
        .exclude(status=SubscriptionStatus.PENDING)
        .order_by("-created_at")
        .first()
    )
    if found is None:
        return False
    url = links.manage_url(found)
    with translation.override(language or found.language):
        subject = _("Manage your Vecinos alerts")
        text = _("Vecinos: see and stop your alerts here: %(url)s") % {"url": url}
    send_now(
        channel=channel,
        address=contact,
        subject=subject,
        text=text,
        key="m" + uuid.uuid4().hex,
    )
    return True


def masked_contact(subscription: Subscription) -> str:
    """Enough of the contact for its owner to recognise it: ``•••0100``,
    ``n•••@example.org``; a browser for web push."""
    return mask_contact(subscription.channel, str(subscription.contact))


def mask_contact(channel: str, contact: str) -> str:
    """``masked_contact`` for any stored contact (a responder's dispatch contact too)."""
    if channel == SubscriptionChannel.SMS:
        return "•••" + contact[-4:]
    if channel == SubscriptionChannel.EMAIL:
        local, _at, domain = contact.partition("@")
        return f"{local[:1]}•••@{domain}"
    return str(_("this browser"))
