"""Retention of cases (docs/privacy.md): ``CASE_RETENTION`` days (default 90, env
``VECINOS_CASE_RETENTION_DAYS``) after a case was closed, it is erased.

1. Closed cases past the window are taken one at a time, oldest first; each is
   claimed by deleting it (``DELETE ... WHERE id = <id>``; only the run whose delete
   removed a row counts it), so two overlapping runs never count one case twice.
2. In the same transaction its line of ``CaseTally`` (month opened, outcome) is
   incremented: cases, referred within 24 hours, represented, released. Nothing else
   is kept: the person, the family, the notes, tasks, checks, referrals, hearings and
   the timeline go with the case (foreign keys cascade), and so do the outbox rows
   that still name it.

Idempotent; O(cases past the window) per run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F

from vecinos.alerts.models import Delivery
from vecinos.cases.messages import DAY, UPDATE, WEEK
from vecinos.cases.models import Case, CaseEvent, CaseState, CaseTally
from vecinos.core.retention import drain, retention_job

BATCH = 200


def erase_case(case: Case) -> bool:
    """Erase one case, leaving its counts. False if another run erased it first."""
    month = case.opened_at.date().replace(day=1)
    outcome = case.outcome or "other"
    referred = case.referred_at is not None and case.referred_at - case.opened_at <= timedelta(
        hours=24
    )
    with transaction.atomic():
        hearings = list(case.hearings.values_list("pk", flat=True))
        updates = list(
            case.events.filter(type=CaseEvent.Type.FAMILY_UPDATE).values_list("pk", flat=True)
        )
        deleted, _counts = Case.objects.filter(pk=case.pk).delete()
        if not deleted:
            return False
        Delivery.objects.filter(kind__in=[WEEK, DAY], item_id__in=hearings).delete()
        Delivery.objects.filter(kind=UPDATE, item_id__in=updates).delete()
        tally, _created = CaseTally.objects.get_or_create(month=month, outcome=outcome)
        CaseTally.objects.filter(pk=tally.pk).update(
            cases=F("cases") + 1,
            referred_within_day=F("referred_within_day") + int(referred),
            represented=F("represented") + int(case.represented_at is not None),
            released=F("released") + int(case.released_at is not None),
        )
    return True


@retention_job("cases")
def erase_closed_cases(now: datetime) -> dict[str, int]:
    cutoff = now - timedelta(days=settings.CASE_RETENTION)
    erased = drain(
        lambda: list(
            Case.objects.filter(state=CaseState.CLOSED, closed_at__lt=cutoff)
            .only("pk", "opened_at", "outcome", "referred_at", "represented_at", "released_at")
            .order_by("closed_at")[:BATCH]
        ),
        erase_case,
    )
    return {"cases_erased": erased}
