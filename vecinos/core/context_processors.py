from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "VECINOS_PUBLIC_URL": settings.VECINOS_PUBLIC_URL,
        "VECINOS_ENV": settings.VECINOS_ENV,
        "INTERFACE_LANGUAGES": settings.LANGUAGES,
    }
