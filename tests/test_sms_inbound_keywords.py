"""Inbound SMS keywords: STOP stops every subscription of the number, START resumes,
HELP explains, JOIN subscribes in the keyword's language; anything else gets help."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from tests.conftest import SignedTwilio
from vecinos.alerts import subscriptions
from vecinos.alerts.models import Subscription, SubscriptionCell, SubscriptionStatus

pytestmark = [pytest.mark.django_db]

ROSA = "+12135550100"


def subscribe(address: str = ROSA, **extra: Any) -> Subscription:
    fields: dict[str, Any] = {"language": "en", "zip_code": "90033", "confirmed": True}
    fields.update(extra)
    return subscriptions.subscribe(channel="sms", address=address, **fields)


def statuses() -> dict[str, str]:
    return {str(s.pk): s.status for s in Subscription.objects.all()}


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return str(translation.gettext(text))


STOP_REPLY = "You will get no more Vecinos alerts. Text START to turn them back on."


@pytest.mark.parametrize(
    ("word", "language"),
    [
        ("STOP", "en"),
        ("stop", "en"),
        ("Stop!", "en"),
        ("STOPALL", "en"),
        ("UNSUBSCRIBE", "en"),
        ("CANCEL", "en"),
        ("END", "en"),
        ("QUIT", "en"),
        ("OPTOUT", "en"),
        ("REVOKE", "en"),
        ("ALTO", "es"),
        ("álto", "es"),
        ("BAJA", "es"),
        ("Bája", "es"),
    ],
)
def test_every_opt_out_word_stops_every_subscription_of_the_number(
    twilio_webhook: SignedTwilio, word: str, language: str
) -> None:
    home = subscribe()
    work = subscribe(zip_code="90021")
    pending = subscriptions.subscribe(channel="sms", address=ROSA, language="en", zip_code="90023")
    someone_else = subscribe(address="+12135550199")

    reply = twilio_webhook.reply(word)

    assert reply == in_language(language, STOP_REPLY)
    assert statuses() == {
        str(home.pk): "stopped",
        str(work.pk): "stopped",
        str(pending.pk): "stopped",
        str(someone_else.pk): "active",
    }


@pytest.mark.parametrize("word", ["START", "start", "UNSTOP", "YES", "ALTA", "Álta"])
def test_start_resumes_what_stop_stopped(twilio_webhook: SignedTwilio, word: str) -> None:
    home = subscribe()
    twilio_webhook.reply("STOP")

    reply = twilio_webhook.reply(word)

    home.refresh_from_db()
    assert home.status == SubscriptionStatus.ACTIVE
    assert home.stopped_at is None
    assert "on again" in reply or reply == in_language(
        "es", "Vecinos alerts are on again. Text STOP to stop."
    )


def test_start_resumes_a_number_disabled_by_the_carrier(twilio_webhook: SignedTwilio) -> None:
    home = subscribe()
    subscriptions.disable_subscription(subscription=home, reason="sms:21610")

    twilio_webhook.reply("START")

    home.refresh_from_db()
    assert (home.status, home.disabled_reason) == (SubscriptionStatus.ACTIVE, "")


def test_start_does_not_activate_a_code_that_was_never_confirmed(
    twilio_webhook: SignedTwilio,
) -> None:
    pending = subscriptions.subscribe(channel="sms", address=ROSA, language="en", zip_code="90033")
    twilio_webhook.reply("STOP")

    reply = twilio_webhook.reply("START")

    pending.refresh_from_db()
    assert pending.status == SubscriptionStatus.STOPPED
    assert "JOIN" in reply


@pytest.mark.parametrize(
    ("word", "language"),
    [("HELP", "en"), ("help", "en"), ("AYUDA", "es"), ("Áyuda", "es"), ("INFO", "en")],
)
def test_help_explains_in_the_language_of_the_keyword(
    twilio_webhook: SignedTwilio, word: str, language: str
) -> None:
    reply = twilio_webhook.reply(word)

    with translation.override(language):
        from vecinos.delivery.inbound import _help_text

        assert reply == _help_text()
    stop, join = ("ALTO", "UNIRSE") if language == "es" else ("STOP", "JOIN")
    assert stop in reply and join in reply


def test_info_and_unknown_text_answer_in_the_numbers_own_language(
    twilio_webhook: SignedTwilio,
) -> None:
    subscribe(language="es")
    from vecinos.delivery.inbound import _help_text

    with translation.override("es"):
        spanish_help = _help_text()

    assert twilio_webhook.reply("INFO") == spanish_help
    assert twilio_webhook.reply("hola, que es esto?") == spanish_help


def test_unknown_text_gets_help_and_changes_nothing(twilio_webhook: SignedTwilio) -> None:
    home = subscribe()

    reply = twilio_webhook.reply("what is this number?")

    assert "JOIN" in reply
    home.refresh_from_db()
    assert home.status == SubscriptionStatus.ACTIVE


@pytest.mark.parametrize(
    ("body", "language"),
    [("JOIN 90033", "en"), ("join 90033", "en"), ("UNIRSE 90033", "es"), ("Únirse 90033", "es")],
)
def test_join_subscribes_the_number_at_once_in_the_keywords_language(
    twilio_webhook: SignedTwilio, body: str, language: str
) -> None:
    reply = twilio_webhook.reply(body)

    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.ACTIVE  # the message proves the number
    assert subscription.language == language
    assert subscription.contact == ROSA
    # The area is kept in no language; each page says it in its reader's.
    assert subscription.area_label == "zip:90033"
    assert SubscriptionCell.objects.filter(subscription=subscription).exists()
    assert "90033" in reply


def test_join_twice_for_the_same_zip_keeps_one_subscription(twilio_webhook: SignedTwilio) -> None:
    twilio_webhook.reply("JOIN 90033")
    twilio_webhook.reply("UNIRSE 90033")

    [subscription] = Subscription.objects.all()
    assert subscription.language == "es"


@pytest.mark.parametrize(
    ("body", "expected"),
    [("JOIN", "JOIN 90033"), ("JOIN please", "JOIN 90033"), ("JOIN 10001", "10001")],
)
def test_join_without_a_usable_zip_says_what_to_send(
    twilio_webhook: SignedTwilio, body: str, expected: str
) -> None:
    reply = twilio_webhook.reply(body)

    assert expected in reply
    assert not Subscription.objects.exists()


def test_senders_that_are_not_phone_numbers_get_no_reply(twilio_webhook: SignedTwilio) -> None:
    assert twilio_webhook.reply("JOIN 90033", sender="TWILIO") == ""
    assert twilio_webhook.reply("JOIN 90033", sender="12345") == ""
    assert not Subscription.objects.exists()


def test_the_reply_is_escaped_xml() -> None:
    import xml.etree.ElementTree as ET

    from vecinos.delivery.inbound import twiml

    response = twiml("Tom & Jerry <b>said</b> ]]>")

    assert b"<b>" not in response.content
    message = ET.fromstring(response.content).find("Message")  # noqa: S314
    assert message is not None and message.text == "Tom & Jerry <b>said</b> ]]>"
    assert twiml(None).content.endswith(b"<Response/>")


def test_a_flood_from_one_number_gets_no_replies_but_stop_still_works(
    twilio_webhook: SignedTwilio, settings: Any
) -> None:
    settings.SMS_INBOUND_RATE = (3, 3600)
    home = subscribe()

    replies = [twilio_webhook.reply("HELP") for _ in range(5)]

    assert [bool(r) for r in replies] == [True, True, True, False, False]
    assert twilio_webhook.reply("STOP") == STOP_REPLY
    home.refresh_from_db()
    assert home.status == SubscriptionStatus.STOPPED
    # Another number is counted apart.
    assert twilio_webhook.reply("HELP", sender="+12135550199")


def test_the_inbound_number_is_not_kept_for_help_or_stop(twilio_webhook: SignedTwilio) -> None:
    from django.apps import apps

    twilio_webhook.reply("HELP", sender="+12135550177")
    twilio_webhook.reply("STOP", sender="+12135550177")

    for model in apps.get_models():
        assert not model.objects.exists() or "2135550177" not in repr(
            list(model.objects.values())
        ), model
