"""Accounts retention: dead API tokens and old audit rows go; live ones stay."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from pytest_django import Settings

from vecinos.accounts.actions import create_api_token, revoke_api_token
from vecinos.accounts.models import AccountEvent, ApiToken, User
from vecinos.core import retention

pytestmark = pytest.mark.django_db


def purge(now: dt.datetime) -> dict[str, int]:
    return retention.jobs()["accounts"](now)


def test_the_accounts_job_is_registered() -> None:
    assert "accounts" in retention.jobs()


def test_a_token_dead_for_a_month_is_deleted_and_a_live_one_kept(rosa: User) -> None:
    live, _ = create_api_token(user=rosa, name="live", actor=rosa)
    revoked, _ = create_api_token(user=rosa, name="revoked", actor=rosa)
    revoke_api_token(token=revoked, actor=rosa)
    now = timezone.now()

    assert purge(now + dt.timedelta(days=29))["api_tokens_deleted"] == 0
    result = purge(now + dt.timedelta(days=31))
    assert result["api_tokens_deleted"] == 1
    assert list(ApiToken.objects.all()) == [live]


def test_an_expired_token_goes_a_month_after_it_expired(rosa: User) -> None:
    token, _ = create_api_token(user=rosa, name="", actor=rosa)
    assert token.expires_at is not None
    purge(token.expires_at + dt.timedelta(days=29))
    assert ApiToken.objects.exists()
    purge(token.expires_at + dt.timedelta(days=31))
    assert not ApiToken.objects.exists()


def test_account_events_expire_after_their_window(rosa: User, settings: Settings) -> None:
    settings.ACCOUNT_EVENT_RETENTION = 10
    create_api_token(user=rosa, name="", actor=rosa)
    now = timezone.now()
    purge(now + dt.timedelta(days=9))
    assert AccountEvent.objects.count() == 1
    result = purge(now + dt.timedelta(days=11))
    assert result["account_events_deleted"] == 1
    assert not AccountEvent.objects.exists()
    # Running it again is harmless.
    assert purge(now + dt.timedelta(days=11)) == {
        "api_tokens_deleted": 0,
        "account_events_deleted": 0,
    }
