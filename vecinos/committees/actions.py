"""Every write to committees: atomic, one ``CommitteeEvent`` per state change, messages
only after commit (through the outbox: ``vecinos.delivery``).

Who may: admins create committees and name their first coordinators; a committee's
coordinators (and admins) run it; members act on themselves (leave, vouch, their own
tasks). Refusals raise ``Forbidden`` (403), bad values ``ValidationError`` naming the
field (422), a state that does not allow it ``InvalidState`` (409).
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from vecinos.accounts.access import Forbidden
from vecinos.accounts.actions import create_user
from vecinos.accounts.models import Role, User
from vecinos.committees import queries
from vecinos.committees.events import EventType, record_event
from vecinos.committees.models import (
    Announcement,
    Committee,
    CommitteeCell,
    CommitteeKind,
    ContactAudit,
    ContactChannel,
    FormerContact,
    Invite,
    JoinRequest,
    Membership,
    MembershipRole,
    Task,
)
from vecinos.core import areas, crypto, geo, hooks

LANGUAGES = ("en", "es")
MAX_CELLS = 5000
INVITE_MAX_DAYS = 90
INVITE_MAX_USES = 500
MAX_TEXT = 2000


class InvalidState(Exception):
    """The object's state does not allow this (maps to 409)."""


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# Contacts ----------------------------------------------------------------------------------
def contact_purpose(channel: str) -> str:
    # Not the subscribers' purpose: a member's hash cannot be matched to a subscription.
    return f"committees.contact:{channel}"


def normalize_contact(channel: object, contact: object) -> tuple[str, str, str]:
    """(channel, the contact as stored, its keyed hash), or ``ValidationError``."""
    if channel not in ContactChannel.values:
        raise _refuse("channel", _("Choose SMS or email."))
    value = _plain("contact", str(contact or "").strip())
    if not value or len(value) > 254:
        raise _refuse("contact", _("Enter a phone number or an email address."))
    try:
        if channel == ContactChannel.SMS:
            normal = crypto.normalize_phone(value)
        else:
            normal = crypto.normalize_email(value)
    except ValueError:
        if channel == ContactChannel.SMS:
            raise _refuse("contact", _("Enter a phone number, e.g. +1 213 555 0100.")) from None
        raise _refuse("contact", _("Enter an email address.")) from None
    return str(channel), normal, crypto.keyed_hash(normal, purpose=contact_purpose(str(channel)))


def mask(channel: str, contact: str) -> str:
    if not contact:
        return ""
    if channel == ContactChannel.EMAIL:
        name, _at, domain = contact.partition("@")
        return f"{name[:1]}…@{domain}"
    return f"…{contact[-4:]}"


def _language(value: object) -> str:
    language = str(value or "en")
    if language not in LANGUAGES:
        raise _refuse("language", _("Choose English or Spanish."))
    return language


