"""Access rules of the JSON API (/api/v1/, vecinos/api/): one per operation of
/api/v1/openapi.json. Staff operations take a bearer token; the public ones (reports,
subscriptions, public incidents and alerts) take none and ignore one."""

from __future__ import annotations

from tests.access.matrix import EVERYONE, Rule, World
from tests.factories import report_payload

DISPATCHERS = {"dani", "ana"}
# Who may hold a token at all: every role but members (vecinos/accounts/models.py).
TOKEN_HOLDERS = {"rosa", "carmen", "olga", "dani", "ana"}


def setup(world: World) -> None:
    world.require("rules_reports")
    world.require("rules_alerts")


def incident(w: World) -> dict[str, object]:
    return {"incident_id": str(w.incident.pk)}


def alert(w: World) -> dict[str, object]:
    return {"alert_id": str(w.alert.pk)}


def draft(w: World) -> dict[str, object]:
    return {"alert_id": str(w.draft.pk)}


RULES = [
    # The document and its page; the root and unknown paths answer the JSON 404.
    Rule("api:openapi-json", allowed=EVERYONE),
    Rule("api:openapi-view", allowed=EVERYONE),
    Rule("api:api-root", allowed=EVERYONE, status=404),
    Rule(
        "",
        path="/api/v1/no-such-thing",
        covers=r"^api/v1/<path:unknown>$",
        allowed=EVERYONE,
        status=404,
    ),
    # Staff
    Rule("api:me", allowed=TOKEN_HOLDERS),
    # Incidents: dispatchers see every incident, a responder those sent to; a
    # coordinator is no incident staff.
    Rule("api:list_incidents", allowed=DISPATCHERS | {"rosa"}),
    Rule("api:get_incident", kwargs=incident, allowed=DISPATCHERS | {"rosa"}),
    Rule(
        "api:dispatch",
        method="POST",
        kwargs=incident,
        data=lambda w: {"responders": ["rosa"]},
        json=True,
        allowed=DISPATCHERS,
    ),
    Rule(
        "api:verify",
        method="POST",
        kwargs=incident,
        data=lambda w: {"outcome": "confirmed", "notes": "Two vans"},
        json=True,
        allowed=DISPATCHERS | {"rosa"},
    ),
    Rule(
        "api:merge",
        method="POST",
        kwargs=lambda w: {"incident_id": str(w.other_incident.pk)},
        data=lambda w: {"into": str(w.incident.pk)},
        json=True,
        allowed=DISPATCHERS,
    ),
    # Alerts (dispatchers)
    Rule(
        "api:draft",
        method="POST",
        kwargs=incident,
        data=lambda w: {"radius_km": 2},
        json=True,
        allowed=DISPATCHERS,
    ),
    Rule("api:approve", method="POST", kwargs=draft, json=True, allowed=DISPATCHERS),
    Rule(
        "api:retract",
        method="POST",
        kwargs=alert,
        data=lambda w: {"reason": "sent in error", "kind": "retraction"},
        json=True,
        allowed=DISPATCHERS,
    ),
    Rule(
        "api:cancel",
        method="POST",
        kwargs=draft,
        data=lambda w: {"reason": "wrong corner"},
        json=True,
        allowed=DISPATCHERS,
    ),
    Rule("api:get_alert", kwargs=alert, allowed=DISPATCHERS),
    Rule("api:deliveries", kwargs=alert, allowed=DISPATCHERS),
    # Public
    Rule(
        "api:create_report",
        method="POST",
        data=lambda w: report_payload(),
        json=True,
        allowed=EVERYONE,
    ),
    Rule("api:public_incidents", allowed=EVERYONE),
    Rule("api:public_incidents_geojson", allowed=EVERYONE),
    Rule("api:public_alerts", allowed=EVERYONE),
    Rule(
        "api:create_subscription",
        method="POST",
        data=lambda w: {
            "channel": "email",
            "address": "otra@example.org",
            "language": "es",
            "area": {"zip": "90033"},
        },
        json=True,
        allowed=EVERYONE,
    ),
    Rule(
        "api:confirm",
        method="POST",
        kwargs=lambda w: {"subscription_id": str(w.subscription.pk)},
        data=lambda w: {"code": "123456"},
        json=True,
        allowed=EVERYONE,
    ),
    Rule(
        "api:stop_webpush",
        method="POST",
        data=lambda w: {"endpoint": "https://fcm.googleapis.com/fcm/send/abc"},
        json=True,
        allowed=EVERYONE,
    ),
]
