"""Run as ``python -m tests.proofs.fanout_seed CONTACTS.json`` in a process of a data
directory (tests/proofs/test_fanout_crash.py): write one active subscription per
contact (``{"sms": [...], "email": [...], "webpush": [...]}``) in bulk, then publish an
alert over all of them through the real fan-out, which enqueues the worker tasks on
the data directory's queue. Prints the number of delivery rows written."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import django


def main(path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vecinos.settings")
    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from tests.factories import BOYLE_HEIGHTS
    from tests.servers.subscribers import make_alert
    from vecinos.alerts.fanout import fan_out
    from vecinos.alerts.models import Subscription, SubscriptionCell, SubscriptionStatus
    from vecinos.core import crypto, geo

    contacts: dict[str, list[object]] = json.loads(Path(path).read_text())
    cells = sorted(geo.cells_within(*BOYLE_HEIGHTS, 0.2))
    now = timezone.now()
    for channel, addresses in contacts.items():
        for start in range(0, len(addresses), 2000):
            chunk = addresses[start : start + 2000]
            made = Subscription.objects.bulk_create(
                Subscription(
                    channel=channel,
                    contact=json.dumps(a, sort_keys=True) if isinstance(a, dict) else str(a),
                    contact_hash=crypto.keyed_hash(
                        str(a["endpoint"]) if isinstance(a, dict) else str(a),
                        purpose=f"proof-{channel}",
                    ),
                    language="en" if start % 4000 == 0 else "es",
                    status=SubscriptionStatus.ACTIVE,
                    confirmed_at=now,
                )
                for a in chunk
            )
            SubscriptionCell.objects.bulk_create(
                SubscriptionCell(subscription=s, cell=cell) for s in made for cell in cells
            )
    with transaction.atomic():
        rows = fan_out(alert=make_alert(hours=24))
    print(rows)


if __name__ == "__main__":
    main(sys.argv[1])