def _plain(field: str, text: str) -> str:
    """Refuse NUL and lone surrogates: PostgreSQL refuses the first, no encoder takes
    the second (a 422 naming the field, never a 500)."""
    if "\x00" in text:
        raise _refuse(field, _("The text contains a NUL character."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _refuse(field, _("The text is not valid Unicode.")) from None
    return text


def _alias(value: object) -> str:
    alias = _plain("alias", " ".join(str(value or "").split()))
    if not alias:
        raise _refuse("alias", _("Choose an alias: the name other members will see."))
    if len(alias) > 60:
        raise _refuse("alias", _("An alias has at most 60 characters."))
    return alias


def _text(field: str, value: object, limit: int, *, required: bool = False) -> str:
    text = _plain(field, str(value or "").strip())
    if required and not text:
        raise _refuse(field, _("This field is required."))
    if len(text) > limit:
        raise _refuse(field, _("At most %(limit)s characters, please.") % {"limit": limit})
    return text


# Rights ------------------------------------------------------------------------------------
def _require_admin(actor: User | None) -> None:
    if actor is not None and not (actor.is_authenticated and actor.is_active and actor.is_admin):
        raise Forbidden


def _require_coordinator(actor: User | None, committee: Committee) -> None:
    if actor is None:
        return  # the operator at the command line
    if not queries.can_coordinate(actor, committee):
        raise Forbidden


def _require_member(actor: User, committee: Committee) -> Membership:
    membership = queries.membership_of(actor, committee)
    if membership is None:
        raise Forbidden
    return membership


# Committees --------------------------------------------------------------------------------
@dataclass(frozen=True)
class AreaInput:
    zip_codes: Sequence[str] = ()
    lat: float | None = None
    lng: float | None = None
    radius_km: float | None = None
    cells: Sequence[str | int] = ()


def resolve_area(area: AreaInput) -> tuple[list[int], list[str], str]:
    """(cells, ZIP codes, area key) from ZIP codes, a point and radius and/or drawn
    cells (H3 indexes); the cells of all three together. The key is in no language
    (``areas.area_key``); pages word it in the reader's (``Committee.area_text``).
    ``ValidationError`` names the input."""
    cells: set[int] = set()
    zips: list[str] = []
    radius_key = ""
    for raw in area.zip_codes:
        code = str(raw).strip()
        if not code:
            continue
        try:
            found = areas.zip_area(code)
        except areas.AreaError as error:
            raise _refuse("zip_codes", f"{code}: {error.message}") from None
        cells |= found.cells
        if code not in zips:
            zips.append(code)
    if area.lat is not None or area.lng is not None or area.radius_km is not None:
        try:
            found = areas.point_area(area.lat, area.lng, area.radius_km)
        except areas.AreaError as error:
            raise _refuse(error.field.replace("area.", ""), error.message) from None
        cells |= found.cells
        radius_key = found.key
    drawn = 0
    for given in area.cells:
        try:
            cell = int(str(given).strip(), 16) if isinstance(given, str) else int(given)
        except ValueError:
            raise _refuse("cells", _("%(cell)s is not an H3 cell.") % {"cell": given}) from None
        if not _is_area_cell(cell):
            raise _refuse(
                "cells",
                _("%(cell)s is not an H3 cell of resolution %(resolution)s.")
                % {"cell": given, "resolution": geo.RESOLUTION},
            )
        cells.add(cell)
        drawn += 1
    if len(cells) > MAX_CELLS:
        raise _refuse("zip_codes", _("The area is too large."))
    return sorted(cells), zips, areas.area_key(zips=zips, radius_key=radius_key, drawn=drawn)


def _is_area_cell(cell: int) -> bool:
    import h3.api.basic_int as h3_int

    try:
        return bool(h3_int.is_valid_cell(cell)) and h3_int.get_resolution(cell) == geo.RESOLUTION
    except (TypeError, ValueError, OverflowError):
        return False


def _store_area(committee: Committee, cells: list[int]) -> None:
    CommitteeCell.objects.filter(committee=committee).delete()
    CommitteeCell.objects.bulk_create(
        [CommitteeCell(committee=committee, cell=cell) for cell in cells]
    )


def _languages(values: Iterable[object]) -> list[str]:
    chosen = []
    for value in values:
        language = _language(value)
        if language not in chosen:
            chosen.append(language)
    return chosen or ["en"]


# Addresses under /committees/ that are pages of their own (vecinos/committees/urls.py),
# so no committee may take them as its slug.
RESERVED_SLUGS = frozenset({"mine", "new", "invite", "welcome", "accounts", "area-cell"})


@transaction.atomic
def create_committee(
    *,
    name: str,
    kind: str,
    actor: User | None,
    slug: str = "",
    description: str = "",
    languages: Iterable[str] = ("en",),
    area: AreaInput | None = None,
    is_demo: bool = False,
) -> Committee:
    """Admins (or the operator) create committees."""
    _require_admin(actor)
    name = _text("name", name, 120, required=True)
    if kind not in CommitteeKind.values:
        raise _refuse("kind", _("Choose neighborhood, school or workplace."))
    slug = slugify(slug or name)[:120]
    if not slug:
        raise _refuse("slug", _("Choose a name with letters or digits."))
    if slug in RESERVED_SLUGS or Committee.objects.filter(slug=slug).exists():
        raise _refuse("slug", _("A committee with this address exists already."))
    cells, zips, label = resolve_area(area or AreaInput())
    committee = Committee.objects.create(
        name=name,
        slug=slug,
        kind=kind,
        description=_text("description", description, MAX_TEXT),
        languages=_languages(languages),
        area_cells=cells,
        zip_codes=zips,
        area_label=label,
        is_demo=is_demo,
    )
    _store_area(committee, cells)
    record_event(committee, EventType.CREATED, actor=actor, cells=len(cells))
    return committee


EDITABLE = ("name", "description", "meets", "how_to_join", "hotline", "requires_vouch")


@transaction.atomic
def update_committee(
    *,
    committee: Committee,
    actor: User | None,
    languages: Iterable[str] | None = None,
    area: AreaInput | None = None,
    **changes: Any,
) -> Committee:
    """Its coordinators (and admins) edit the page, languages, area, vouch rule."""
    _require_coordinator(actor, committee)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise _refuse(sorted(unknown)[0], _("Unknown field."))
    limits = {"name": 120, "description": MAX_TEXT, "meets": 200, "how_to_join": MAX_TEXT}
    changed: list[str] = []
    for field, value in changes.items():
        if field == "requires_vouch":
            value = bool(value)
        elif field == "hotline":
            value = str(value or "").strip()
            if value:
                try:
                    value = crypto.normalize_phone(value)
                except ValueError:
                    raise _refuse(
                        "hotline", _("Enter a phone number, e.g. +1 213 555 0100.")
                    ) from None
        else:
            value = _text(field, value, limits[field], required=field == "name")
        if getattr(committee, field) != value:
            setattr(committee, field, value)
            changed.append(field)
    if languages is not None:
        chosen = _languages(languages)
        if chosen != committee.languages:
            committee.languages = chosen
            changed.append("languages")
    if area is not None:
        cells, zips, label = resolve_area(area)
        if cells:
            committee.area_cells, committee.zip_codes, committee.area_label = cells, zips, label
            _store_area(committee, cells)
            changed += ["area_cells", "zip_codes", "area_label"]
            record_event(committee, EventType.AREA_SET, actor=actor, cells=len(cells))
    if changed:
        committee.save(update_fields=changed)
        record_event(committee, EventType.UPDATED, actor=actor, fields=changed)
    return committee


def _raise_global_role(user: User) -> None:
    """A committee coordinator needs the global coordinator role for its second factor
    (MFA_ROLES); a member or responder is raised to it, never lowered by this."""
    if user.role in (Role.MEMBER, Role.RESPONDER):
        User.objects.filter(pk=user.pk).update(role=Role.COORDINATOR)
        user.role = Role.COORDINATOR


@transaction.atomic
def name_coordinator(
    *, committee: Committee, user: User, actor: User | None, alias: str = ""
) -> Membership:
    """An admin names a coordinator (the first ones of a new committee): a membership
    as coordinator, made or raised."""
    _require_admin(actor)
    if not user.is_active:
        raise InvalidState(_("This account is deactivated."))
    membership, created = Membership.objects.get_or_create(
        committee=committee,
        user=user,
        defaults={"role": MembershipRole.COORDINATOR, "alias": alias or user.username},
    )
    if not created and membership.role != MembershipRole.COORDINATOR:
        membership.role = MembershipRole.COORDINATOR
        membership.save(update_fields=["role"])
    _raise_global_role(user)
    record_event(committee, EventType.COORDINATOR_NAMED, actor=actor, subject=user)
    return membership


@transaction.atomic
def change_role(*, membership: Membership, role: str, actor: User) -> Membership:
    """A coordinator (or admin) makes a member a coordinator or back. The responder
    role is granted elsewhere (vecinos.organizing checks the training)."""
    committee = membership.committee
    _require_coordinator(actor, committee)
    if role not in (MembershipRole.MEMBER, MembershipRole.COORDINATOR):
        raise _refuse("role", _("Choose member or coordinator."))
    if membership.user_id == actor.pk and not actor.is_admin:
        raise Forbidden
    before = membership.role
    if before == role:
        return membership
    if before == MembershipRole.COORDINATOR and not _other_coordinators(membership):
        raise InvalidState(_("A committee keeps at least one coordinator."))
    membership.role = role
    membership.save(update_fields=["role"])
    if role == MembershipRole.COORDINATOR:
        _raise_global_role(membership.user)
    record_event(
        committee,
        EventType.ROLE_CHANGED,
        actor=actor,
        subject=membership.user,
        before=before,
        after=role,
    )
    return membership


def _other_coordinators(membership: Membership) -> bool:
    return (
        Membership.objects.filter(
            committee_id=membership.committee_id, role=MembershipRole.COORDINATOR
        )
        .exclude(pk=membership.pk)
        .exists()
    )


# Joining -----------------------------------------------------------------------------------
@transaction.atomic
def request_to_join(
    *,
    committee: Committee,
    alias: str,
    channel: str,
    contact: str,
    language: str,
    why: str = "",
    user: User | None = None,
) -> JoinRequest:
    """Anyone asks to join (no account needed). The contact is encrypted at once; a
    second pending request for the same contact replaces nothing and is refused."""
    channel, normal, key = normalize_contact(channel, contact)
    join_request = JoinRequest(
        committee=committee,
        alias=_alias(alias),
        channel=channel,
        contact=normal,
        contact_hash=key,
        language=_language(language),
        why=_text("why", why, 1000),
        user=user if user is not None and user.is_authenticated else None,
    )
    if JoinRequest.objects.filter(
        committee=committee, contact_hash=key, status=JoinRequest.Status.PENDING
    ).exists():
        raise InvalidState(_("A request with this contact is already waiting."))
    if Membership.objects.filter(committee=committee, contact_hash=key).exists():
        raise InvalidState(_("This contact already belongs to a member."))
    join_request.save()
    record_event(
        committee, EventType.JOIN_REQUESTED, actor=None, request=join_request.pk, channel=channel
    )
    return join_request


@transaction.atomic
def vouch_for_request(*, join_request: JoinRequest, actor: User) -> JoinRequest:
    """An existing member says they know the person (needed first when the committee
    requires it)."""
    committee = join_request.committee
    _require_member(actor, committee)
    if join_request.status != JoinRequest.Status.PENDING:
        raise InvalidState(_("This request was decided already."))
    if join_request.vouched_by_id is None:
        join_request.vouched_by = actor
        join_request.vouched_at = timezone.now()
        join_request.save(update_fields=["vouched_by", "vouched_at"])
        record_event(committee, EventType.VOUCHED, actor=actor, request=join_request.pk)
    return join_request


def _unique_username(alias: str) -> str:
    base = (slugify(alias) or "member")[:20]
    while True:
        candidate = f"{base}-{secrets.randbelow(9000) + 1000}"
        if not User.objects.filter(username__iexact=candidate).exists():
            return candidate


def welcome_url(user: User) -> str:
    """A one-time link to set a password (Django's password-reset token: it stops
    working once the password is set, and after PASSWORD_RESET_TIMEOUT)."""
    path = reverse(
        "committees:welcome",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.VECINOS_PUBLIC_URL + path


def _send_welcome(membership: Membership, *, new_account: bool) -> None:
    """After commit: the set-password link (a new account) or a notice (an existing
    one), to the contact the person gave, in their language."""
    user, committee = membership.user, membership.committee
    with translation.override(membership.language):
        if new_account:
            url = welcome_url(user)
            subject = _("Welcome to %(committee)s") % {"committee": committee.name}
            text = _(
                "Vecinos: you are now a member of %(committee)s. Your username is "
                "%(username)s. Set your password (the link works once): %(url)s"
            ) % {"committee": committee.name, "username": user.username, "url": url}
        else:
            url = settings.VECINOS_PUBLIC_URL + reverse("committees:home")
            subject = _("Welcome to %(committee)s") % {"committee": committee.name}
            text = _(
                "Vecinos: you are now a member of %(committee)s. Sign in as %(username)s: %(url)s"
            ) % {"committee": committee.name, "username": user.username, "url": url}
    hooks.send_transactional.call(
        channel=membership.channel,
        address=membership.contact,
        subject=str(subject),
        text=str(text),
        url=url,
    )


def _admit(
    *,
    committee: Committee,
    alias: str,
    channel: str,
    contact: str,
    contact_hash: str,
    language: str,
    user: User | None,
    actor: User | None,
) -> Membership:
    new_account = user is None
    if user is None:
        user = create_user(
            username=_unique_username(alias), role=Role.MEMBER, password=None, actor=actor
        )
        user.language = language
        user.save(update_fields=["language"])
    elif not user.is_active:
        raise InvalidState(_("This account is deactivated."))
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                committee=committee,
                user=user,
                role=MembershipRole.MEMBER,
                alias=alias,
                channel=channel,
                contact=contact,
                contact_hash=contact_hash,
                language=language,
            )
    except IntegrityError:
        raise InvalidState(_("This person is a member already.")) from None
    record_event(committee, EventType.JOINED, actor=actor, subject=user)
    transaction.on_commit(lambda: _send_welcome(membership, new_account=new_account))
    return membership


@transaction.atomic
def approve_request(*, join_request: JoinRequest, actor: User) -> Membership:
    """A coordinator approves: an account is made (or the person's existing one gets
    the membership) and the set-password link goes to their contact."""
    committee = join_request.committee
    _require_coordinator(actor, committee)
    locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.status != JoinRequest.Status.PENDING:
        raise InvalidState(_("This request was decided already."))
    if committee.requires_vouch and locked.vouched_by_id is None and locked.invite_id is None:
        raise InvalidState(_("This committee needs a member to vouch for the person first."))
    membership = _admit(
        committee=committee,
        alias=locked.alias,
        channel=locked.channel,
        contact=locked.contact or "",
        contact_hash=locked.contact_hash,
        language=locked.language,
        user=locked.user,
        actor=actor,
    )
    _decide(locked, JoinRequest.Status.APPROVED, actor)
    record_event(
        committee, EventType.APPROVED, actor=actor, subject=membership.user, request=locked.pk
    )
    join_request.status = locked.status
    return membership


def _decide(join_request: JoinRequest, status: str, actor: User | None) -> None:
    # The contact is on the membership now (approved) or no longer needed (declined):
    # the request keeps only what the history needs until VECINOS_JOIN_REQUEST_DAYS.
    join_request.status = status
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.contact = ""
    join_request.why = ""
    join_request.save(update_fields=["status", "decided_by", "decided_at", "contact", "why"])


@transaction.atomic
def decline_request(*, join_request: JoinRequest, actor: User) -> JoinRequest:
    committee = join_request.committee
    _require_coordinator(actor, committee)
    locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.status != JoinRequest.Status.PENDING:
        raise InvalidState(_("This request was decided already."))
    _decide(locked, JoinRequest.Status.DECLINED, actor)
    record_event(committee, EventType.DECLINED, actor=actor, request=locked.pk)
    return locked


def invite_code_hash(code: str) -> str:
    return crypto.keyed_hash(code.strip(), purpose="committees.invite")


@transaction.atomic
def create_invite(
    *, committee: Committee, actor: User, max_uses: int = 1, days: int = 7, label: str = ""
) -> tuple[Invite, str]:
    """An invite code (shown once; only its keyed hash is kept)."""
    _require_coordinator(actor, committee)
    if not 1 <= int(max_uses) <= INVITE_MAX_USES:
        raise _refuse("max_uses", _("From 1 to %(max)s uses.") % {"max": INVITE_MAX_USES})
    if not 1 <= int(days) <= INVITE_MAX_DAYS:
        raise _refuse("days", _("From 1 to %(max)s days.") % {"max": INVITE_MAX_DAYS})
    code = secrets.token_urlsafe(12)
    invite = Invite.objects.create(
        committee=committee,
        label=_text("label", label, 80),
        prefix=code[:6],
        code_hash=invite_code_hash(code),
        max_uses=int(max_uses),
        expires_at=timezone.now() + timedelta(days=int(days)),
        created_by=actor,
    )
    record_event(committee, EventType.INVITE_CREATED, actor=actor, invite=invite.pk)
    return invite, code


@transaction.atomic
def revoke_invite(*, invite: Invite, actor: User) -> Invite:
    _require_coordinator(actor, invite.committee)
    if Invite.objects.filter(pk=invite.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    ):
        record_event(invite.committee, EventType.INVITE_REVOKED, actor=actor, invite=invite.pk)
    invite.refresh_from_db(fields=["revoked_at"])
    return invite


def find_invite(code: str) -> Invite | None:
    """A usable invite for ``code``, or None (unknown, expired, used up, revoked)."""
    if not isinstance(code, str) or not 8 <= len(code) <= 40:
        return None
    invite = (
        Invite.objects.select_related("committee").filter(code_hash=invite_code_hash(code)).first()
    )
    if invite is None or not invite.usable():
        return None
    return invite


@transaction.atomic
def redeem_invite(
    *,
    code: str,
    alias: str,
    channel: str,
    contact: str,
    language: str,
    user: User | None = None,
) -> Membership:
    """Join with an invite: no waiting, the coordinator who made it vouched. One use
    is counted with a conditional update, so the last use cannot be taken twice."""
    invite = find_invite(code)
    if invite is None:
        raise InvalidState(_("This invite is not valid any more."))
    channel, normal, key = normalize_contact(channel, contact)
    alias = _alias(alias)
    language = _language(language)
    committee = invite.committee
    if Membership.objects.filter(committee=committee, contact_hash=key).exists():
        raise InvalidState(_("This contact already belongs to a member."))
    now = timezone.now()
    from django.db.models import F

    taken = Invite.objects.filter(
        pk=invite.pk, revoked_at__isnull=True, expires_at__gt=now, uses__lt=F("max_uses")
    ).update(uses=F("uses") + 1)
    if not taken:
        raise InvalidState(_("This invite is not valid any more."))
    membership = _admit(
        committee=committee,
        alias=alias,
        channel=channel,
        contact=normal,
        contact_hash=key,
        language=language,
        user=user if user is not None and user.is_authenticated else None,
        actor=invite.created_by,
    )
    JoinRequest.objects.create(
        committee=committee,
        alias=alias,
        channel=channel,
        contact_hash=key,
        language=language,
        status=JoinRequest.Status.APPROVED,
        user=membership.user,
        invite=invite,
        decided_by=invite.created_by,
        decided_at=now,
    )
    record_event(
        committee, EventType.INVITE_USED, actor=None, subject=membership.user, invite=invite.pk
    )
    return membership


# Leaving -----------------------------------------------------------------------------------
def _end(membership: Membership, reason: str) -> None:
    """Delete the membership; its contact waits in FormerContact for the retention
    clock (VECINOS_FORMER_CONTACT_DAYS). Tasks assigned to the person are unassigned."""
    now = timezone.now()
    if membership.contact:
        FormerContact.objects.create(
            committee_id=membership.committee_id,
            user_id=membership.user_id,
            alias=membership.alias,
            channel=membership.channel,
            contact=membership.contact,
            reason=reason,
            ended_at=now,
            erase_after=now + timedelta(days=settings.VECINOS_FORMER_CONTACT_DAYS),
        )
    Task.objects.filter(
        committee_id=membership.committee_id, assignee_id=membership.user_id
    ).update(assignee=None, updated_at=now)
    membership.delete()


@transaction.atomic
def leave_committee(*, membership: Membership, actor: User) -> None:
    if membership.user_id != actor.pk:
        raise Forbidden
    if membership.role == MembershipRole.COORDINATOR and not _other_coordinators(membership):
        raise InvalidState(_("Name another coordinator before you leave."))
    committee = membership.committee
    _end(membership, FormerContact.Reason.LEFT)
    record_event(committee, EventType.LEFT, actor=actor, subject=actor)


@transaction.atomic
def remove_member(*, membership: Membership, actor: User) -> None:
    committee = membership.committee
    _require_coordinator(actor, committee)
    if membership.user_id == actor.pk:
        raise InvalidState(_("To leave the committee yourself, use Leave."))
    if membership.role == MembershipRole.COORDINATOR and not _other_coordinators(membership):
        raise InvalidState(_("A committee keeps at least one coordinator."))
    subject = membership.user
    _end(membership, FormerContact.Reason.REMOVED)
    record_event(committee, EventType.REMOVED, actor=actor, subject=subject)


def end_memberships_of(*, user: User, actor: User | None) -> None:
    """A deactivated account leaves every committee at once (accounts' hook)."""
    for membership in Membership.objects.filter(user=user).select_related("committee"):
        committee = membership.committee
        _end(membership, FormerContact.Reason.DEACTIVATED)
        record_event(committee, EventType.DEACTIVATED, actor=actor, subject=user)


# Contacts of members: coordinators only, every look audited -------------------------------
@transaction.atomic
def reveal_contact(*, membership: Membership, actor: User) -> str:
    """A member's contact, for a coordinator of their committee; writes the audit row."""
    _require_coordinator(actor, membership.committee)
    ContactAudit.objects.create(
        committee_id=membership.committee_id,
        actor=actor,
        subject_id=membership.user_id,
        subject_alias=membership.alias,
        kind=ContactAudit.Kind.VIEW,
    )
    return membership.contact or ""


@transaction.atomic
def export_contacts(*, committee: Committee, actor: User) -> str:
    """The member list with contacts as CSV; one audit row per member exported."""
    _require_coordinator(actor, committee)
    members = list(queries.memberships_of_committee(committee))
    now = timezone.now()
    ContactAudit.objects.bulk_create(
        [
            ContactAudit(
                committee=committee,
                actor=actor,
                subject_id=m.user_id,
                subject_alias=m.alias,
                kind=ContactAudit.Kind.EXPORT,
                created_at=now,
            )
            for m in members
        ]
    )
    record_event(committee, EventType.CONTACTS_EXPORTED, actor=actor, count=len(members))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["alias", "role", "channel", "contact", "language", "joined"])
    for m in members:
        row = [
            m.alias,
            m.role,
            m.channel,
            m.contact or "",
            m.language,
            m.joined_at.date().isoformat(),
        ]
        # A cell starting with = + - @ is a formula to a spreadsheet: quote it away.
        writer.writerow(
            ["'" + v if v[:1] in ("=", "+", "-", "@") and k != 3 else v for k, v in enumerate(row)]
        )
    return out.getvalue()


# Announcements -----------------------------------------------------------------------------


@transaction.atomic
def send_announcement(
    *, committee: Committee, texts: dict[str, dict[str, str]], actor: User
) -> Announcement:
    """One outbox row per member with a contact (``alerts.Delivery`` of kind
    ``announcement``, unique per member, made by delivery through
    ``hooks.announcement_sent``): each gets it once, in their language, over their
    channel, even if a worker dies (vecinos/delivery/outbox.py)."""
    _require_coordinator(actor, committee)
    clean: dict[str, dict[str, str]] = {}
    for language, text in (texts or {}).items():
        language = _language(language)
        subject = _text(f"{language}.subject", text.get("subject"), 120)
        body = _text(f"{language}.body", text.get("body"), MAX_TEXT)
        if subject or body:
            if not subject or not body:
                raise _refuse(f"{language}.body", _("Write a subject and a message."))
            clean[language] = {"subject": subject, "body": body}
    if not clean:
        raise _refuse("body", _("Write a subject and a message in at least one language."))
    announcement = Announcement.objects.create(committee=committee, author=actor, texts=clean)
    recipients = list(
        Membership.objects.filter(committee=committee)
        .exclude(contact_hash="")
        .values_list("id", "channel")
    )
    # The outbox (vecinos/delivery/announcements.py) makes one row per member and
    # rings its workers after commit; a rolled-back announcement sends nothing.
    hooks.announcement_sent.call(announcement_id=announcement.pk, recipients=recipients)
    announcement.recipients = len(recipients)
    announcement.save(update_fields=["recipients"])
    record_event(
        committee,
        EventType.ANNOUNCED,
        actor=actor,
        announcement=announcement.pk,
        recipients=len(recipients),
    )
    return announcement


# Tasks -------------------------------------------------------------------------------------
def _assignee(committee: Committee, assignee: User | None) -> User | None:
    if assignee is not None and queries.membership_of(assignee, committee) is None:
        raise _refuse("assignee", _("Assign the task to a member of this committee."))
    return assignee


@transaction.atomic
def create_task(
    *,
    committee: Committee,
    title: str,
    actor: User,
    notes: str = "",
    assignee: User | None = None,
    due_on: date | None = None,
) -> Task:
    _require_coordinator(actor, committee)
    task = Task.objects.create(
        committee=committee,
        title=_text("title", title, 140, required=True),
        notes=_text("notes", notes, MAX_TEXT),
        assignee=_assignee(committee, assignee),
        due_on=due_on,
        created_by=actor,
    )
    record_event(committee, EventType.TASK_CREATED, actor=actor, task=task.pk)
    return task


UNSET: Any = object()


@transaction.atomic
def update_task(
    *,
    task: Task,
    actor: User,
    status: str | None = None,
    assignee: User | None = UNSET,
    due_on: date | None = UNSET,
    title: str | None = None,
) -> Task:
    """Coordinators change anything; the member a task is assigned to moves its status."""
    committee = task.committee
    coordinator = queries.can_coordinate(actor, committee)
    if not coordinator:
        only_status = assignee is UNSET and due_on is UNSET and title is None
        if not (
            only_status and task.assignee_id == actor.pk and queries.membership_of(actor, committee)
        ):
            raise Forbidden
    changed: list[str] = []
    if status is not None:
        if status not in Task.Status.values:
            raise _refuse("status", _("Choose to do, in progress or done."))
        task.status = status
        changed.append("status")
    if assignee is not UNSET:
        task.assignee = _assignee(committee, assignee)
        changed.append("assignee")
    if due_on is not UNSET:
        task.due_on = due_on
        changed.append("due_on")
    if title is not None:
        task.title = _text("title", title, 140, required=True)
        changed.append("title")
    if changed:
        task.updated_at = timezone.now()
        task.save(update_fields=[*changed, "updated_at"])
        record_event(committee, EventType.TASK_UPDATED, actor=actor, task=task.pk, fields=changed)
    return task
