"""The subscribe page says what it means: the number to text, the alert language the
browser asks for, and a distance that belongs to "use my location" only."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def selected_language(page: str) -> str:
    form = page[page.index('id="subscribe-form"') :]
    select = form[form.index('name="language"') :]
    match = re.search(r'<option value="([^"]+)"[^>]*selected', select)
    assert match, "no alert language is preselected"
    return match.group(1)


@override_settings(SMS_PUBLIC_NUMBER="+12135550199")
def test_the_sms_join_line_shows_the_number_to_text() -> None:
    page = Client().get("/alerts/subscribe").content.decode()

    assert "+12135550199" in page
    assert "our number" not in page


@override_settings(SMS_PUBLIC_NUMBER="")
def test_without_a_number_the_page_does_not_invite_texting_an_unknown_one() -> None:
    page = Client().get("/alerts/subscribe").content.decode()

    assert "text JOIN" not in page


def test_a_korean_browser_gets_korean_alerts_preselected() -> None:
    page = Client(headers={"accept-language": "ko-KR,ko;q=0.9,en;q=0.5"}).get("/alerts/subscribe")

    assert selected_language(page.content.decode()) == "ko"


def test_a_taiwanese_browser_gets_traditional_chinese_preselected() -> None:
    page = Client(headers={"accept-language": "zh-TW,zh;q=0.9"}).get("/alerts/subscribe")

    assert selected_language(page.content.decode()) == "zh-hant"


def test_a_browser_language_without_alerts_falls_back_to_the_next_one_it_names() -> None:
    page = Client(headers={"accept-language": "de-DE,vi;q=0.8"}).get("/alerts/subscribe")

    assert selected_language(page.content.decode()) == "vi"


def test_the_distance_is_marked_as_applying_to_the_location_only() -> None:
    page = Client().get("/alerts/subscribe").content.decode()

    assert re.search(r'<div id="radius-slot" hidden>.*name="radius_km"', page, re.S)
    assert "Only when you use your location" in page
