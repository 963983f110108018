"""``VECINOS_API_RATE``: requests per client to the staff API and the public read
endpoints (registered in ``vecinos.api.api``).

A client is ``request.client_key``, the day-scoped pseudonym of its address, never
the address (``vecinos.core.ratelimit``); counters are fixed windows in the cache,
shared by every web process through Redis when ``REDIS_URL`` is set. Beyond the rate
the answer is 429 with ``Retry-After`` (the seconds until the window ends), in the
API's error shape (``vecinos.api.errors``).

Reports and subscriptions are not counted here: they have their own, stricter limits
(``VECINOS_REPORT_RATE``, ``SUBSCRIPTION_RATE``). Django-ninja checks a throttle after
authentication, so a request with a bad token is a 401 and is not counted.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from vecinos.core import ratelimit

SCOPE = "api"


class ClientRateThrottle(BaseThrottle):
    def allow_request(self, request: HttpRequest) -> bool:
        verdict = ratelimit.hit(
            SCOPE, getattr(request, "client_key", ""), settings.VECINOS_API_RATE
        )
        return verdict.allowed

    def wait(self) -> float:
        # The same fixed window as ratelimit.hit: computed, not kept on the instance,
        # because one throttle object serves every request in every thread.
        _count, period = settings.VECINOS_API_RATE
        return float(max(1, period - int(time.time()) % period))
