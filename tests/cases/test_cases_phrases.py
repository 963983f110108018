"""Every family phrasebook has every sentence with the same placeholders as English."""

from __future__ import annotations

import string

from vecinos.cases import phrases


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_book_has_every_sentence_with_the_same_placeholders() -> None:
    english = phrases.EN
    assert {"en", "es"} <= set(phrases.BOOKS)
    for book in phrases.BOOKS.values():
        assert set(book.updates) == set(phrases.UPDATES), book.code
        assert set(book.kinds) == set(english.kinds), book.code
        for key in phrases.UPDATES:
            assert _fields(book.updates[key]) == _fields(english.updates[key]), (book.code, key)
        for name in ("week", "day", "at_place", "signature", "subject"):
            assert _fields(getattr(book, name)) == _fields(getattr(english, name)), (
                book.code,
                name,
            )


def test_a_language_without_sentences_falls_back_to_english() -> None:
    assert phrases.book("xx") is phrases.EN
    assert phrases.book("es") is phrases.ES
