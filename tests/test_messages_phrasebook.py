"""The phrasebook is complete: every alert language has every sentence, for every
kind of alert and incident, with the same placeholders as English."""

from __future__ import annotations

import string

import pytest

from vecinos.alerts.phrases import ALERT_KINDS, BOOKS, INCIDENT_KINDS, Phrasebook
from vecinos.reports.models import Kind

LANGUAGES = ["en", "es", "zh-hans", "zh-hant", "ko", "tl", "vi", "hy", "fa", "ru", "ja", "km"]


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_alerts_are_written_in_the_twelve_languages_of_the_area() -> None:
    assert list(BOOKS) == LANGUAGES


def test_the_incident_kinds_are_those_of_the_reports() -> None:
    assert set(INCIDENT_KINDS) == set(Kind.values)


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_language_names_every_kind_and_has_every_sentence(code: str) -> None:
    book = BOOKS[code]
    for table in (book.events, book.kinds, book.terse):
        assert set(table) == set(INCIDENT_KINDS)
        assert all(value.strip() for value in table.values())
    for table in (book.titles, book.full, book.short, book.tiny):
        assert set(table) == set(ALERT_KINDS)
        assert all(value.strip() for value in table.values())


@pytest.mark.parametrize("code", LANGUAGES)
def test_sentences_use_only_known_placeholders(code: str) -> None:
    book: Phrasebook = BOOKS[code]
    allowed = {"what", "event", "terse", "where", "time"}
    for table in (book.full, book.short, book.tiny):
        for template in table.values():
            assert placeholders(template) <= allowed
            assert "time" in placeholders(template)
    assert placeholders(book.near) == {"place"}
    assert placeholders(book.nowhere) == set()


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_alert_says_what_and_where_in_full(code: str) -> None:
    book = BOOKS[code]
    for kind in ALERT_KINDS:
        assert {"what", "where"} <= placeholders(book.full[kind])
    assert placeholders(book.tiny["alert"]) >= {"terse"}


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_language_has_a_way_out(code: str) -> None:
    book = BOOKS[code]
    keyword = "ALTO" if code == "es" else "STOP"
    assert book.keyword == keyword
    assert keyword in book.reply_stop
    assert keyword in book.short_stop


def test_persian_is_written_right_to_left_and_only_persian() -> None:
    assert [code for code, book in BOOKS.items() if book.rtl] == ["fa"]


def test_cap_language_tags_are_rfc_3066() -> None:
    tags = [book.cap for book in BOOKS.values()]
    assert len(set(tags)) == len(tags)
    assert all(len(tag.split("-")) == 2 for tag in tags)
    assert BOOKS["es"].cap == "es-US"
    assert BOOKS["zh-hans"].cap == "zh-CN"
    assert BOOKS["zh-hant"].cap == "zh-TW"
