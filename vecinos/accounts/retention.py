"""Retention for accounts: dead API tokens and old audit rows are deleted."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from vecinos.accounts.models import AccountEvent, ApiToken
from vecinos.core.retention import retention_job

# A revoked or expired token stays listed on its owner's page for this long, so they
# can see what stopped working, then it goes.
DEAD_TOKEN_DAYS = 30


@retention_job("accounts")
def purge_accounts(now: datetime) -> dict[str, int]:
    """Delete tokens dead for ``DEAD_TOKEN_DAYS`` and account events older than
    ``ACCOUNT_EVENT_RETENTION`` days. Plain deletes: idempotent and safe to overlap."""
    dead_since = now - timedelta(days=DEAD_TOKEN_DAYS)
    tokens, _ = ApiToken.objects.filter(
        Q(revoked_at__lt=dead_since) | Q(expires_at__lt=dead_since)
    ).delete()
    events, _ = AccountEvent.objects.filter(
        created_at__lt=now - timedelta(days=settings.ACCOUNT_EVENT_RETENTION)
    ).delete()
    return {"api_tokens_deleted": tokens, "account_events_deleted": events}
