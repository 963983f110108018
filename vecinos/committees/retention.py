"""Committees' retention job: contacts of people who left or were removed are erased
when ``erase_after`` comes (VECINOS_FORMER_CONTACT_DAYS after they went), and decided
join requests are deleted VECINOS_JOIN_REQUEST_DAYS after the decision (their contact
was blanked at once). Plain deletes: idempotent and safe to overlap."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from vecinos.committees.models import FormerContact, JoinRequest
from vecinos.core.retention import retention_job


@retention_job("committees")
def purge_committees(now: datetime) -> dict[str, int]:
    contacts, _ = FormerContact.objects.filter(erase_after__lte=now).delete()
    requests, _ = (
        JoinRequest.objects.exclude(status=JoinRequest.Status.PENDING)
        .filter(decided_at__lt=now - timedelta(days=settings.VECINOS_JOIN_REQUEST_DAYS))
        .delete()
    )
    return {"former_contacts_erased": contacts, "join_requests_deleted": requests}
