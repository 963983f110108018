"""Header links to the reports app's pages, for the roles whose work they are."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from vecinos.core.nav import NavItem


def dispatcher(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_dispatcher)


def responder(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_responder)


ITEMS = [
    NavItem(label=_("Console"), url_name="console", visible=dispatcher, order=10),
    NavItem(label=_("Alerts"), url_name="console_alerts", visible=dispatcher, order=20),
    NavItem(label=_("My requests"), url_name="responder_home", visible=responder, order=10),
]
