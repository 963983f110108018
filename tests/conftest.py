"""Shared fixtures: the named people of the test suite.

- ``rosa``: responder
- ``dani``: dispatcher (with a TOTP authenticator, so MFA is satisfied)
- ``diego``: a second dispatcher (for two-person rules)
- ``carmen``: coordinator of the Boyle Heights committee
- ``olga``: outsider: coordinator of another committee
- ``ana``: admin
- ``mara``: member
"""

from __future__ import annotations

import pytest
from django.test import Client

from vecinos.accounts.models import Role, User

PASSWORD = "correct horse battery staple"


def make_user(username: str, role: str, **extra: object) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)
    return user


def give_totp(user: User) -> None:
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, "JBSWY3DPEHPK3PXP")


@pytest.fixture
def rosa(db: None) -> User:
    return make_user("rosa", Role.RESPONDER)


@pytest.fixture
def dani(db: None) -> User:
    user = make_user("dani", Role.DISPATCHER)
    give_totp(user)
    return user


@pytest.fixture
def diego(db: None) -> User:
    user = make_user("diego", Role.DISPATCHER)
    give_totp(user)
    return user


@pytest.fixture
def carmen(db: None) -> User:
    user = make_user("carmen", Role.COORDINATOR)
    give_totp(user)
    return user


@pytest.fixture
def olga(db: None) -> User:
    user = make_user("olga", Role.COORDINATOR)
    give_totp(user)
    return user


@pytest.fixture
def ana(db: None) -> User:
    user = make_user("ana", Role.ADMIN)
    give_totp(user)
    return user


@pytest.fixture
def mara(db: None) -> User:
    return make_user("mara", Role.MEMBER)


def signed_in(user: User) -> Client:
    """A browser session for ``user`` that has passed both factors."""
    client = Client()
    client.force_login(user)
    return client
