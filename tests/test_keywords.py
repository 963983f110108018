"""The SMS keyword parser reads English and Spanish, whatever the case and accents."""

from __future__ import annotations

import pytest

from vecinos.delivery import keywords
from vecinos.delivery.keywords import HELP, JOIN, REPORT, START, STOP, UNKNOWN


@pytest.mark.parametrize(
    ("body", "kind", "language"),
    [
        ("STOP", STOP, "en"),
        ("stop", STOP, "en"),
        ("Stop.", STOP, "en"),
        ("  StOp  ", STOP, "en"),
        ("STOPALL", STOP, "en"),
        ("stop all", STOP, "en"),
        ("UNSUBSCRIBE", STOP, "en"),
        ("cancel", STOP, "en"),
        ("End", STOP, "en"),
        ("QUIT", STOP, "en"),
        ("optout", STOP, "en"),
        ("opt out", STOP, "en"),
        ("REVOKE", STOP, "en"),
        ("ALTO", STOP, "es"),
        ("Álto", STOP, "es"),
        ("¡alto!", STOP, "es"),
        ("baja", STOP, "es"),
        ("BÁJA", STOP, "es"),
        ("START", START, "en"),
        ("start", START, "en"),
        ("UNSTOP", START, "en"),
        ("yes", START, "en"),
        ("ALTA", START, "es"),
        ("álta", START, "es"),
        ("HELP", HELP, "en"),
        ("help?", HELP, "en"),
        ("AYUDA", HELP, "es"),
        ("Áyuda", HELP, "es"),
        ("INFO", HELP, None),
    ],
)
def test_each_keyword_is_read_in_any_case_and_accent(
    body: str, kind: str, language: str | None
) -> None:
    command = keywords.parse(body)

    assert (command.kind, command.language) == (kind, language)


@pytest.mark.parametrize(
    ("body", "language"),
    [
        ("JOIN 90033", "en"),
        ("join 90033", "en"),
        ("Join: 90033", "en"),
        ("UNIRSE 90033", "es"),
        ("únirse 90033", "es"),
        ("Unirse, 90033", "es"),
    ],
)
def test_join_carries_the_zip_code_and_the_language_of_the_keyword(
    body: str, language: str
) -> None:
    command = keywords.parse(body)

    assert command.kind == JOIN
    assert command.language == language
    assert keywords.find_zip(command.argument) == "90033"


@pytest.mark.parametrize(
    ("body", "language", "rest"),
    [
        ("REPORT ICE van at Soto and 1st", "en", "ICE van at Soto and 1st"),
        ("report: raid 90033", "en", "raid 90033"),
        ("REPORTE redada en Boyle Heights", "es", "redada en Boyle Heights"),
        ("Repórte  retén en Whittier Blvd", "es", "retén en Whittier Blvd"),
    ],
)
def test_report_keeps_the_text_as_typed(body: str, language: str, rest: str) -> None:
    command = keywords.parse(body)

    assert (command.kind, command.language, command.argument) == (REPORT, language, rest)


@pytest.mark.parametrize("body", ["", "   ", "hola", "what is this", "🚨", "12345", "STOPPING by"])
def test_anything_else_is_unknown(body: str) -> None:
    assert keywords.parse(body).kind == UNKNOWN


def test_a_keyword_must_be_the_first_word() -> None:
    assert keywords.parse("please STOP").kind == UNKNOWN


def test_find_zip_takes_a_zip_plus_four_and_ignores_longer_numbers() -> None:
    assert keywords.find_zip("near 90033-1234 now") == "90033"
    assert keywords.find_zip("call 2135550100") is None
    assert keywords.find_zip("no zip here") is None


def test_fold_removes_accents_and_case() -> None:
    assert keywords.fold("Ñandú Álto") == "NANDU ALTO"
