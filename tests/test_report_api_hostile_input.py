"""POST /api/v1/reports refuses anything but a well-formed report with a clear 4xx
naming each offending field, never a 500, and stores nothing when it refuses."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import report_payload
from vecinos.reports.models import Incident, Report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

URL = "/api/v1/reports"


def send(raw: bytes | str, content_type: str = "application/json", **extra: Any) -> Any:
    return Client().post(URL, data=raw, content_type=content_type, **extra)


def fields_named(response: Any) -> set[str]:
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert all(error["message"] for error in body["errors"])
    return {error["field"] for error in body["errors"]}


def refused(response: Any, status: int | tuple[int, ...], *fields: str) -> None:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, response.content
    assert response["Content-Type"].startswith("application/json")
    named = fields_named(response)
    for field in fields:
        assert any(name == field or name.startswith(field + ".") for name in named), named
    assert not Report.objects.exists()
    assert not Incident.objects.exists()


def with_raw(field: str, raw_value: str) -> str:
    """A valid body with ``field`` replaced by a raw JSON token (NaN, 1e309, ...)."""
    body = report_payload()
    body[field] = "@@RAW@@"
    return json.dumps(body).replace('"@@RAW@@"', raw_value)


# Numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e309", "-1e309"])
@pytest.mark.parametrize("field", ["lat", "lng"])
def test_non_finite_coordinates_are_refused_by_name(field: str, token: str) -> None:
    refused(send(with_raw(field, token)), 422, field)


def test_nan_is_not_a_number_for_counts_either() -> None:
    refused(send(with_raw("vehicles", "NaN")), 422, "vehicles")


def test_nan_hidden_in_a_list_is_named_by_its_path() -> None:
    refused(send(with_raw("agencies", '["ice", NaN]')), 422, "agencies.1")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lat", 90.0001),
        ("lat", -91),
        ("lng", 180.5),
        ("lng", -1000),
        ("vehicles", -1),
        ("vehicles", 201),
        ("officers", 501),
        ("officers", 10**30),
        ("lat", 10**30),
    ],
)
def test_numbers_out_of_range_are_refused(field: str, value: float) -> None:
    refused(send(json.dumps(report_payload(**{field: value}))), 422, field)


def test_an_integer_with_thousands_of_digits_is_refused() -> None:
    refused(send(with_raw("vehicles", "9" * 5000)), (400, 422))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lat", True),
        ("lng", False),
        ("vehicles", True),
        ("lat", "34.04"),
        ("vehicles", "3"),
        ("officers", 2.5),
        ("vehicles", 3.0),
        ("lat", [34.04]),
        ("lng", {"value": -118.2}),
        ("kind", 1),
        ("kind", ["raid"]),
        ("place", 12),
        ("description", {"text": "nested"}),
        ("agencies", "ice"),
        ("agencies", [["ice"]]),
        ("agencies", [{"name": "ice"}]),
        ("language", 7),
    ],
)
def test_wrong_types_are_refused(field: str, value: Any) -> None:
    refused(send(json.dumps(report_payload(**{field: value}))), 422, field)


def test_null_for_a_required_field_is_refused() -> None:
    body = report_payload()
    body["lat"] = None

    refused(send(json.dumps(body)), 422, "lat")


@pytest.mark.parametrize("field", ["kind", "lat", "lng"])
def test_each_required_field_is_named_when_missing(field: str) -> None:
    body = report_payload()
    del body[field]

    refused(send(json.dumps(body)), 422, field)


def test_every_offending_field_is_named_at_once() -> None:
    body = report_payload(kind="riot", lat="north", vehicles=-3, agencies=["ice", "kgb"])

    refused(send(json.dumps(body)), 422, "kind", "lat", "vehicles", "agencies.1")


# Choices and text ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["riot", "RAID", "", "raid "])
def test_an_unknown_kind_is_refused(kind: str) -> None:
    refused(send(json.dumps(report_payload(kind=kind))), 422, "kind")


def test_an_unknown_agency_is_refused() -> None:
    refused(send(json.dumps(report_payload(agencies=["ice", "nsa"]))), 422, "agencies.1")


def test_a_place_longer_than_200_characters_is_refused() -> None:
    refused(send(json.dumps(report_payload(place="x" * 201))), 422, "place")


def test_a_description_longer_than_2000_characters_is_refused() -> None:
    refused(send(json.dumps(report_payload(description="x" * 2001))), 422, "description")


@pytest.mark.parametrize("text", ["van\u0000", "\u0007bell", "lone \ud800 surrogate"])
def test_control_characters_and_lone_surrogates_are_refused(text: str) -> None:
    # json.dumps escapes them as \u0000 / \ud800: valid JSON, invalid text.
    refused(send(json.dumps(report_payload(description=text))), 422, "description")


def test_a_malformed_language_code_is_refused() -> None:
    refused(send(json.dumps(report_payload(language="<script>"))), 422, "language")


# Unknown fields: nothing about officers can be sent -------------------------------------------


@pytest.mark.parametrize(
    "field",
    ["badge", "plate", "officer_name", "face", "home", "licence_plate", "status", "id", "ip"],
)
def test_unknown_fields_are_refused_by_name(field: str) -> None:
    body = report_payload()
    body[field] = "something"

    refused(send(json.dumps(body)), 422, field)


def test_duplicate_keys_are_refused() -> None:
    raw = json.dumps(report_payload())[:-1] + ', "kind": "patrol"}'

    refused(send(raw), 400, "kind")


# Times ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2026-05-01T10:40:00",  # no offset
        "2026-05-01",  # no time
        "2026-05-01T10:40-07:00",  # no seconds
        "May 1 2026 10:40",
        "1777650000",
        "2026-13-01T10:40:00Z",  # no such month
        "2026-02-30T10:40:00Z",  # no such day
        "2026-05-01T24:00:00Z",  # no such hour
        "2026-05-01T10:40:60Z",  # leap seconds are not taken
        "2026-05-01T10:40:00+24:00",  # no such offset
        "0001-01-01T00:00:00+05:00",  # the edge of the calendar
        "9999-12-31T23:59:59-05:00",
        "",
    ],
)
def test_observed_at_must_be_rfc3339_with_an_offset(value: str) -> None:
    refused(send(json.dumps(report_payload(observed_at=value))), 422, "observed_at")


@pytest.mark.parametrize("value", [1777650000, 1777650000.5, True, ["2026-05-01T10:40:00Z"]])
def test_observed_at_cannot_be_a_number_or_junk(value: Any) -> None:
    refused(send(json.dumps(report_payload(observed_at=value))), 422, "observed_at")


def test_observed_at_more_than_a_day_old_is_refused() -> None:
    old = (timezone.now() - timedelta(hours=24, minutes=1)).isoformat()

    refused(send(json.dumps(report_payload(observed_at=old))), 422, "observed_at")


def test_observed_at_more_than_five_minutes_ahead_is_refused() -> None:
    ahead = (timezone.now() + timedelta(minutes=6)).isoformat()

    refused(send(json.dumps(report_payload(observed_at=ahead))), 422, "observed_at")


def test_observed_at_a_few_minutes_ahead_is_accepted_as_clock_skew() -> None:
    ahead = (timezone.now() + timedelta(minutes=4)).isoformat()

    assert send(json.dumps(report_payload(observed_at=ahead))).status_code == 201


# Bodies --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["[]", "[1, 2]", '"raid"', "42", "null", "true", '[{"kind": "raid"}]'],
)
def test_a_body_that_is_not_an_object_is_refused(raw: str) -> None:
    refused(send(raw), (400, 422), "body")


@pytest.mark.parametrize(
    "raw",
    ['{"kind": "raid",', "{kind: 'raid'}", "{", '{"kind": "raid"} trailing', "\ufeff{}"],
)
def test_malformed_json_is_refused(raw: str) -> None:
    refused(send(raw), 400, "body")


def test_an_empty_body_is_refused() -> None:
    refused(send(b""), (400, 422), "body")


def test_invalid_utf8_is_refused() -> None:
    raw = json.dumps(report_payload()).encode().replace(b"Three", b"Thr\xff\xfe")

    refused(send(raw), 400, "body")


def test_deeply_nested_junk_is_refused() -> None:
    deep = "[" * 20000 + "]" * 20000
    refused(send(with_raw("description", deep)), (400, 422))


def test_moderately_nested_junk_is_refused_by_field() -> None:
    nested = json.dumps({"a": [{"b": [{"c": [1, 2, {"d": None}]}]}]})

    refused(send(with_raw("place", nested)), 422, "place")


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/xml",
        "application/json; charset=latin-1",
    ],
)
def test_a_wrong_content_type_is_refused(content_type: str) -> None:
    response = send(json.dumps(report_payload()), content_type=content_type)

    refused(response, 415, "Content-Type")
    assert "application/json" in response.json()["detail"]


def test_json_with_an_explicit_utf8_charset_is_fine() -> None:
    response = send(json.dumps(report_payload()), content_type="application/json; charset=utf-8")

    assert response.status_code == 201


def test_a_body_over_64_kib_is_refused_with_413() -> None:
    body = report_payload()
    body["padding"] = "x" * (64 * 1024)

    refused(send(json.dumps(body)), 413, "body")


def test_a_body_just_under_64_kib_is_judged_on_its_fields() -> None:
    body = report_payload()
    raw = json.dumps(body)
    body["description"] = "x" * (64 * 1024 - len(raw) - 100)

    response = send(json.dumps(body))

    refused(response, 422, "description")


def test_a_lying_content_length_is_refused_with_413() -> None:
    response = send(json.dumps(report_payload()), CONTENT_LENGTH=str(10 * 1024 * 1024))

    assert response.status_code == 413
    assert not Report.objects.exists()


def test_a_body_over_djangos_own_limit_is_still_a_413() -> None:
    raw = b'{"kind": "' + b"x" * (7 * 1024 * 1024) + b'"}'

    refused(send(raw), 413, "body")


# Methods and other paths ----------------------------------------------------------------------


def test_get_on_the_endpoint_is_a_405_not_a_500() -> None:
    assert Client().get(URL).status_code == 405


def test_the_refusal_body_shape_is_the_same_everywhere() -> None:
    response = send(json.dumps(report_payload(lat=True, badge="123")))

    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert all(set(error) == {"field", "message"} for error in body["errors"])
    assert {"lat", "badge"} <= fields_named(response)


@pytest.mark.parametrize(
    ("field", "value", "english", "spanish"),
    [
        ("agencies", ["fbi-ish"], "Use one of: 'ice', 'cbp'", "Use uno de estos valores: 'ice'"),
        ("kind", "parade", "Use one of:", "Use uno de estos valores:"),
        ("vehicles", 201, "no larger than 200", "no mayor que 200"),
        ("vehicles", -1, "no smaller than 0", "no menor que 0"),
        ("officers", 2.5, "Enter a whole number.", "Escriba un número entero."),
        ("place", "x" * 201, "Use at most 200 characters.", "Use como máximo 200 caracteres."),
        ("place", 12, "Enter text.", "Escriba un texto."),
        ("agencies", "ice", "Send a list.", "Envíe una lista."),
        (
            "observed_at",
            "yesterday",
            "Give a date and time in RFC 3339",
            "Indique fecha y hora en RFC",
        ),
    ],
)
def test_each_refused_field_is_explained_in_the_callers_language(
    field: str, value: Any, english: str, spanish: str
) -> None:
    # pydantic's own messages are English only; a Spanish-speaking client gets every
    # field's message in Spanish, and nothing of it is left in English.
    body = json.dumps(report_payload(**{field: value}))
    for language, expected, other in (("en", english, spanish), ("es", spanish, english)):
        response = send(body, HTTP_ACCEPT_LANGUAGE=language)
        refused(response, 422, field)
        messages = [error["message"] for error in response.json()["errors"]]
        assert any(expected in message for message in messages), messages
        assert not any(other in message for message in messages), messages
        assert not any("Input should" in message for message in messages), messages


def test_a_limit_is_written_as_people_write_it() -> None:
    response = send(json.dumps(report_payload(lng=200)))
    refused(response, 422, "lng")
    assert response.json()["errors"][0]["message"] == "Enter a number no larger than 180."
