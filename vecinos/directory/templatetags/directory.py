"""``{% area_hotlines cells %}``: the numbers to call for an area (the network's and
those of the committees whose area meets it), for pages of other apps (the alert page)
that must not import the directory."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from vecinos.directory import queries

register = template.Library()


@register.inclusion_tag("directory/area_hotlines.html")
def area_hotlines(cells: Iterable[int]) -> dict[str, Any]:
    return {"numbers": queries.hotlines_for_cells(cells or [])}
