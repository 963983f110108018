"""segments(): how many SMS segments a text takes, exactly as carriers count them."""

from __future__ import annotations

import pytest

from vecinos.alerts.messages import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    fold_to_gsm,
    is_gsm7,
    segments,
    sms_units,
)


def test_the_gsm7_tables_hold_127_basic_characters_and_10_extension_characters() -> None:
    # 128 code points less the escape code; the extension table adds 10 that we use.
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


def test_an_empty_text_is_one_segment() -> None:
    assert segments("") == 1


@pytest.mark.parametrize(("length", "expected"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3)])
def test_plain_gsm7_text_fits_160_then_153_a_part(length: int, expected: int) -> None:
    assert segments("a" * length) == expected


@pytest.mark.parametrize("char", ["€", "[", "]", "{", "}", "^", "~", "|", "\\"])
def test_extension_characters_count_double(char: str) -> None:
    assert sms_units(char) == ("GSM-7", 2)
    assert segments(char * 80) == 1  # 160 septets
    assert segments(char * 80 + "a") == 2  # 161


def test_an_escape_pair_is_never_split_between_two_parts() -> None:
    # 152 plain characters, then "€" (2 septets) does not fit in the first part's 153.
    text = "a" * 152 + "€" + "b" * 10
    assert sms_units(text) == ("GSM-7", 164)
    assert segments(text) == 2
    # 152 + 2 + 151 = 305 septets would fit two parts of 153 if the pair could split;
    # since it moves whole, the second part holds 2 + 151 = 153: still two.
    assert segments("a" * 152 + "€" + "b" * 151) == 2
    assert segments("a" * 152 + "€" + "b" * 152) == 3


def test_accented_spanish_letters_outside_gsm7_make_it_ucs2() -> None:
    assert is_gsm7("ñ ü é à Ñ É ¿ ¡")
    assert not is_gsm7("á")
    assert sms_units("acción") == ("UCS-2", 6)
    assert segments("á" * 70) == 1
    assert segments("á" * 71) == 2
    assert segments("á" * 134) == 2
    assert segments("á" * 135) == 3


def test_one_chinese_character_makes_the_whole_text_ucs2() -> None:
    assert segments("a" * 69 + "中") == 1
    assert segments("a" * 70 + "中") == 2


def test_emoji_outside_the_bmp_count_two_code_units() -> None:
    assert sms_units("🚨") == ("UCS-2", 2)
    assert segments("🚨" * 35) == 1
    assert segments("🚨" * 35 + "a") == 2


def test_a_surrogate_pair_is_never_split_between_two_parts() -> None:
    # 66 units, then an emoji (2) does not fit in the first part's 67.
    assert segments("中" * 66 + "🚨" + "中" * 65) == 2  # 66 | 2 + 65 = 67
    assert segments("中" * 66 + "🚨" + "中" * 66) == 3


def test_line_breaks_are_gsm7_but_tabs_are_not() -> None:
    assert is_gsm7("a\nb\rc")
    assert not is_gsm7("a\tb")


def test_folding_replaces_accents_with_plain_letters_and_keeps_the_rest() -> None:
    assert fold_to_gsm("CORRECCIÓN: acción rápida") == "CORRECCION: accion rapida"
    assert fold_to_gsm("\u201cquoted\u201d \u2013 dash\u2026") == '"quoted" - dash...'
    # ñ and é are GSM-7 already and stay; Chinese has no plain equivalent and stays.
    assert fold_to_gsm("niño café 中") == "niño café 中"
