"""What the organizing app forgets (``vecinos purge``, job ``organizing``):

- the keyed hash of the number an invitation reached, once its event has ended (no
  answer by SMS can come for it any more);
- who was on which shift, and from which cell, ``SHIFT_RETENTION_DAYS`` after the
  shift ended: an old roster is a map of who does what, and nobody needs it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from vecinos.core.retention import retention_job
from vecinos.organizing.models import Invitation, ShiftAssignment

SHIFT_RETENTION_DAYS = 30


@retention_job("organizing")
def purge(now: datetime) -> dict[str, int]:
    hashes = (
        Invitation.objects.filter(event__ends_at__lt=now).exclude(sms_hash="").update(sms_hash="")
    )
    assignments, _counts = ShiftAssignment.objects.filter(
        shift__ends_at__lt=now - timedelta(days=SHIFT_RETENTION_DAYS)
    ).delete()
    return {"invitation_numbers_forgotten": hashes, "shift_places_deleted": assignments}
