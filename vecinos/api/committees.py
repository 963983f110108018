"""The committees API.

Public (no token): ``GET /committees?zip=`` (the public list), ``GET
/committees/{slug}`` (a public page), ``POST /committees/{slug}/join`` (a join request,
rate-limited per client like the web form).

With a bearer token: ``GET /committees/mine``; for a committee's members ``GET
/committees/{slug}/announcements`` and ``GET /committees/{slug}/tasks``; for its
coordinators and admins the member list (aliases and roles), a member's contact (an
audit row each time), role changes (member/coordinator), removal, join requests and
their decisions, invites, announcements, tasks, and edits; for admins ``POST
/committees``. A committee outside the caller's reach answers 404, like one that does
not exist; a refused action 403; a state that forbids it 409; bad values 422.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, Field, StrictBool, StrictInt, StrictStr

from vecinos.accounts.access import Forbidden, acting_user
from vecinos.accounts.models import User
from vecinos.api.auth import TokenAuth
from vecinos.api.errors import BODY_ERRORS, PUBLIC_ERRORS, STAFF_ERRORS, ErrorOut
from vecinos.committees import actions, queries
from vecinos.committees.models import (
    Announcement,
    Committee,
    Invite,
    JoinRequest,
    Membership,
    Task,
)
from vecinos.core import areas, ratelimit

router = Router(tags=["committees"])
token = TokenAuth()


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


Text = Annotated[StrictStr, Field(max_length=2000)]
Short = Annotated[StrictStr, Field(max_length=200)]
Language = Literal["en", "es"]


class CommitteeOut(Schema):
    slug: str
    name: str
    kind: str
    description: str
    area_label: str
    zip_codes: list[str]
    languages: list[str]
    meets: str
    how_to_join: str
    hotline: str
    requires_vouch: bool


class MembershipOut(Schema):
    committee: str
    role: str
    alias: str


class MemberOut(Schema):
    id: int
    alias: str
    role: str
    channel: str
    joined_at: datetime


class ContactOut(Schema):
    id: int
    alias: str
    channel: str
    contact: str


class JoinIn(Strict):
    alias: Annotated[StrictStr, Field(max_length=60)]
    channel: Literal["sms", "email"]
    contact: Annotated[StrictStr, Field(max_length=254)]
    language: Language = "en"
    why: Annotated[StrictStr, Field(max_length=1000)] = ""


class JoinRequestOut(Schema):
    id: int
    alias: str
    channel: str
    language: str
    why: str
    status: str
    vouched: bool
    created_at: datetime


class RoleIn(Strict):
    role: Literal["member", "coordinator"]


class InviteIn(Strict):
    max_uses: Annotated[StrictInt, Field(ge=1, le=actions.INVITE_MAX_USES)] = 1
    days: Annotated[StrictInt, Field(ge=1, le=actions.INVITE_MAX_DAYS)] = 7
    label: Annotated[StrictStr, Field(max_length=80)] = ""


class InviteOut(Schema):
    id: int
    prefix: str
    label: str
    uses: int
    max_uses: int
    expires_at: datetime
    revoked: bool
    code: str = ""
    url: str = ""


class AnnouncementText(Strict):
    subject: Annotated[StrictStr, Field(max_length=120)]
    body: Text


class AnnouncementIn(Strict):
    texts: dict[Language, AnnouncementText]


class AnnouncementOut(Schema):
    id: int
    subject: str
    body: str
    created_at: datetime
    recipients: int


class TaskIn(Strict):
    title: Annotated[StrictStr, Field(max_length=140)]
    notes: Text = ""
    assignee: Annotated[StrictStr, Field(max_length=150)] | None = None
    due_on: date | None = None


class TaskPatch(Strict):
    status: Literal["open", "doing", "done"] | None = None
    title: Annotated[StrictStr, Field(max_length=140)] | None = None
    due_on: date | None = None


class TaskOut(Schema):
    id: int
    title: str
    notes: str
    status: str
    due_on: date | None
    assignee_alias: str


class AreaIn(Strict):
    zip_codes: Annotated[list[Annotated[StrictStr, Field(max_length=5)]], Field(max_length=50)] = []
    lat: float | None = None
    lng: float | None = None
    radius_km: float | None = None
    cells: Annotated[list[Annotated[StrictStr, Field(max_length=16)]], Field(max_length=5000)] = []


class CommitteePatch(Strict):
    name: Annotated[StrictStr, Field(max_length=120)] | None = None
    description: Text | None = None
    meets: Short | None = None
    how_to_join: Text | None = None
    hotline: Annotated[StrictStr, Field(max_length=20)] | None = None
    requires_vouch: StrictBool | None = None
    languages: Annotated[list[Language], Field(min_length=1, max_length=2)] | None = None
    area: AreaIn | None = None


class CommitteeIn(Strict):
    name: Annotated[StrictStr, Field(max_length=120)]
    kind: Literal["neighborhood", "school", "workplace"]
    slug: Annotated[StrictStr, Field(max_length=120)] = ""
    description: Text = ""
    languages: Annotated[list[Language], Field(min_length=1, max_length=2)] = ["en"]
    area: AreaIn | None = None
    coordinators: Annotated[
        list[Annotated[StrictStr, Field(max_length=150)]], Field(max_length=10)
    ] = []


# Helpers ------------------------------------------------------------------------------------
def _committee_out(committee: Committee) -> CommitteeOut:
    return CommitteeOut(
        slug=committee.slug,
        name=committee.name,
        kind=committee.kind,
        description=committee.description,
        area_label=committee.area_text,
        zip_codes=list(committee.zip_codes or []),
        languages=list(committee.languages or []),
        meets=committee.meets,
        how_to_join=committee.how_to_join,
        hotline=committee.hotline,
        requires_vouch=committee.requires_vouch,
    )


def _area(area: AreaIn | None) -> actions.AreaInput | None:
    if area is None:
        return None
    return actions.AreaInput(
        zip_codes=area.zip_codes,
        lat=area.lat,
        lng=area.lng,
        radius_km=area.radius_km,
        cells=area.cells,
    )


def _coordinated(request: HttpRequest, slug: str) -> tuple[User, Committee]:
    user = acting_user(request)
    return user, queries.get_committee_for_user(user, slug, write=True)


def _visible(request: HttpRequest, slug: str) -> tuple[User, Committee]:
    user = acting_user(request)
    return user, queries.get_committee_for_user(user, slug)


def _membership(request: HttpRequest, slug: str, membership_id: int) -> tuple[User, Membership]:
    """A membership of a committee the user sees, for a change (the getter's rules)."""
    user, committee = _visible(request, slug)
    return user, queries.get_membership_for_user(user, committee, membership_id, write=True)


def _member_out(m: Membership) -> MemberOut:
    return MemberOut(id=m.pk, alias=m.alias, role=m.role, channel=m.channel, joined_at=m.joined_at)


def _run[T](call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """An action, its refusals as HTTP answers."""
    try:
        return call(*args, **kwargs)
    except Forbidden:
        raise HttpError(403, _("Your role may not do this.")) from None
    except actions.InvalidState as error:
        raise HttpError(409, str(error)) from None


def _invite_out(invite: Invite, code: str = "") -> InviteOut:
    from django.urls import reverse

    return InviteOut(
        id=invite.pk,
        prefix=invite.prefix,
        label=invite.label,
        uses=invite.uses,
        max_uses=invite.max_uses,
        expires_at=invite.expires_at,
        revoked=invite.revoked_at is not None,
        code=code,
        url=(settings.VECINOS_PUBLIC_URL + reverse("committees:redeem") + "?code=" + code)
        if code
        else "",
    )


def _task_out(task: Task, aliases: dict[int, str]) -> TaskOut:
    return TaskOut(
        id=task.pk,
        title=task.title,
        notes=task.notes,
        status=task.status,
        due_on=task.due_on,
        assignee_alias=aliases.get(task.assignee_id or 0, ""),
    )


# Public -------------------------------------------------------------------------------------
@router.get(
    "/committees",
    response={200: list[CommitteeOut], 422: ErrorOut, **PUBLIC_ERRORS},
    summary="The public list of committees, optionally near a ZIP code",
)
def committee_list(
    request: HttpRequest, zip: Annotated[str, Field(max_length=5)] = ""
) -> list[CommitteeOut]:
    cells = None
    if zip:
        try:
            cells = areas.zip_area(zip).cells
        except areas.AreaError as error:
            raise ValidationError({"zip": [error.message]}) from None
    return [_committee_out(c) for c in queries.public_committees(cells=cells)[:500]]


@router.get(
    "/committees/mine",
    auth=token,
    response={200: list[MembershipOut], **STAFF_ERRORS},
    summary="The committees of the token's owner",
)
def my_committees(request: HttpRequest) -> list[MembershipOut]:
    return [
        MembershipOut(committee=m.committee.slug, role=m.role, alias=m.alias)
        for m in queries.memberships_of_user(acting_user(request))
    ]


@router.get(
    "/committees/{slug}",
    response={200: CommitteeOut, 404: ErrorOut, **PUBLIC_ERRORS},
    summary="A committee's public page",
)
def committee_detail(request: HttpRequest, slug: str) -> CommitteeOut:
    return _committee_out(queries.get_committee(slug))


@router.post(
    "/committees/{slug}/join",
    response={
        202: JoinRequestOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        **PUBLIC_ERRORS,
        **BODY_ERRORS,
    },
    summary="Ask to join a committee",
)
def committee_join(request: HttpRequest, slug: str, payload: JoinIn) -> Status:
    committee = queries.get_committee(slug)
    verdict = ratelimit.hit(
        "committee-join", getattr(request, "client_key", ""), settings.VECINOS_JOIN_RATE
    )
    if not verdict.allowed:
        error = HttpError(429, _("Too many requests from this connection. Try again later."))
        error.wait = verdict.retry_after  # type: ignore[attr-defined]
        raise error
    join_request = _run(
        actions.request_to_join,
        committee=committee,
        alias=payload.alias,
        channel=payload.channel,
        contact=payload.contact,
        language=payload.language,
        why=payload.why,
    )
    return Status(202, _request_out(join_request))


def _request_out(join_request: JoinRequest) -> JoinRequestOut:
    return JoinRequestOut(
        id=join_request.pk,
        alias=join_request.alias,
        channel=join_request.channel,
        language=join_request.language,
        why=join_request.why,
        status=join_request.status,
        vouched=join_request.vouched_by_id is not None,
        created_at=join_request.created_at,
    )


# Admins -------------------------------------------------------------------------------------
@router.post(
    "/committees",
    auth=token,
    url_name="committee_list",  # the same path as the GET: one URL pattern
    response={201: CommitteeOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Create a committee and name its first coordinators (admins)",
)
def create_committee(request: HttpRequest, payload: CommitteeIn) -> Status:
    user = acting_user(request)
    if not user.is_admin:
        raise HttpError(403, _("Your role may not do this."))
    coordinators = []
    for username in payload.coordinators:
        found = User.objects.filter(username=username, is_active=True).first()
        if found is None:
            raise ValidationError({"coordinators": [_("No active account has this username.")]})
        coordinators.append(found)
    committee = _run(
        actions.create_committee,
        name=payload.name,
        kind=payload.kind,
        slug=payload.slug,
        description=payload.description,
        languages=payload.languages,
        area=_area(payload.area),
        actor=user,
    )
    for coordinator in coordinators:
        _run(actions.name_coordinator, committee=committee, user=coordinator, actor=user)
    return Status(201, _committee_out(committee))


# Coordinators ------------------------------------------------------------------------------
@router.patch(
    "/committees/{slug}",
    auth=token,
    url_name="committee_detail",  # the same path as the GET: one URL pattern
    response={200: CommitteeOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Edit a committee (its coordinators, admins)",
)
def edit_committee(request: HttpRequest, slug: str, payload: CommitteePatch) -> CommitteeOut:
    user, committee = _coordinated(request, slug)
    changes = {
        field: getattr(payload, field)
        for field in actions.EDITABLE
        if getattr(payload, field) is not None
    }
    _run(
        actions.update_committee,
        committee=committee,
        actor=user,
        languages=payload.languages,
        area=_area(payload.area),
        **changes,
    )
    return _committee_out(committee)


@router.get(
    "/committees/{slug}/members",
    auth=token,
    response={200: list[MemberOut], **STAFF_ERRORS},
    summary="The member list, by alias (coordinators, admins)",
)
def committee_members(request: HttpRequest, slug: str) -> list[MemberOut]:
    _user, committee = _coordinated(request, slug)
    return [_member_out(m) for m in queries.memberships_of_committee(committee)]


@router.get(
    "/committees/{slug}/members/{membership_id}/contact",
    auth=token,
    response={200: ContactOut, **STAFF_ERRORS},
    summary="A member's contact (coordinators, admins; every look is recorded)",
)
def committee_member_contact(request: HttpRequest, slug: str, membership_id: int) -> ContactOut:
    user, committee = _coordinated(request, slug)
    membership = queries.get_membership_for_user(user, committee, membership_id, write=True)
    contact = _run(actions.reveal_contact, membership=membership, actor=user)
    return ContactOut(
        id=membership.pk, alias=membership.alias, channel=membership.channel, contact=contact
    )


@router.post(
    "/committees/{slug}/members/{membership_id}/role",
    auth=token,
    response={200: MemberOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Make a member a coordinator or back (coordinators, admins)",
)
def committee_member_role(
    request: HttpRequest, slug: str, membership_id: int, payload: RoleIn
) -> MemberOut:
    user, membership = _membership(request, slug, membership_id)
    m = _run(actions.change_role, membership=membership, role=payload.role, actor=user)
    return _member_out(m)


@router.delete(
    "/committees/{slug}/members/{membership_id}",
    auth=token,
    response={204: None, **STAFF_ERRORS},
    summary="Remove a member (coordinators, admins), or leave (oneself)",
)
def committee_remove_member(request: HttpRequest, slug: str, membership_id: int) -> Status:
    user, membership = _membership(request, slug, membership_id)
    if membership.user_id == user.pk:
        _run(actions.leave_committee, membership=membership, actor=user)
    else:
        _run(actions.remove_member, membership=membership, actor=user)
    return Status(204, None)


@router.get(
    "/committees/{slug}/requests",
    auth=token,
    response={200: list[JoinRequestOut], **STAFF_ERRORS},
    summary="Pending join requests (coordinators, admins)",
)
def committee_join_requests(request: HttpRequest, slug: str) -> list[JoinRequestOut]:
    _user, committee = _coordinated(request, slug)
    return [_request_out(r) for r in queries.pending_requests(committee)]


@router.post(
    "/committees/{slug}/requests/{request_id}/{decision}",
    auth=token,
    response={200: JoinRequestOut, **STAFF_ERRORS},
    summary="Approve or decline a join request (coordinators, admins)",
)
def committee_decide(
    request: HttpRequest, slug: str, request_id: int, decision: Literal["approve", "decline"]
) -> JoinRequestOut:
    user, committee = _coordinated(request, slug)
    join_request = queries.get_join_request_for_user(user, committee, request_id)
    if decision == "approve":
        _run(actions.approve_request, join_request=join_request, actor=user)
        join_request.refresh_from_db()
    else:
        join_request = _run(actions.decline_request, join_request=join_request, actor=user)
    return _request_out(join_request)


@router.post(
    "/committees/{slug}/invites",
    auth=token,
    response={201: InviteOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Make an invite code (coordinators, admins); the code is shown once",
)
def committee_create_invite(request: HttpRequest, slug: str, payload: InviteIn) -> Status:
    user, committee = _coordinated(request, slug)
    invite, code = _run(
        actions.create_invite,
        committee=committee,
        actor=user,
        max_uses=payload.max_uses,
        days=payload.days,
        label=payload.label,
    )
    return Status(201, _invite_out(invite, code))


@router.post(
    "/committees/{slug}/invites/{invite_id}/revoke",
    auth=token,
    response={200: InviteOut, **STAFF_ERRORS},
    summary="Revoke an invite (coordinators, admins)",
)
def committee_revoke_invite(request: HttpRequest, slug: str, invite_id: int) -> InviteOut:
    user, committee = _coordinated(request, slug)
    invite = queries.get_invite_for_user(user, committee, invite_id)
    return _invite_out(_run(actions.revoke_invite, invite=invite, actor=user))


# Members -------------------------------------------------------------------------------------
def _announcement_out(a: Announcement, language: str) -> AnnouncementOut:
    text = a.text_for(language)
    return AnnouncementOut(
        id=a.pk,
        subject=text["subject"],
        body=text["body"],
        created_at=a.created_at,
        recipients=a.recipients,
    )


@router.get(
    "/committees/{slug}/announcements",
    auth=token,
    response={200: list[AnnouncementOut], **STAFF_ERRORS},
    summary="The announcement archive (members)",
)
def committee_announcements(request: HttpRequest, slug: str) -> list[AnnouncementOut]:
    user, committee = _visible(request, slug)
    membership = queries.membership_of(user, committee)
    language = membership.language if membership else "en"
    return [_announcement_out(a, language) for a in queries.announcements_of(committee)[:200]]


@router.post(
    "/committees/{slug}/announcements",
    auth=token,
    url_name="committee_announcements",  # the same path as the GET: one URL pattern
    response={201: AnnouncementOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Send an announcement to every member (coordinators, admins)",
)
def committee_announce(request: HttpRequest, slug: str, payload: AnnouncementIn) -> Status:
    user, committee = _coordinated(request, slug)
    texts = {language: text.model_dump() for language, text in payload.texts.items()}
    a = _run(actions.send_announcement, committee=committee, texts=texts, actor=user)
    return Status(201, _announcement_out(a, next(iter(texts), "en")))


@router.get(
    "/committees/{slug}/tasks",
    auth=token,
    response={200: list[TaskOut], **STAFF_ERRORS},
    summary="The committee's tasks (members)",
)
def committee_tasks(request: HttpRequest, slug: str) -> list[TaskOut]:
    _, committee = _visible(request, slug)
    aliases = queries.member_aliases(committee)
    return [_task_out(t, aliases) for t in queries.tasks_of(committee)[:500]]


def _assignee(committee: Committee, username: str | None) -> User | None:
    if not username:
        return None
    membership = (
        Membership.objects.filter(committee=committee, user__username=username)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise ValidationError({"assignee": [_("Assign the task to a member of this committee.")]})
    return membership.user


@router.post(
    "/committees/{slug}/tasks",
    auth=token,
    url_name="committee_tasks",  # the same path as the GET: one URL pattern
    response={201: TaskOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Create a task (coordinators, admins)",
)
def committee_create_task(request: HttpRequest, slug: str, payload: TaskIn) -> Status:
    user, committee = _coordinated(request, slug)
    task = _run(
        actions.create_task,
        committee=committee,
        title=payload.title,
        notes=payload.notes,
        assignee=_assignee(committee, payload.assignee),
        due_on=payload.due_on,
        actor=user,
    )
    return Status(201, _task_out(task, queries.member_aliases(committee)))


@router.patch(
    "/committees/{slug}/tasks/{task_id}",
    auth=token,
    response={200: TaskOut, **STAFF_ERRORS, **BODY_ERRORS},
    summary="Move a task (coordinators; the member it is assigned to: its status)",
)
def committee_update_task(
    request: HttpRequest, slug: str, task_id: int, payload: TaskPatch
) -> TaskOut:
    user, committee = _visible(request, slug)
    task = queries.get_task_for_user(user, committee, task_id)
    changes = payload.model_dump(exclude_unset=True)
    task = _run(actions.update_task, task=task, actor=user, **changes)
    return _task_out(task, queries.member_aliases(committee))
