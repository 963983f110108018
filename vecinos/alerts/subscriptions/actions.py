"""Writes to subscriptions: subscribe, confirm, stop, resume, disable, and the
manage link. Every write runs under ``transaction.atomic``; messages leave only after
commit."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
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
    check_code,
    count_code,
    issue_code,
    send_code,
)
from vecinos.alerts.subscriptions.contacts import _refuse, contact_hash, normalize_contact
from vecinos.alerts.subscriptions.queries import _cells_of
from vecinos.core import hooks, ratelimit

# Languages an alert is written in (vecinos.alerts.phrases), with their own names for
# the language menu: a reader finds their own language.
LANGUAGES: dict[str, str] = dict(messages.LANGUAGES)


# Live subscriptions one contact may hold: home, work, school, family... not a hundred.
MAX_PER_CONTACT = 10


LIVE_STATUSES = (SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE)


class ConfirmationError(Exception):
    """The code was not accepted. ``reason`` is ``wrong`` (``attempts_left`` says how
    many tries remain), ``expired``, ``exhausted`` (too many wrong codes: subscribe
    again) or ``not_pending`` (stopped or disabled)."""

    def __init__(self, reason: str, message: str, *, attempts_left: int = 0) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.attempts_left = attempts_left


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
    2. SMS and email (unless ``confirmed``: an inbound SMS proves the number): at most
       ``SUBSCRIPTION_CONTACT_RATE`` codes per contact, or ``TooManyCodes``; the row
       is ``pending`` with a keyed hash of a fresh 6-digit code, sent after commit.
    3. Web push (and ``confirmed``): ``active`` at once. The same contact with exactly
       the same cells already active is updated instead of duplicated.
    Complexity: O(cells), at most about 3,000 rows for 25 km.
    """
    if channel not in SubscriptionChannel.values:
        raise _refuse("channel", _("Choose SMS, email or web push."))
    code_language = messages.normalize_language(language)
    if code_language is None:
        raise _refuse("language", _("Choose a language from the list."))
    language = code_language
    contact, hashed = normalize_contact(channel, address)
    # Only confirmed ones count: pending rows made by someone typing another person's
    # number must not lock that person out.
    live = Subscription.objects.filter(
        channel=channel, contact_hash=hashed, status=SubscriptionStatus.ACTIVE
    ).count()
    if live >= MAX_PER_CONTACT:
        raise _refuse(
            "address",
            _("This contact already has %(count)s subscriptions. Stop one first.")
            % {"count": live},
        )
    area = _area(zip_code, lat, lng, radius_km)
    active_now = confirmed or channel == SubscriptionChannel.WEBPUSH
    if not active_now:
        count_code(hashed)
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
        code = ""
        if active_now:
            subscription.status = SubscriptionStatus.ACTIVE
            subscription.confirmed_at = now
        else:
            code, subscription.code_hash, subscription.code_expires_at = issue_code(subscription.id)
        subscription.save(force_insert=True)
        SubscriptionCell.objects.bulk_create(
            [SubscriptionCell(subscription=subscription, cell=cell) for cell in sorted(area.cells)],
            batch_size=500,
        )
        if code:
            transaction.on_commit(
                lambda: send_code(channel=channel, address=contact, language=language, code=code)
            )
    return subscription


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
            current.confirmed_at = now
            current.code_hash = ""
            current.code_expires_at = None
            current.save(update_fields=["status", "confirmed_at", "code_hash", "code_expires_at"])
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
            ).update(status=SubscriptionStatus.ACTIVE, stopped_at=None, disabled_reason="")
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


def send_manage_link(*, channel: str, address: str, language: str) -> bool:
    """Send the manage link to a contact that has subscriptions. The caller answers
    the same whatever this returns, so nobody learns whether a number is subscribed.
    Counts against the same per-contact limit as confirmation codes."""
    contact, hashed = normalize_contact(channel, address)
    found = (
        Subscription.objects.filter(channel=channel, contact_hash=hashed)
        .exclude(status=SubscriptionStatus.PENDING)
        .order_by("-created_at")
        .first()
    )
    if found is None:
        return False
    verdict = ratelimit.hit(
        "subscription-code", hashed, getattr(settings, "SUBSCRIPTION_CONTACT_RATE", (3, 3600))
    )
    if not verdict.allowed:
        return False
    url = links.manage_url(found)
    language = language if language in LANGUAGES else found.language

    def send() -> None:
        with translation.override(language):
            subject = _("Manage your Vecinos alerts")
            text = _("Vecinos: see and stop your alerts here: %(url)s") % {"url": url}
        hooks.send_transactional.call(channel=channel, address=contact, subject=subject, text=text)

    transaction.on_commit(send)
    return True
