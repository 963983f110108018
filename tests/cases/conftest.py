"""Fixtures of the case tests: lucia (case worker on the case), leo (another case
worker), a committee whose coordinator is carmen (olga coordinates another), mara a
member given one task of the case, gone a deactivated case worker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import give_totp, make_user
from vecinos.accounts.models import Role, User
from vecinos.cases import actions
from vecinos.cases.models import Case, CaseSource, Facility, FacilityKind
from vecinos.committees.models import Committee, Membership

PERSON = "Esperanza Quintanilla Ybarra"
A_NUMBER = "A204918375"
FAMILY_PHONE = "+13235557311"


@pytest.fixture
def lucia(db: None) -> User:
    user = make_user("lucia", Role.CASE_WORKER)
    give_totp(user)
    return user


@pytest.fixture
def leo(db: None) -> User:
    user = make_user("leo", Role.CASE_WORKER)
    give_totp(user)
    return user


@pytest.fixture
def gone(db: None) -> User:
    user = make_user("gone", Role.CASE_WORKER, is_active=False)
    return user


@pytest.fixture
def committee(db: None, carmen: User) -> Committee:
    committee = Committee.objects.create(
        name="Boyle Heights", slug="boyle-heights", kind="neighborhood"
    )
    Membership.objects.create(committee=committee, user=carmen, role="coordinator")
    return committee


@pytest.fixture
def other_committee(db: None, olga: User) -> Committee:
    other = Committee.objects.create(name="Pacoima", slug="pacoima", kind="neighborhood")
    Membership.objects.create(committee=other, user=olga, role="coordinator")
    return other


@pytest.fixture
def facility(db: None) -> Facility:
    return Facility.objects.create(
        name="Adelanto ICE Processing Center",
        kind=FacilityKind.PROCESSING_CENTER,
        address="10250 Rancho Road, Adelanto, CA 92301",
    )


def open_test_case(actor: User | None, **facts: Any) -> Case:
    values: dict[str, Any] = {
        "person_name": PERSON,
        "a_number": A_NUMBER,
        "family_contact": FAMILY_PHONE,
        "family_channel": "sms",
        "family_language": "es",
        "family_updates": True,
        "taken_at": timezone.now() - timedelta(hours=2),
    }
    values.update(facts)
    return actions.open_case(
        source=CaseSource.PUBLIC if actor is None else CaseSource.HOTLINE,
        facts=values,
        actor=actor,
    )


@pytest.fixture
def case(
    lucia: User, committee: Committee, other_committee: Committee, mara: User, gone: User
) -> Case:
    """A case lucia works on, in carmen's committee, with one task given to mara."""
    opened = open_test_case(lucia)
    opened.committee = committee
    opened.save(update_fields=["committee"])
    actions.add_task(case=opened, title="Accompany to the check-in", assignee=mara, actor=lucia)
    return opened
