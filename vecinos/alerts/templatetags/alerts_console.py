"""``{% alert_panel incident as panel %}``: what the console's alert panel shows for an
incident. The panel is included by the incident page, whose view belongs to the
console; the tag lets the panel fetch its own data (five queries) so that page's
view needs no change."""

from __future__ import annotations

from typing import Any

from django import template

from vecinos.alerts.views import panel_context
from vecinos.reports.models import Incident

register = template.Library()


@register.simple_tag(takes_context=True)
def alert_panel(context: template.Context, incident: Incident) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_dispatcher", False):
        return {"alert_rows": [], "can_draft": False, "hidden": True}
    return panel_context(incident, user)
