"""render_message(): every language, every kind of alert, every channel, from
structured fields only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_django import Settings

from tests.conftest import ALERT_PLACE
from vecinos.alerts import messages
from vecinos.alerts.messages import render_message
from vecinos.alerts.models import Alert, AlertKind, Subscription
from vecinos.alerts.phrases import BOOKS

LANGUAGES = list(BOOKS)
KINDS = [AlertKind.ALERT, AlertKind.RETRACTION, AlertKind.ALL_CLEAR]
CHANNELS = ["sms", "email", "webpush", "web"]
# 17:40 UTC is 10:40 in Los Angeles (PDT).
PUBLISHED = datetime(2026, 5, 1, 17, 40, tzinfo=UTC)


@pytest.fixture(autouse=True)
def public_url(settings: Settings) -> None:
    settings.VECINOS_PUBLIC_URL = "https://vecinos.example.org"
    settings.TIME_ZONE = "America/Los_Angeles"


def alert(kind: str = AlertKind.ALERT, **fields: Any) -> Alert:
    """An alert in memory (with its original, for a follow-up)."""
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "kind": AlertKind.ALERT,
        "incident_kind": "raid",
        "lat": 34.04,
        "lng": -118.21,
        "place_label": ALERT_PLACE,
        "published_at": PUBLISHED,
        "created_at": PUBLISHED,
    }
    original = Alert(**values)
    values.update(id=uuid.uuid4(), kind=kind, **fields)
    if kind != AlertKind.ALERT:
        values["original"] = original
        values["published_at"] = datetime(2026, 5, 1, 19, 0, tzinfo=UTC)
    return Alert(**values)


def subscription(channel: str = "email", language: str = "en") -> Subscription:
    return Subscription(channel=channel, language=language, contact="x", contact_hash="h")


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_renders_every_kind_on_every_channel(
    language: str, kind: str, channel: str
) -> None:
    sub = subscription(channel, language) if channel == "email" else None
    message = render_message(alert(kind), language=language, channel=channel, subscription=sub)
    assert message.text.strip()
    assert "{" not in message.text and "}" not in message.text  # no placeholder left
    assert message.url.startswith("https://vecinos.example.org/alerts/")
    assert f"lang={language}" in message.url
    if channel == "email":
        assert message.subject and message.html
        assert f'lang="{language}"' in message.html
    if channel == "webpush":
        assert message.subject


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_alert_names_the_kind_the_place_and_the_time_in_the_language(language: str) -> None:
    book = BOOKS[language]
    text = render_message(alert(), language=language, channel="web").text
    assert book.kinds["raid"] in text or book.kinds["raid"].capitalize() in text
    assert ALERT_PLACE in text
    ten_forty = "10:40".translate(str.maketrans("0123456789", book.digits))
    assert ten_forty in text


def test_english_and_tagalog_tell_the_time_on_a_12_hour_clock() -> None:
    assert "10:40 AM" in render_message(alert(), language="en", channel="web").text
    assert "10:40 AM" in render_message(alert(), language="tl", channel="web").text
    assert "10:40" in render_message(alert(), language="es", channel="web").text


def test_the_time_is_local_to_the_installation(settings: Settings) -> None:
    settings.TIME_ZONE = "America/New_York"
    assert "1:40 PM" in render_message(alert(), language="en", channel="web").text


def test_persian_uses_persian_digits_and_khmer_khmer_digits() -> None:
    assert "\u06f1\u06f0:\u06f4\u06f0" in render_message(alert(), language="fa", channel="web").text
    assert "១០:៤០" in render_message(alert(), language="km", channel="web").text


def test_a_follow_up_speaks_of_the_time_of_the_original() -> None:
    retraction = alert(AlertKind.RETRACTION)
    text = render_message(retraction, language="en", channel="web").text
    assert "10:40 AM" in text and "sent in error" in text
    all_clear = render_message(alert(AlertKind.ALL_CLEAR), language="es", channel="web").text
    assert "10:40" in all_clear and "Terminó" in all_clear


def test_without_a_public_label_the_message_says_in_your_area() -> None:
    text = render_message(alert(place_label=""), language="en", channel="web").text
    assert "in your area" in text
    assert "en su zona" in render_message(alert(place_label=""), language="es", channel="web").text


def test_the_dispatchers_note_is_carried_verbatim() -> None:
    note = "Evite Soto St; abogados en camino."
    for channel in ("email", "webpush"):
        message = render_message(
            alert(note=note), language="ko", channel=channel, subscription=subscription()
        )
        assert note in message.text
    assert note in render_message(alert(note=note), language="ko", channel="email").html  # type: ignore[operator]


def test_the_note_is_escaped_in_html() -> None:
    message = render_message(
        alert(note="<b>Soto</b> & 1st"), language="en", channel="email", subscription=subscription()
    )
    assert "<b>Soto</b>" not in (message.html or "")
    assert "&lt;b&gt;Soto&lt;/b&gt; &amp; 1st" in (message.html or "")


def test_an_email_carries_a_one_click_unsubscribe_link_and_headers() -> None:
    from vecinos.alerts import links

    sub = subscription()
    message = render_message(alert(), language="es", channel="email", subscription=sub)
    url = links.unsubscribe_url(sub)
    assert url in message.text
    assert url in (message.html or "")
    assert message.headers == {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert messages.email_headers(sub) == message.headers
    assert "Para no recibir más correos" in message.text


def test_persian_email_is_right_to_left() -> None:
    message = render_message(alert(), language="fa", channel="email", subscription=subscription())
    assert 'dir="rtl"' in (message.html or "")


def test_a_test_alert_says_so_in_every_channel() -> None:
    for channel in CHANNELS:
        message = render_message(alert(is_test=True), language="es", channel=channel)
        assert "PRUEBA" in message.subject + message.text


def test_an_unknown_language_falls_back_to_english() -> None:
    text = render_message(alert(), language="xx", channel="web").text
    assert "confirmed" in text


def test_language_tags_are_understood() -> None:
    assert messages.normalize_language("es-MX") == "es"
    assert messages.normalize_language("zh-TW") == "zh-hant"
    assert messages.normalize_language("zh_Hans") == "zh-hans"
    assert messages.normalize_language("zh") == "zh-hans"
    assert messages.normalize_language("fil") == "tl"
    assert messages.normalize_language("pt-BR") is None
    assert messages.normalize_language("") is None
    assert messages.normalize_language(None) is None


def test_an_unknown_channel_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="channel"):
        render_message(alert(), language="en", channel="fax")


def test_the_short_link_is_unique_to_the_alert_and_leads_back_to_it() -> None:
    a = alert()
    code = messages.short_code(a.pk)
    assert len(code) == 8 and code.isalnum() and code == code.lower()
    assert messages.code_prefix(code) == a.pk.hex[:10]
    assert messages.short_url(a) == f"https://vecinos.example.org/a/{code}"
    assert messages.code_prefix("short") is None
    assert messages.code_prefix("!!!!!!!!") is None
