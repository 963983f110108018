"""Background tasks of the foundation. ``vecinos worker`` (huey's ``run_huey``) imports
every installed app's ``tasks`` module, which registers these."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from vecinos.core import retention

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="0"))
def purge_expired() -> dict[str, dict[str, int]]:
    """Every hour: run every retention job (``vecinos purge`` does the same by hand).

    Each worker machine schedules it; the jobs are idempotent and safe to overlap, so
    two runs in the same hour do no harm.
    """
    results = retention.run_all(timezone.now())
    for name, counts in results.items():
        logger.info(
            "retention %s: %s",
            name,
            ", ".join(f"{key}={value}" for key, value in sorted(counts.items())) or "nothing",
        )
    return results
