"""Sign-in attempts are rate-limited per client and per username, and the counters
know a client only by its day-scoped pseudonym, never by its address."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import PASSWORD, cache_contents
from vecinos.accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

ADDRESS = "203.0.113.77"
LOGIN = "/accounts/login/"


def client_from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def cache_keys() -> list[str]:
    """Every key in the cache the suite runs with (local memory or Redis)."""
    return [key for key, _ in cache_contents()]


def test_after_five_wrong_passwords_even_the_right_one_is_refused(rosa: User) -> None:
    client = client_from(ADDRESS)
    for _ in range(5):
        response = client.post(LOGIN, {"login": "rosa", "password": "wrong guess"})
        assert response.status_code == 200
    response = client.post(LOGIN, {"login": "rosa", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_limit_per_username_does_not_hold_rosa_out_from_her_own_phone(rosa: User) -> None:
    # Someone else's five wrong passwords lock their client out, not rosa
    # (tests/test_sign_in_lockout.py).
    for _ in range(5):
        client_from(ADDRESS).post(LOGIN, {"login": "rosa", "password": "wrong guess"})
    client = client_from("198.51.100.9")
    client.post(LOGIN, {"login": "rosa", "password": PASSWORD})
    assert "_auth_user_id" in client.session


def test_a_flood_of_attempts_from_one_client_is_answered_429(rosa: User) -> None:
    client = client_from(ADDRESS)
    statuses = [
        client.post(LOGIN, {"login": f"guess{number}", "password": "x"}).status_code
        for number in range(31)
    ]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    # Another client is not held back by the first one's flood.
    other = client_from("198.51.100.9")
    assert other.post(LOGIN, {"login": "rosa", "password": PASSWORD}).status_code == 302


def test_the_429_page_is_ours_and_translatable(rosa: User) -> None:
    client = client_from(ADDRESS)
    for number in range(30):
        client.post(LOGIN, {"login": f"guess{number}", "password": "x"})
    response = client.post(LOGIN, {"login": "rosa", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts" in html
    assert 'class="skip"' in html


def test_a_successful_sign_in_does_not_count_against_the_person(rosa: User) -> None:
    client = client_from(ADDRESS)
    for _ in range(4):
        client.post(LOGIN, {"login": "rosa", "password": "wrong guess"})
    for _ in range(3):
        signed_in = client_from(ADDRESS)
        assert signed_in.post(LOGIN, {"login": "rosa", "password": PASSWORD}).status_code == 302


def test_no_rate_limit_counter_contains_the_client_address(rosa: User) -> None:
    client = client_from(ADDRESS)
    for _ in range(6):
        client.post(LOGIN, {"login": "rosa", "password": "wrong guess"})
    keys = cache_keys()
    allauth_keys = [key for key in keys if "allauth:rl" in key]
    assert allauth_keys, "allauth counted the attempts"
    assert not [key for key in keys if ADDRESS in key]
    # Per-client counters are keyed by the pseudonym the privacy middleware made.
    per_client = [key for key in allauth_keys if ":ip:" in key]
    assert per_client
    assert all(re.fullmatch(r"[0-9a-f]{32}", key.rsplit(":", 1)[1]) for key in per_client)
    for value in (cache.get(key.split(":", 2)[2]) for key in allauth_keys):
        assert ADDRESS not in str(value)
