"""Access rules of the committee pages (vecinos/committees/urls.py) and the committees
API (vecinos/api/committees.py).

Public: the list, a committee's page, asking to join, an invite, the one-time
password link. Members (mara, rosa, carmen): the committee's private pages. Its
coordinators (carmen) and admins (ana): members and contacts, requests, invites,
announcements, tasks, edits. olga coordinates another committee and gets 404 here,
like dani (a dispatcher: global for incidents, nothing inside committees)."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.access.matrix import ACTORS, EVERYONE, SIGNED_IN, Rule, World
from vecinos.accounts.models import Role, User
from vecinos.committees import actions
from vecinos.committees.models import JoinRequest, Membership, Task

WEB_EVERYONE = frozenset(ACTORS)
MEMBERS = frozenset({"mara", "rosa", "carmen"})
COORDINATORS = frozenset({"carmen", "ana"})
ADMINS = frozenset({"ana"})
TOKEN_HOLDERS = frozenset({"rosa", "carmen", "olga", "dani", "ana"})


def setup(world: World) -> None:
    committee = world.committee
    for name in ("mara", "rosa", "carmen"):
        channel, normal, key = actions.normalize_contact("sms", f"+1213555{len(name):04d}")
        Membership.objects.filter(committee=committee, user=world.user(name)).update(
            alias=name.title(), channel=channel, contact_hash=key
        )
    world.mara_membership = Membership.objects.get(committee=committee, user=world.user("mara"))
    channel, normal, key = actions.normalize_contact("sms", "+12135550199")
    world.join_request = JoinRequest.objects.create(
        committee=committee, alias="Newcomer", channel=channel, contact=normal, contact_hash=key
    )
    world.invite, world.invite_code = actions.create_invite(
        committee=committee, actor=None, max_uses=50, days=7
    )
    world.mara_task = Task.objects.create(
        committee=committee, title="Flyers", assignee=world.user("mara")
    )
    world.rosa_task = Task.objects.create(
        committee=committee, title="Calls", assignee=world.user("rosa")
    )
    newcomer = User.objects.create_user(username="newcomer", password=None, role=Role.MEMBER)
    world.welcome = {
        "uidb64": urlsafe_base64_encode(force_bytes(newcomer.pk)),
        "token": default_token_generator.make_token(newcomer),
    }


def slug(w: World) -> dict[str, object]:
    return {"slug": w.committee.slug}


def member(w: World) -> dict[str, object]:
    return {"slug": w.committee.slug, "membership_id": w.mara_membership.pk}


def request(w: World) -> dict[str, object]:
    return {"slug": w.committee.slug, "request_id": w.join_request.pk}


def joining(w: World) -> dict[str, str]:
    return {"alias": "Vecina", "channel": "sms", "contact": "+1 213 555 0177", "language": "es"}


RULES = [
    # Public pages
    Rule("committees:list", allowed=WEB_EVERYONE),
    Rule("committees:public", kwargs=slug, allowed=WEB_EVERYONE),
    Rule("committees:join", kwargs=slug, allowed=WEB_EVERYONE),
    Rule("committees:join", method="POST", kwargs=slug, data=joining, allowed=WEB_EVERYONE),
    Rule("committees:redeem", allowed=WEB_EVERYONE),
    Rule(
        "committees:redeem",
        method="POST",
        data=lambda w: {**joining(w), "code": w.invite_code},
        allowed=WEB_EVERYONE,
    ),
    Rule("committees:welcome", kwargs=lambda w: w.welcome, allowed=WEB_EVERYONE),
    Rule(
        "committees:welcome",
        method="POST",
        kwargs=lambda w: w.welcome,
        data=lambda w: {
            "password1": "a long new pass phrase",
            "password2": "a long new pass phrase",
        },
        allowed=WEB_EVERYONE,
    ),
    # Anyone signed in: their own committees (an empty list for most)
    Rule("committees:home", allowed=SIGNED_IN),
    # Members' pages (a freshly approved member is a member: mara)
    Rule("committees:committee", kwargs=slug, allowed=MEMBERS | ADMINS, refused={404}),
    Rule("committees:announcements", kwargs=slug, allowed=MEMBERS | ADMINS, refused={404}),
    Rule("committees:tasks", kwargs=slug, allowed=MEMBERS | ADMINS, refused={404}),
    Rule(
        "committees:task_update",
        method="POST",
        kwargs=lambda w: {"slug": w.committee.slug, "task_id": w.mara_task.pk},
        data=lambda w: {"status": "done"},
        allowed={"mara", "carmen", "ana"},
    ),
    Rule("committees:leave", method="POST", kwargs=slug, allowed=MEMBERS, refused={404}),
    Rule("committees:vouch", method="POST", kwargs=request, allowed=MEMBERS, refused={404}),
    # Coordinators of this committee and admins: never mara, rosa or olga
    Rule("committees:members", kwargs=slug, allowed=COORDINATORS, refused={404}),
    Rule("committees:export", method="POST", kwargs=slug, allowed=COORDINATORS, refused={404}),
    Rule("committees:contact", method="POST", kwargs=member, allowed=COORDINATORS, refused={404}),
    Rule(
        "committees:role",
        method="POST",
        kwargs=member,
        data=lambda w: {"role": "coordinator"},
        allowed=COORDINATORS,
        refused={404},
    ),
    Rule("committees:remove", method="POST", kwargs=member, allowed=COORDINATORS, refused={404}),
    Rule("committees:requests", kwargs=slug, allowed=COORDINATORS, refused={404}),
    Rule("committees:approve", method="POST", kwargs=request, allowed=COORDINATORS, refused={404}),
    Rule("committees:decline", method="POST", kwargs=request, allowed=COORDINATORS, refused={404}),
    Rule("committees:invites", kwargs=slug, allowed=COORDINATORS, refused={404}),
    Rule(
        "committees:invites",
        method="POST",
        kwargs=slug,
        data=lambda w: {"max_uses": 3, "days": 7, "label": "gate"},
        allowed=COORDINATORS,
        refused={404},
    ),
    Rule(
        "committees:invite_revoke",
        method="POST",
        kwargs=lambda w: {"slug": w.committee.slug, "invite_id": w.invite.pk},
        allowed=COORDINATORS,
        refused={404},
    ),
    Rule("committees:edit", kwargs=slug, allowed=COORDINATORS, refused={404}),
    Rule(
        "committees:edit",
        method="POST",
        kwargs=slug,
        data=lambda w: {"name": "Boyle Heights", "languages": ["es", "en"], "zip_codes": "90033"},
        allowed=COORDINATORS,
        refused={404},
    ),
    Rule("committees:announce", kwargs=slug, allowed=COORDINATORS, refused={404}),
    Rule(
        "committees:announce",
        method="POST",
        kwargs=slug,
        data=lambda w: {"subject_es": "Reunión", "body_es": "El martes a las 7."},
        allowed=COORDINATORS,
        refused={404},
    ),
    Rule("committees:audit", kwargs=slug, allowed=COORDINATORS, refused={404}),
    # The area picker's cell geometry: whoever coordinates a committee, and admins.
    Rule(
        "committees:area_cell",
        data=lambda w: {"lat": "34.0403", "lng": "-118.2093"},
        allowed={"carmen", "olga", "ana"},
        refused={403},
    ),
    # Admins only
    Rule("committees:create", allowed=ADMINS, refused={403}),
    Rule(
        "committees:create",
        method="POST",
        data=lambda w: {"name": "Pico Union Workers", "kind": "workplace", "languages": ["es"]},
        allowed=ADMINS,
        refused={403},
    ),
    Rule(
        "committees:add_coordinator",
        method="POST",
        kwargs=slug,
        data=lambda w: {"username": "olga"},
        allowed=ADMINS,
        refused={403},
    ),
    Rule("committees:deactivate", allowed=ADMINS, refused={403}),
    Rule(
        "committees:deactivate",
        method="POST",
        data=lambda w: {"username": "dani"},
        allowed=ADMINS,
        refused={403},
    ),
    # The API: public reads and join requests
    Rule("api:committee_list", allowed=EVERYONE),
    Rule("api:committee_detail", kwargs=slug, allowed=EVERYONE),
    Rule(
        "api:committee_join", method="POST", kwargs=slug, data=joining, json=True, allowed=EVERYONE
    ),
    # With a token (members hold none: mara is refused with 401)
    Rule("api:my_committees", allowed=TOKEN_HOLDERS),
    Rule("api:committee_announcements", kwargs=slug, allowed={"rosa", "carmen", "ana"}),
    Rule("api:committee_tasks", kwargs=slug, allowed={"rosa", "carmen", "ana"}),
    Rule(
        "api:committee_update_task",
        method="PATCH",
        kwargs=lambda w: {"slug": w.committee.slug, "task_id": w.rosa_task.pk},
        data=lambda w: {"status": "done"},
        json=True,
        allowed={"rosa", "carmen", "ana"},
    ),
    Rule(
        "api:committee_list",  # POST on the same path: create
        method="POST",
        data=lambda w: {
            "name": "Pico Union Workers",
            "kind": "workplace",
            "coordinators": ["olga"],
        },
        json=True,
        allowed=ADMINS,
    ),
    Rule(
        "api:committee_detail",  # PATCH on the same path: edit
        method="PATCH",
        kwargs=slug,
        data=lambda w: {"meets": "Tuesdays 7 pm"},
        json=True,
        allowed=COORDINATORS,
    ),
    Rule("api:committee_members", kwargs=slug, allowed=COORDINATORS),
    Rule("api:committee_member_contact", kwargs=member, allowed=COORDINATORS),
    Rule(
        "api:committee_member_role",
        method="POST",
        kwargs=member,
        data=lambda w: {"role": "coordinator"},
        json=True,
        allowed=COORDINATORS,
    ),
    Rule("api:committee_remove_member", method="DELETE", kwargs=member, allowed=COORDINATORS),
    Rule("api:committee_join_requests", kwargs=slug, allowed=COORDINATORS),
    Rule(
        "api:committee_decide",
        method="POST",
        kwargs=lambda w: {**request(w), "decision": "approve"},
        allowed=COORDINATORS,
    ),
    Rule(
        "api:committee_create_invite",
        method="POST",
        kwargs=slug,
        data=lambda w: {"max_uses": 2, "days": 3},
        json=True,
        allowed=COORDINATORS,
    ),
    Rule(
        "api:committee_revoke_invite",
        method="POST",
        kwargs=lambda w: {"slug": w.committee.slug, "invite_id": w.invite.pk},
        allowed=COORDINATORS,
    ),
    Rule(
        "api:committee_announcements",  # POST: announce
        method="POST",
        kwargs=slug,
        data=lambda w: {"texts": {"es": {"subject": "Reunión", "body": "Martes a las 7."}}},
        json=True,
        allowed=COORDINATORS,
    ),
    Rule(
        "api:committee_tasks",  # POST: create a task
        method="POST",
        kwargs=slug,
        data=lambda w: {"title": "Flyers", "assignee": "mara"},
        json=True,
        allowed=COORDINATORS,
    ),
]
