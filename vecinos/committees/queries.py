"""Reads of committees, and the permission-checked getters (an object outside the
user's reach is a 404, like one that does not exist).

Who may do what inside a committee (docs/architecture.md, "Roles"):

- its coordinators, and admins (network-wide), manage it: members and their contacts,
  join requests, invites, announcements, tasks, the committee's page;
- its members (any ``Membership.role``) see its private pages: other members by alias,
  announcements, tasks;
- everyone else, dispatchers included, sees only its public page.

Other apps (``vecinos.organizing``) ask here who holds which role where.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from vecinos.accounts.models import User
from vecinos.committees.models import (
    Announcement,
    Committee,
    CommitteeCell,
    ContactAudit,
    Invite,
    JoinRequest,
    Membership,
    MembershipRole,
    Task,
)

CELL_CHUNK = 500


# Roles -------------------------------------------------------------------------------------
def membership_of(user: User, committee: Committee) -> Membership | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return Membership.objects.filter(committee=committee, user=user).first()


def member_role(user: User, committee: Committee) -> str | None:
    """``user``'s ``Membership.role`` in ``committee``, or None."""
    membership = membership_of(user, committee)
    return membership.role if membership else None


def can_coordinate(user: User, committee: Committee) -> bool:
    """Admins coordinate every committee; anyone else only where their membership
    says coordinator. A global ``User.role`` of coordinator gives no committee."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_admin:
        return True
    return Membership.objects.filter(
        committee=committee, user=user, role=MembershipRole.COORDINATOR
    ).exists()


def memberships_of_user(user: User) -> QuerySet[Membership]:
    """ "My committees": ``user``'s memberships with their committees."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user).select_related("committee").order_by("committee__name")
    )


def committees_with_role(user: User, *roles: str) -> QuerySet[Committee]:
    """Committees where ``user`` holds one of ``roles``."""
    if not user.is_authenticated:
        return Committee.objects.none()
    return Committee.objects.filter(memberships__user=user, memberships__role__in=roles)


def memberships_of_committee(
    committee: Committee, *, roles: Iterable[str] | None = None
) -> QuerySet[Membership]:
    """Current members of ``committee`` (with their accounts), optionally by role."""
    queryset = Membership.objects.filter(committee=committee).select_related("user")
    if roles is not None:
        queryset = queryset.filter(role__in=list(roles))
    return queryset.order_by("alias", "id")


def committees_covering(cells: Iterable[int]) -> QuerySet[Committee]:
    """Committees whose area holds any of ``cells`` (index lookups on CommitteeCell)."""
    wanted = sorted({int(cell) for cell in cells})
    if not wanted:
        return Committee.objects.none()
    condition = Q()
    for start in range(0, len(wanted), CELL_CHUNK):
        condition |= Q(cell__in=wanted[start : start + CELL_CHUNK])
    ids = CommitteeCell.objects.filter(condition).values("committee_id")
    return Committee.objects.filter(pk__in=ids)


# Getters -----------------------------------------------------------------------------------
def get_committee(slug: object) -> Committee:
    """A committee by slug, for its public page (every committee is public)."""
    try:
        return Committee.objects.get(slug=str(slug)[:120])
    except Committee.DoesNotExist:
        raise Http404 from None


def get_committee_for_user(user: User, slug: object, *, write: bool = False) -> Committee:
    """A committee whose private pages ``user`` may see (a member, or an admin), or
    with ``write`` one ``user`` coordinates; else 404."""
    committee = get_committee(slug)
    if write:
        if not can_coordinate(user, committee):
            raise Http404
        return committee
    if not user.is_authenticated or not user.is_active:
        raise Http404
    if user.is_admin or membership_of(user, committee) is not None:
        return committee
    raise Http404


def get_membership_for_user(
    user: User, committee: Committee, membership_id: object, *, write: bool = False
) -> Membership:
    """A membership of ``committee``: ``user``'s own; with ``write`` also any, for its
    coordinators and admins."""
    try:
        pk = int(str(membership_id))
        membership = Membership.objects.select_related("user", "committee").get(
            pk=pk, committee=committee
        )
    except (ValueError, Membership.DoesNotExist):
        raise Http404 from None
    if membership.user_id == user.pk and user.is_active:
        return membership
    if write and can_coordinate(user, committee):
        return membership
    raise Http404


def get_join_request_for_user(user: User, committee: Committee, request_id: object) -> JoinRequest:
    """A join request of ``committee``: for its coordinators and admins, and (to vouch)
    for its members."""
    try:
        pk = int(str(request_id))
        join_request = JoinRequest.objects.get(pk=pk, committee=committee)
    except (ValueError, JoinRequest.DoesNotExist):
        raise Http404 from None
    if can_coordinate(user, committee) or membership_of(user, committee) is not None:
        return join_request
    raise Http404


def get_invite_for_user(user: User, committee: Committee, invite_id: object) -> Invite:
    if not can_coordinate(user, committee):
        raise Http404
    try:
        return Invite.objects.get(pk=int(str(invite_id)), committee=committee)
    except (ValueError, Invite.DoesNotExist):
        raise Http404 from None


def get_task_for_user(user: User, committee: Committee, task_id: object) -> Task:
    """A task of a committee ``user`` belongs to (members move their own tasks;
    coordinators any: the action decides)."""
    if not can_coordinate(user, committee) and membership_of(user, committee) is None:
        raise Http404
    try:
        return Task.objects.select_related("assignee").get(
            pk=int(str(task_id)), committee=committee
        )
    except (ValueError, Task.DoesNotExist):
        raise Http404 from None


# Lists -------------------------------------------------------------------------------------
def public_committees(*, cells: Iterable[int] | None = None) -> QuerySet[Committee]:
    """The public list, optionally only committees covering ``cells`` (a ZIP code's)."""
    queryset = Committee.objects.all() if cells is None else committees_covering(cells)
    return queryset.annotate(member_count=Count("memberships")).order_by("name")


def member_directory(committee: Committee) -> QuerySet[Membership]:
    """What any member sees of the others: alias and role, nothing else."""
    return (
        Membership.objects.filter(committee=committee)
        .only("id", "alias", "role", "committee_id", "joined_at")
        .order_by("alias", "id")
    )


def member_aliases(committee: Committee) -> dict[int, str]:
    """The name each member goes by in the committee, by user id."""
    return dict(member_directory(committee).values_list("user_id", "alias"))


def announcements_of(committee: Committee) -> QuerySet[Announcement]:
    return Announcement.objects.filter(committee=committee).order_by("-created_at", "-id")


def tasks_of(committee: Committee) -> QuerySet[Task]:
    return Task.objects.filter(committee=committee).select_related("assignee")


def pending_requests(committee: Committee) -> QuerySet[JoinRequest]:
    return JoinRequest.objects.filter(
        committee=committee, status=JoinRequest.Status.PENDING
    ).select_related("vouched_by")


def invites_of(committee: Committee) -> QuerySet[Invite]:
    return Invite.objects.filter(committee=committee).select_related("created_by")


def contact_audit_of(committee: Committee) -> QuerySet[ContactAudit]:
    return ContactAudit.objects.filter(committee=committee).select_related("actor", "subject")
