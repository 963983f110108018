"""The committees' world: Boyle Heights (carmen coordinates, rosa is its responder,
mara a member) and Fremont (olga coordinates); dani dispatches, ana administers, gone
is a deactivated account that used to be a member."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from tests.conftest import make_user, signed_in
from vecinos.accounts.models import Role, User
from vecinos.committees import actions
from vecinos.committees.models import Committee, Membership, MembershipRole

PEOPLE = ("anonymous", "mara", "rosa", "carmen", "olga", "dani", "ana", "gone")


def member(committee: Committee, user: User, role: str, alias: str, contact: str) -> Membership:
    channel, normal, key = actions.normalize_contact("sms", contact)
    return Membership.objects.create(
        committee=committee,
        user=user,
        role=role,
        alias=alias,
        channel=channel,
        contact=normal,
        contact_hash=key,
        language="es",
    )


@dataclass
class World:
    committee: Committee
    other: Committee
    people: dict[str, User | None]

    def client(self, name: str) -> Client:
        user = self.people[name]
        return Client() if user is None else signed_in(user)


@pytest.fixture
def world(
    db: None, mara: User, rosa: User, carmen: User, olga: User, dani: User, ana: User
) -> World:
    committee = actions.create_committee(
        name="Boyle Heights",
        kind="neighborhood",
        actor=None,
        languages=["es", "en"],
        area=actions.AreaInput(zip_codes=["90033"]),
    )
    other = actions.create_committee(
        name="Fremont Families",
        kind="school",
        actor=None,
        area=actions.AreaInput(zip_codes=["90003"]),
    )
    member(committee, carmen, MembershipRole.COORDINATOR, "Carmen", "+12135550101")
    member(committee, rosa, MembershipRole.RESPONDER, "Rosa", "+12135550102")
    member(committee, mara, MembershipRole.MEMBER, "Mara", "+12135550103")
    member(other, olga, MembershipRole.COORDINATOR, "Olga", "+12135550104")
    gone = make_user("gone", Role.MEMBER)
    member(committee, gone, MembershipRole.MEMBER, "Gone", "+12135550105")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    people: dict[str, User | None] = {
        "anonymous": None,
        "mara": mara,
        "rosa": rosa,
        "carmen": carmen,
        "olga": olga,
        "dani": dani,
        "ana": ana,
        "gone": gone,
    }
    return World(committee=committee, other=other, people=people)
