"""Access rules of the public feeds (vecinos/feeds/urls.py): for everyone."""

from __future__ import annotations

from tests.access.matrix import EVERYONE, Rule

RULES = [
    Rule("feed_alerts_cap", allowed=EVERYONE),
    Rule("feed_alert_cap", kwargs=lambda w: {"alert_id": w.alert.pk}, allowed=EVERYONE),
    Rule("feed_alerts_atom", allowed=EVERYONE),
]


def setup(world: object) -> None:
    world.require("rules_alerts")  # type: ignore[attr-defined]  # its published alert
