"""The JSON API at /api/v1/: one router module per resource, registered here."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger
from ninja.throttling import BaseThrottle

from vecinos.api import (
    alerts,
    cases,
    committees,
    directory,
    errors,
    incidents,
    me,
    public,
    reports,
    subscriptions,
)
from vecinos.api.throttle import ClientRateThrottle

api = NinjaAPI(
    title="Vecinos API",
    version="1",
    urls_namespace="api",
    # Swagger UI from django-ninja's own static files ("ninja" is in INSTALLED_APPS),
    # not from a CDN: no third-party requests, and nothing inline for the CSP to
    # refuse. No validator badge: it would send the document's address to a third party.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    # Bodies must be JSON, UTF-8, at most 64 KiB (vecinos.api.errors).
    parser=errors.StrictJSONParser(),
)
# Whatever a client sends, the answer is a 4xx JSON body naming the problem, never a 500.
errors.install(api)

# VECINOS_API_RATE per client on the staff API and the public read endpoints; reports
# and subscriptions have their own, stricter limits (vecinos.api.throttle).
per_client: list[BaseThrottle] = [ClientRateThrottle()]
api.add_router("/", me.router, throttle=per_client)
api.add_router("/", reports.router)
api.add_router("/", incidents.router, throttle=per_client)
api.add_router("/", public.router, throttle=per_client)
api.add_router("/", subscriptions.router)
api.add_router("/", alerts.router, throttle=per_client)
api.add_router("/", directory.router, throttle=per_client)
api.add_router("/", cases.router, throttle=per_client)
api.add_router("/", committees.router, throttle=per_client)
