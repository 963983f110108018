"""The JSON API at /api/v1/: one router module per resource, registered here."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Vecinos API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
