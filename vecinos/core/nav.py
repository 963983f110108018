"""Links in the site header. An app lists its own in ``<app>/nav.py`` as ``ITEMS``; the
header shows those whose ``visible(user)`` is true, in ``order``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from vecinos.core.discovery import app_modules


def anyone(user: Any) -> bool:
    return True


def signed_in(user: Any) -> bool:
    return bool(user.is_authenticated)


@dataclass(frozen=True)
class NavItem:
    label: Any  # a lazy translation
    url_name: str
    visible: Callable[[Any], bool] = anyone
    order: int = 50


@dataclass(frozen=True)
class Link:
    label: Any
    url: str
    current: bool


def items_for(request: HttpRequest) -> list[Link]:
    user = getattr(request, "user", None)
    chosen: list[NavItem] = []
    for module in app_modules("nav"):
        chosen += [item for item in module.ITEMS if user is not None and item.visible(user)]
    links = []
    for item in sorted(chosen, key=lambda item: item.order):
        url = reverse(item.url_name)
        links.append(Link(item.label, url, request.path == url))
    return links
