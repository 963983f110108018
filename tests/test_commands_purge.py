"""`vecinos purge` runs every retention job: expired sessions and API tokens revoked or
expired more than 30 days ago go; current ones stay."""

from __future__ import annotations

import io
import secrets
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from vecinos.accounts.models import ApiToken, User

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def purge() -> str:
    out = io.StringIO()
    call_command("purge", stdout=out)
    return out.getvalue()


def token(user: User, name: str, **dates: datetime) -> ApiToken:
    return ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secrets.token_hex(4),
        digest=secrets.token_hex(32),
        **dates,
    )


def session(key: str, expires: datetime) -> None:
    Session.objects.create(session_key=key.ljust(32, "x"), session_data="", expire_date=expires)


@pytest.mark.django_db
def test_purge_deletes_expired_sessions_and_keeps_current_ones() -> None:
    with time_machine.travel(START, tick=False):
        session("short", timezone.now() + timedelta(hours=1))
        session("long", timezone.now() + timedelta(days=3))

    with time_machine.travel(START + timedelta(days=1), tick=False):
        output = purge()

    assert [s.session_key[:4] for s in Session.objects.all()] == ["long"]
    assert "sessions: sessions_deleted 1" in output


@pytest.mark.django_db
def test_purge_deletes_tokens_dead_for_more_than_30_days(rosa: User) -> None:
    with time_machine.travel(START, tick=False):
        revoked = token(rosa, "revoked", revoked_at=timezone.now())
        expired = token(rosa, "expired", expires_at=timezone.now())
        token(rosa, "revoked later", revoked_at=timezone.now() + timedelta(days=2))
        token(rosa, "current", expires_at=timezone.now() + timedelta(days=90))
        token(rosa, "no expiry")

    with time_machine.travel(START + timedelta(days=31), tick=False):
        output = purge()

    remaining = set(ApiToken.objects.values_list("name", flat=True))
    assert remaining == {"revoked later", "current", "no expiry"}
    assert not ApiToken.objects.filter(pk__in=[revoked.pk, expired.pk]).exists()
    assert "api_tokens_deleted 2" in output


@pytest.mark.django_db
def test_purge_keeps_a_token_revoked_29_days_ago(rosa: User) -> None:
    with time_machine.travel(START, tick=False):
        token(rosa, "revoked", revoked_at=timezone.now())

    with time_machine.travel(START + timedelta(days=29), tick=False):
        purge()

    assert ApiToken.objects.filter(name="revoked").exists()


@pytest.mark.django_db
def test_purge_says_what_every_registered_job_did() -> None:
    from vecinos.core import retention

    output = purge()

    for name in retention.jobs():
        assert f"{name}: " in output
