"""End to end, with real servers on loopback: people subscribe by SMS keyword, by email
and by web push; a confirmed incident; a dispatcher drafts an alert and a second one
approves it; the workers send it. Everyone inside the area gets exactly one message in
their language, on their channel; nobody outside gets anything. The retraction reaches
the same people. STOP works: the next alert does not reach the person who sent it.

Everything is real except the providers, which are the loopback servers of
tests/servers/: Twilio's Messages API (basic auth checked), an SMTP server (aiosmtpd),
and a push service that verifies the VAPID signature and decrypts each payload the way
the browser would. The task queue runs tasks at once (test mode), after each commit.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.conftest import ALERT_PLACE, SignedTwilio
from tests.factories import BOYLE_HEIGHTS, make_incident, moved
from vecinos.accounts.models import User
from vecinos.alerts.actions import approve_alert, draft_alert, retract_alert
from vecinos.alerts.messages import render_message
from vecinos.alerts.models import (
    Alert,
    Delivery,
    DeliveryStatus,
    Subscription,
    SubscriptionStatus,
)
from vecinos.delivery.transports.webpush import vapid_public_key
from vecinos.reports.models import Incident, IncidentStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

MARIA = "+12135550141"  # texts UNIRSE 90033: Boyle Heights, in Spanish
TOMAS = "+13105550142"  # texts JOIN 90045: Westchester, 20 km away
ANA = "ana@example.org"  # email, 1 km around Mariachi Plaza, English
LEO = "leo@example.org"  # email, Santa Monica, far away
SANTA_MONICA = (34.0195, -118.4912)
MARIACHI_PLAZA = (34.0470, -118.2197)


def api_subscribe(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(
        "/api/v1/subscriptions", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 202, response.content
    return dict(response.json())


def subscribe_by_email(
    client: Client, smtp_server: Any, capture: Any, address: str, area: dict[str, Any]
) -> str:
    """Subscribe on the API, read the code from the email, confirm it."""
    body = {"channel": "email", "address": address, "language": "en", "area": area}
    with capture(execute=True):  # the code leaves after the commit
        answer = api_subscribe(client, body)
    assert answer["status"] == "pending"
    [code_email] = smtp_server.to(address)
    code = re.search(r"\b(\d{6})\b", code_email.text)
    assert code, code_email.text
    response = client.post(
        f"/api/v1/subscriptions/{answer['id']}/confirm",
        data=json.dumps({"code": code.group(1)}),
        content_type="application/json",
    )
    assert response.json() == {"status": "active"}
    return str(answer["id"])


def alert_emails(smtp_server: Any, address: str) -> list[Any]:
    """Emails to ``address`` other than its confirmation code."""
    return [item for item in smtp_server.to(address) if "List-Unsubscribe" in item.message]


@pytest.fixture
def people(
    twilio_server: Any,
    smtp_server: Any,
    push_server: Any,
    twilio_webhook: SignedTwilio,
    django_capture_on_commit_callbacks: Any,
) -> dict[str, Any]:
    """Maria and Tomás by SMS keyword, Ana and Leo by email, a browser by web push."""
    client = Client()
    assert twilio_webhook.reply("UNIRSE 90033", sender=MARIA)  # answered in TwiML
    assert twilio_webhook.reply("JOIN 90045", sender=TOMAS)
    capture = django_capture_on_commit_callbacks
    ana = subscribe_by_email(
        client,
        smtp_server,
        capture,
        ANA,
        {"lat": MARIACHI_PLAZA[0], "lng": MARIACHI_PLAZA[1], "radius_km": 1},
    )
    subscribe_by_email(
        client,
        smtp_server,
        capture,
        LEO,
        {"lat": SANTA_MONICA[0], "lng": SANTA_MONICA[1], "radius_km": 2},
    )
    browser = push_server.subscribe(vapid_public_key())
    near = moved(*BOYLE_HEIGHTS, north_m=300)
    answer = api_subscribe(
        client,
        {
            "channel": "webpush",
            "address": browser,
            "language": "ko",
            "area": {"lat": near[0], "lng": near[1], "radius_km": 0.5},
        },
    )
    assert answer["status"] == "active"
    assert Subscription.objects.filter(status=SubscriptionStatus.ACTIVE).count() == 5
    twilio_server.callbacks_on = True
    return {"ana": ana, "browser": browser, "push_id": answer["id"]}


def published(incident: Incident, dani: User, diego: User, capture: Any) -> Alert:
    draft = draft_alert(incident=incident, radius_km=2, actor=dani)
    with capture(execute=True):  # after the commit the workers run (test queue)
        return approve_alert(alert=draft, actor=diego)


def rendered(alert: Alert, language: str, channel: str) -> Any:
    subscription = Subscription.objects.filter(language=language, channel=channel).first()
    return render_message(alert, language=language, channel=channel, subscription=subscription)


def test_an_alert_reaches_everyone_in_the_area_once_in_their_language_and_nobody_else(
    people: dict[str, Any],
    confirmed_incident: Incident,
    dani: User,
    diego: User,
    twilio_server: Any,
    smtp_server: Any,
    push_server: Any,
    twilio_webhook: SignedTwilio,
    django_capture_on_commit_callbacks: Any,
) -> None:
    alert = published(confirmed_incident, dani, diego, django_capture_on_commit_callbacks)

    # Inside: one message each, on their channel, in their language.
    [sms] = twilio_server.to(MARIA)
    assert sms.body == rendered(alert, "es", "sms").text
    assert sms.body != rendered(alert, "en", "sms").text
    [email] = alert_emails(smtp_server, ANA)
    assert email.message["Subject"] == rendered(alert, "en", "email").subject
    assert email.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [push] = push_server.to(people["browser"])
    assert push.payload["body"] == rendered(alert, "ko", "webpush").text
    assert push.claims["aud"] == push_server.origin  # VAPID checked by the receiver

    # Outside: nothing at all.
    assert twilio_server.to(TOMAS) == []
    assert alert_emails(smtp_server, LEO) == []
    assert push_server.refused == []

    rows = Delivery.objects.filter(alert=alert)
    assert rows.count() == 3
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.SENT}

    # Twilio's status callbacks (signed with the same account's token) mark the SMS
    # delivered; a duplicate changes nothing.
    for callback in twilio_server.callbacks * 2:
        url = urlsplit(callback.url)
        response = twilio_webhook.post(
            f"{url.path}?{url.query}", callback.form, signature=callback.signature
        )
        assert response.status_code in (200, 204)
    assert rows.get(channel="sms").status == DeliveryStatus.DELIVERED


def test_the_retraction_reaches_exactly_the_same_people(
    people: dict[str, Any],
    confirmed_incident: Incident,
    dani: User,
    diego: User,
    twilio_server: Any,
    smtp_server: Any,
    push_server: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    alert = published(confirmed_incident, dani, diego, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        retraction = retract_alert(alert=alert, reason="Nothing found there", actor=dani)

    _original, second = twilio_server.to(MARIA)
    assert second.body == rendered(retraction, "es", "sms").text
    assert len(alert_emails(smtp_server, ANA)) == 2
    assert len(push_server.to(people["browser"])) == 2
    assert twilio_server.to(TOMAS) == []
    assert alert_emails(smtp_server, LEO) == []

    reached = set(Delivery.objects.filter(alert=alert).values_list("subscription_id", flat=True))
    assert (
        set(Delivery.objects.filter(alert=retraction).values_list("subscription_id", flat=True))
        == reached
    )
    assert set(Delivery.objects.filter(alert=retraction).values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }


def test_after_stop_the_next_alert_does_not_reach_that_number(
    people: dict[str, Any],
    confirmed_incident: Incident,
    dani: User,
    diego: User,
    twilio_server: Any,
    smtp_server: Any,
    push_server: Any,
    twilio_webhook: SignedTwilio,
    django_capture_on_commit_callbacks: Any,
) -> None:
    published(confirmed_incident, dani, diego, django_capture_on_commit_callbacks)
    assert len(twilio_server.to(MARIA)) == 1

    assert twilio_webhook.reply("ALTO", sender=MARIA)
    assert not Subscription.objects.filter(
        channel="sms", status=SubscriptionStatus.ACTIVE, language="es"
    ).exists()

    later = make_incident(
        at=moved(*BOYLE_HEIGHTS, east_m=200),
        status=IncidentStatus.CONFIRMED,
        public_label=ALERT_PLACE,
    )
    second = published(later, dani, diego, django_capture_on_commit_callbacks)

    assert len(twilio_server.to(MARIA)) == 1  # nothing more after STOP
    assert len(alert_emails(smtp_server, ANA)) == 2  # the others still get alerts
    assert len(push_server.to(people["browser"])) == 2
    assert not Delivery.objects.filter(alert=second, channel="sms").exists()
