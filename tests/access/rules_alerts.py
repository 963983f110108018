"""Access rules of the alerts app (vecinos/alerts/urls.py, urls_subscribe.py): the
console's alert controls (dispatchers) and the public alert and subscription pages."""

from __future__ import annotations

from tests.access.matrix import EVERYONE, Rule, World
from vecinos.accounts.models import Role, User
from vecinos.alerts import actions, links, messages, subscriptions
from vecinos.alerts.models import Subscription

DISPATCHERS = {"dani", "ana"}
PLACE = {"lat": 34.0403, "lng": -118.2093, "radius_km": 2.0}


def setup(world: World) -> None:
    world.require("rules_reports")  # its confirmed incident
    dani, ana = world.user("dani"), world.user("ana")
    world.alert = actions.approve_alert(
        alert=actions.draft_alert(incident=world.incident, actor=dani), actor=ana
    )
    # Drafted by a third dispatcher, so that both actors may approve it (the drafter's
    # own approval is no second one).
    diego = User.objects.create_user(username="diego", role=Role.DISPATCHER)
    world.draft = actions.draft_alert(incident=world.incident, actor=diego)
    world.subscription = subscriptions.subscribe(
        channel="email", address="vecina@example.org", language="es", **PLACE
    )
    world.active = subscriptions.subscribe(
        channel="sms", address="+12135550123", language="es", confirmed=True, **PLACE
    )


def alert(w: World) -> dict[str, object]:
    return {"alert_id": w.alert.pk}


def draft(w: World) -> dict[str, object]:
    return {"alert_id": w.draft.pk}


def manage_token(w: World) -> str:
    active: Subscription = w.active
    return links.manage_token(contact_hash=active.contact_hash, channel=active.channel)


RULES = [
    # Console
    Rule("console_alerts", allowed=DISPATCHERS),
    Rule("console_alert", kwargs=alert, allowed=DISPATCHERS),
    Rule(
        "console_alert_draft",
        method="POST",
        kwargs=lambda w: {"incident_id": w.incident.pk},
        data=lambda w: {"radius_km": "2"},
        allowed=DISPATCHERS,
    ),
    Rule("console_alert_approve", method="POST", kwargs=draft, allowed=DISPATCHERS),
    Rule(
        "console_alert_cancel",
        method="POST",
        kwargs=draft,
        data=lambda w: {"reason": "wrong corner"},
        allowed=DISPATCHERS,
    ),
    Rule(
        "console_alert_retract",
        method="POST",
        kwargs=alert,
        data=lambda w: {"reason": "sent in error", "kind": "retraction"},
        allowed=DISPATCHERS,
    ),
    # Public alerts
    Rule("alerts", allowed=EVERYONE),
    Rule("alert", kwargs=alert, allowed=EVERYONE),
    Rule(
        "alert_short", kwargs=lambda w: {"code": messages.short_code(w.alert.pk)}, allowed=EVERYONE
    ),
    Rule(
        "alert_short_language",
        kwargs=lambda w: {"code": messages.short_code(w.alert.pk), "language": "ko"},
        allowed=EVERYONE,
    ),
    # Subscriptions: the link or code is the only credential, whoever is signed in.
    Rule("alerts_subscribe", allowed=EVERYONE),
    Rule(
        "alerts_subscribe",
        method="POST",
        data=lambda w: {
            "channel": "email",
            "address": "otra@example.org",
            "language": "es",
            "zip_code": "90033",
        },
        allowed=EVERYONE,
    ),
    Rule(
        "alerts_subscribe_confirm",
        kwargs=lambda w: {"subscription_id": w.subscription.pk},
        allowed=EVERYONE,
    ),
    Rule(
        "alerts_subscribe_confirm",
        method="POST",
        kwargs=lambda w: {"subscription_id": w.subscription.pk},
        data=lambda w: {"code": "123456"},
        allowed=EVERYONE,
    ),
    Rule("alerts_manage", allowed=EVERYONE),
    Rule(
        "alerts_manage",
        method="POST",
        data=lambda w: {"channel": "sms", "address": "+12135550123"},
        allowed=EVERYONE,
    ),
    Rule("alerts_manage_link", kwargs=lambda w: {"token": manage_token(w)}, allowed=EVERYONE),
    Rule(
        "alerts_manage_link",
        method="POST",
        kwargs=lambda w: {"token": manage_token(w)},
        data=lambda w: {"action": "stop", "subscription": str(w.active.pk)},
        allowed=EVERYONE,
    ),
    Rule(
        "alerts_unsubscribe",
        kwargs=lambda w: {"token": links.unsubscribe_token(w.active)},
        allowed=EVERYONE,
    ),
    Rule(
        "alerts_unsubscribe",
        method="POST",
        kwargs=lambda w: {"token": links.unsubscribe_token(w.active)},
        allowed=EVERYONE,
    ),
    Rule("service_worker", allowed=EVERYONE),
]
