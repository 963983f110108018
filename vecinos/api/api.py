"""The JSON API at /api/v1/: one router module per resource, registered here."""

from __future__ import annotations

from ninja import NinjaAPI

from vecinos.api import alerts, errors, incidents, me, public, reports, subscriptions

api = NinjaAPI(
    title="Vecinos API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # Bodies must be JSON, UTF-8, at most 64 KiB (vecinos.api.errors).
    parser=errors.StrictJSONParser(),
)
# Whatever a client sends, the answer is a 4xx JSON body naming the problem, never a 500.
errors.install(api)

api.add_router("/", me.router)
api.add_router("/", reports.router)
api.add_router("/", incidents.router)
api.add_router("/", public.router)
api.add_router("/", subscriptions.router)
api.add_router("/", alerts.router)
