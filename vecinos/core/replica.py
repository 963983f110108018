"""Where the public pages read from.

With ``VECINOS_DATABASE_REPLICA_URL`` set (a PostgreSQL streaming replica of
``DATABASE_URL``), the pages anyone may open without an account — the public map and
its JSON and GeoJSON, the public alerts and their short links, the CAP and Atom feeds —
read from the replica, so a raid morning's crowd refreshing them takes no CPU from the
primary that stores reports and sends alerts. Everything else, and every write, uses
the primary. What the replica shows lags the primary by its replay delay (usually well
under a second); those answers are cached for a minute anyway (``Cache-Control``), so a
retraction reaches them on the same terms (docs/operations.md, "A read replica for the
public pages").
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
# After the replica failed to answer, the public pages read the primary for this long
# before trying it again: one request waits for the failure, not every one.
RETRY_AFTER_SECONDS = 30.0
_down_until = 0.0


def public_reads() -> str:
    """The database alias the public read-only pages use: the replica when one is
    configured and answers, else the primary (a replica that is down must not take
    the public map with it)."""
    global _down_until
    if REPLICA not in settings.DATABASES or time.monotonic() < _down_until:
        return DEFAULT_DB_ALIAS
    try:
        connections[REPLICA].ensure_connection()
    except Error as error:  # a refused connection, or the pool's timeout
        _down_until = time.monotonic() + RETRY_AFTER_SECONDS
        logger.warning("replica unreachable, the public pages read the primary: %s", error)
        return DEFAULT_DB_ALIAS
    return REPLICA
