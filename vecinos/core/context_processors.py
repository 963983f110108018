from django.conf import settings
from django.http import HttpRequest

from vecinos.core.nav import items_for


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "VECINOS_PUBLIC_URL": settings.VECINOS_PUBLIC_URL,
        "VECINOS_ENV": settings.VECINOS_ENV,
        "INTERFACE_LANGUAGES": settings.LANGUAGES,
        "NAV_LINKS": items_for(request),
        "TILE_ATTRIBUTION": settings.VECINOS_TILE_ATTRIBUTION if settings.VECINOS_TILE_URL else "",
    }
