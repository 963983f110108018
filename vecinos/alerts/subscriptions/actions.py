"""Writes to subscriptions: subscribe, confirm, stop, resume, disable, and the
manage link. Every write runs under ``transaction.atomic``; messages leave only after
commit, through a task that carries ids (or the contact sealed), never a code or a
working link: those are made when the task runs (``code_message_of``,
``manage_link_message``, called by vecinos/delivery/tasks.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vecinos.alerts import areas, links, messages
from vecinos.alerts.models import (
    Subscription,
    SubscriptionCell,
    SubscriptionChannel,
    SubscriptionStatus,
)
from vecinos.alerts.subscriptions.codes import (
    CODE_EXHAUSTED,
    CODE_EXPIRED,
    CODE_WRONG,
    TooManyCodes,
    _code_hash,
    _code_minutes,
    _max_attempts,
    check_code,
    code_for,
    code_message,
    count_code,
)
from vecinos.alerts.subscriptions.contacts import _refuse, contact_hash, normalize_contact
from vecinos.alerts.subscriptions.queries import _cells_of
from vecinos.core import crypto, hooks, ratelimit

# Languages an alert is written in (vecinos.alerts.phrases), with their own names for
# the language menu: a reader finds their own language.
LANGUAGES: dict[str, str] = dict(messages.LANGUAGES)
# Live subscriptions one contact may hold: home, work, school, family... not a hundred.
MAX_PER_CONTACT = 10
LIVE_STATUSES = (SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE)
# A contact sealed for the queue by a manage-link request (the task unseals it).
MANAGE_REQUEST_PURPOSE = "alerts.manage-link-request"


class ConfirmationError(Exception):
    """The code was not accepted. ``reason`` is ``wrong`` (``attempts_left`` says how
    many tries remain), ``expired``, ``exhausted`` (too many wrong codes: subscribe
    again), ``not_pending`` (stopped or disabled) or ``full`` (right code, but the
    contact already has ``MAX_PER_CONTACT`` active subscriptions)."""

    def __init__(self, reason: str, message: str, *, attempts_left: int = 0) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.attempts_left = attempts_left


@dataclass(frozen=True)
class Message:
    """One message a task is to send now: made when it runs, never queued."""

    channel: str
    address: str
    subject: str
    text: str
    key: str


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
            area_label=area.key,
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
            row_id = str(subscription.pk)
            transaction.on_commit(lambda: hooks.subscription_code_requested.call(row_id))
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


def code_message_of(subscription_id: str) -> Message | None:
    """The worker's half of step 2 of ``subscribe``: the code message of a pending
    row, its code derived again, in the row's language. None for a row that is gone,
    confirmed, stopped or past its code's time (nothing is sent)."""
    row = Subscription.objects.filter(pk=subscription_id).first()
    if (
        row is None
        or row.status != SubscriptionStatus.PENDING
        or row.code_issued_at is None
        or not row.code_hash
        or row.code_expires_at is None
        or row.code_expires_at <= timezone.now()
    ):
        return None
    code = code_for(_code_bound(row.channel, row.contact_hash), row.code_issued_at)
    subject, text = code_message(language=row.language, code=code)
    return Message(row.channel, str(row.contact), subject, text, f"c{row.pk.hex}")


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


def send_manage_link(*, channel: str, address: str, language: str) -> None:
    """Ask for the manage link of a contact. The same work is done, and the same
    budget spent, whether or not the contact has subscriptions: the request is
    counted against ``SUBSCRIPTION_CONTACT_RATE`` (its own budget, not the codes'),
    and, within it, a task is queued with the contact sealed. The task looks the
    contact up when it runs and sends the link only if there is something to manage
    (``manage_link_message``). So neither the answer, nor its time, nor the codes a
    contact can still get say whether it subscribes."""
    contact, hashed = normalize_contact(channel, address)
    verdict = ratelimit.hit(
        "subscription-manage", hashed, getattr(settings, "SUBSCRIPTION_CONTACT_RATE", (3, 3600))
    )
    if not verdict.allowed:
        return
    sealed = crypto.encrypt(contact, purpose=MANAGE_REQUEST_PURPOSE)
    language = language if language in LANGUAGES else ""
    transaction.on_commit(
        lambda: hooks.manage_link_requested.call(channel=channel, sealed=sealed, language=language)
    )


def manage_link_message(*, channel: str, sealed: str, language: str) -> Message | None:
    """The worker's half of ``send_manage_link``: the contact's manage link, made now
    (the queue never held it), if it has anything beyond a pending subscription; else
    None (nothing is sent)."""
    contact = crypto.decrypt(sealed, purpose=MANAGE_REQUEST_PURPOSE)
    _contact, hashed = normalize_contact(channel, contact)
    found = (
        Subscription.objects.filter(channel=channel, contact_hash=hashed)
        .exclude(status=SubscriptionStatus.PENDING)
        .order_by("-created_at")
        .first()
    )
    if found is None:
        return None
    url = links.manage_url(found)
    with translation.override(language or found.language):
        subject = _("Manage your Vecinos alerts")
        text = _("Vecinos: see and stop your alerts here: %(url)s") % {"url": url}
    return Message(channel, contact, subject, text, "m" + uuid.uuid4().hex)
