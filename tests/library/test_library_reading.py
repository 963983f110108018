"""Reading the library: server-rendered pages in the asked language, with a note where
a translation is unreviewed or missing; no JavaScript needed to read."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_door_page_opens_in_korean_with_its_unreviewed_note() -> None:
    response = Client().get("/rights/ko/door")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="ko"' in html and "문 앞에서의 권리" in html
    assert "이 번역은 아직 원어민의 검토를 받지 않았습니다." in html
    assert "This translation has not yet been reviewed by a fluent speaker." in html


def test_persian_is_written_right_to_left() -> None:
    html = Client().get("/rights/fa/door").content.decode()
    assert 'lang="fa" dir="rtl"' in html


def test_the_english_source_says_who_reviewed_it_and_shows_no_warning() -> None:
    html = Client().get("/rights/en/door").content.decode()
    assert "Reviewed by Vecinos (source text)" in html
    assert "not yet been reviewed" not in html


def test_a_page_not_yet_in_korean_opens_in_english_and_says_so() -> None:
    html = Client().get("/rights/ko/street").content.decode()
    assert "In the street or in a car" in html
    assert "not yet written in the language you chose" in html


def test_the_library_opens_in_the_language_asked_for() -> None:
    assert Client().get("/rights/?lang=km")["Location"] == "/rights/km/"
    browser = Client(headers={"accept-language": "vi-VN,vi;q=0.9"})
    assert browser.get("/rights/")["Location"] == "/rights/vi/"


def test_an_unknown_language_or_page_is_a_404() -> None:
    assert Client().get("/rights/xx/door").status_code == 404
    assert Client().get("/rights/es/nothing-here").status_code == 404


def test_a_page_reads_without_any_script() -> None:
    html = Client().get("/rights/es/detained").content.decode()
    assert "Guarde silencio y pida un abogado." in html
    assert "<script>" not in html  # only external, deferred scripts (offline cache)


def test_pages_are_public_and_cacheable() -> None:
    response = Client().get("/rights/es/door")
    assert "max-age=300" in response["Cache-Control"]


def test_the_index_offers_cards_with_a_committees_hotline() -> None:
    from vecinos.committees.models import Committee
    from vecinos.directory.models import Hotline

    assert 'name="committee"' not in Client().get("/rights/es/").content.decode()
    committee = Committee.objects.create(name="Boyle Heights", slug="bh", kind="neighborhood")
    Hotline.objects.create(committee=committee, phone="(323) 555-0110")
    html = Client().get("/rights/es/").content.decode()
    assert '<option value="bh">Boyle Heights</option>' in html
    assert 'action="/rights/es/red-cards.pdf"' in html
