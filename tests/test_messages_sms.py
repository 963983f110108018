"""SMS alerts fit one segment where possible, keep the short link and the way out, and
shorten progressively: the note first, then the phrasing, then the place."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_django import Settings

from tests.conftest import ALERT_PLACE
from vecinos.alerts import messages
from vecinos.alerts.messages import TINY_LINK_BUDGET, render_message, segments
from vecinos.alerts.models import Alert, AlertKind
from vecinos.alerts.phrases import BOOKS, INCIDENT_KINDS

LANGUAGES = list(BOOKS)
KINDS = [AlertKind.ALERT, AlertKind.RETRACTION, AlertKind.ALL_CLEAR]
LATIN = ["en", "es", "tl"]
# A production-like public URL whose short link is exactly the promised budget.
LONGEST_URL = "https://vecinos.example.org"  # + "/a/" + 8 characters = 38


@pytest.fixture(autouse=True)
def public_url(settings: Settings) -> None:
    settings.VECINOS_PUBLIC_URL = LONGEST_URL
    settings.TIME_ZONE = "America/Los_Angeles"


def alert(kind: str = AlertKind.ALERT, **fields: Any) -> Alert:
    # 20:59 UTC = 1:59 PM in Los Angeles: the longest 12-hour time.
    at = datetime(2026, 5, 1, 20, 59, tzinfo=UTC)
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "kind": AlertKind.ALERT,
        "incident_kind": "raid",
        "lat": 34.04,
        "lng": -118.21,
        "place_label": ALERT_PLACE,
        "published_at": at,
        "created_at": at,
    }
    values.update(fields)
    original = Alert(**values)
    if kind == AlertKind.ALERT:
        return original
    return Alert(**{**values, "id": uuid.uuid4(), "kind": kind, "original": original})


def sms(a: Alert, language: str) -> str:
    return render_message(a, language=language, channel="sms").text


def test_the_short_link_is_as_long_as_the_budget() -> None:
    assert len(messages.short_url(alert())) == TINY_LINK_BUDGET


@pytest.mark.parametrize("incident_kind", INCIDENT_KINDS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_alert_fits_one_segment_in_every_language(
    language: str, kind: str, incident_kind: str
) -> None:
    long_place = "Whittier Blvd & Atlantic Blvd, East Los Angeles Civic Center"
    for place in (ALERT_PLACE, long_place, ""):
        text = sms(alert(kind, incident_kind=incident_kind, place_label=place), language)
        assert segments(text) == 1, (language, text)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_sms_keeps_the_short_link_and_the_way_out(language: str, kind: str) -> None:
    a = alert(kind, note="Avoid Soto St")
    text = sms(a, language)
    link = messages.short_url(a)
    # Whole, with white space around it; in the subscriber's language where it fits.
    assert f" {link} " in f" {text} " or f" {link}/{language} " in f" {text} "
    assert BOOKS[language].keyword in text


def test_spanish_says_alto_and_not_stop() -> None:
    text = sms(alert(), "es")
    assert "ALTO" in text and "STOP" not in text


@pytest.mark.parametrize("language", LATIN)
def test_latin_script_languages_stay_in_gsm7_and_keep_the_place(language: str) -> None:
    text = sms(alert(), language)
    assert messages.is_gsm7(text)
    assert ALERT_PLACE in text


def test_english_matches_the_house_example() -> None:
    text = sms(alert(), "en")
    link = messages.short_url(alert())[:-8]
    assert text.startswith(
        "ALERT: immigration raid confirmed near Cesar Chavez Ave & Soto St at 1:59 PM. "
        "Know your rights: " + link
    )
    assert text.endswith(" Reply STOP to stop.")


def test_the_note_is_kept_when_it_fits_and_dropped_first_when_it_does_not(
    settings: Settings,
) -> None:
    settings.VECINOS_PUBLIC_URL = "https://v.org"
    short = sms(alert(place_label="Soto St", note="Lawyers on the way."), "en")
    assert "Lawyers on the way." in short and "Know your rights:" in short
    long_note = "Lawyers from the committee are on the way; stay inside and keep the door shut."
    dropped = sms(alert(place_label="Soto St", note=long_note), "en")
    assert long_note not in dropped
    assert "Know your rights:" in dropped  # only the note went
    assert segments(dropped) == 1


def test_spanish_accents_are_folded_rather_than_spending_a_ucs2_message() -> None:
    text = sms(alert(AlertKind.RETRACTION), "es")
    assert text.startswith("CORRECCION")
    assert messages.is_gsm7(text)


def test_ucs2_languages_use_a_shorter_form_within_70_code_units() -> None:
    text = sms(alert(), "ru")
    encoding, units = messages.sms_units(text)
    assert encoding == "UCS-2" and units <= 70


def test_a_short_public_url_leaves_room_for_the_place_in_chinese(settings: Settings) -> None:
    settings.VECINOS_PUBLIC_URL = "https://v.la"
    text = sms(alert(place_label="Soto St"), "zh-hans")
    assert "Soto St" in text
    assert segments(text) == 1


def test_a_note_that_breaks_gsm7_is_dropped_rather_than_tripling_the_cost() -> None:
    text = sms(alert(note="🚨 Stay inside 🚨"), "en")
    assert "🚨" not in text
    assert messages.is_gsm7(text)


def test_when_nothing_fits_one_segment_the_fewest_are_used(settings: Settings) -> None:
    settings.VECINOS_PUBLIC_URL = "https://" + "x" * 60 + ".example.org"
    text = sms(alert(), "km")
    assert segments(text) == 2
    assert messages.short_url(alert()).split("/a/")[0] in text
    assert text.endswith("STOP")


def test_no_reporter_text_can_reach_an_sms() -> None:
    # The message is made of Alert fields only; an Alert has no field for report text.
    field_names = {f.name for f in Alert._meta.get_fields()}
    assert not field_names & {"description", "place", "reports"}
