"""A 422's field messages say what the field takes, in the request's language: a field
that takes a date asks for a date, one that takes a date and time asks for both."""

from __future__ import annotations

import pytest
from django.utils import translation
from pydantic import ValidationError

from vecinos.api.cases import CaseIn
from vecinos.api.errors import field_errors


def messages_for(language: str, **fields: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused, translation.override(language):
        CaseIn(person_name="Ana", **fields)
    # As the API sees them: a body model's errors are under ("body", its parameter).
    errors = [{**e, "loc": ("body", "payload", *e["loc"])} for e in refused.value.errors()]
    with translation.override(language):
        return {error["field"]: error["message"] for error in field_errors(errors)}


@pytest.mark.parametrize(
    ("language", "date_only", "date_and_time"),
    [
        ("en", "Give a date such as 2026-12-06.", "Give a date and time such as"),
        ("es", "Indique una fecha, p. ej. 2026-12-06.", "Indique fecha y hora, p. ej."),
    ],
)
def test_a_date_field_asks_for_a_date_and_a_time_field_for_both(
    language: str, date_only: str, date_and_time: str
) -> None:
    got = messages_for(language, date_of_birth="someday", taken_at="someday")
    assert got["date_of_birth"] == date_only
    assert got["taken_at"].startswith(date_and_time)
