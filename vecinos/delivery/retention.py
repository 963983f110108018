"""Retention of the delivery app's own rows: the ids of inbound SMS already handled."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from vecinos.core.retention import retention_job
from vecinos.delivery.models import InboundMessage


@retention_job("inbound_sms")
def purge_inbound_messages(now: datetime) -> dict[str, int]:
    cutoff = now - timedelta(days=int(settings.SMS_INBOUND_REPLAY_DAYS))
    deleted, _rows = InboundMessage.objects.filter(received_at__lt=cutoff).delete()
    return {"inbound_sms_ids_deleted": deleted}
