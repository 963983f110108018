"""A hostile client cannot make the API answer 500, and bad text gets the same 422
naming the field on SQLite and on PostgreSQL.

Found in a review of every endpoint with malformed JSON, wrong types, NaN, huge
numbers, unknown fields, nested junk, wrong content types, huge bodies, invalid ids
and control characters. The first tests are the bugs that review found (each
answered 500, or passed a NUL byte to the database, which SQLite stored and
PostgreSQL refused with a 400 naming nothing); the sweep after them keeps every
endpoint honest for the rest.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from tests.factories import BOYLE_HEIGHTS, submit
from vecinos.accounts.actions import create_api_token
from vecinos.accounts.models import User
from vecinos.alerts.models import Subscription
from vecinos.reports.models import Dispatch, Incident, IncidentStatus, Verification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

LONE_SURROGATE = "\ud800"
NUL = "\x00"


class Api:
    """A JSON client sending ``user``'s bearer token (none for the public)."""

    def __init__(self, user: User | None = None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _, token = create_api_token(user=user, name="review", actor=user)
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **extra: Any) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers, **extra)

    def post(self, path: str, body: Any, content_type: str = "application/json") -> Any:
        # json.dumps writes a lone surrogate as the escape \ud800, as a hostile client would.
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(
            f"/api/v1{path}", data=data, content_type=content_type, headers=self.headers
        )


def refused_naming(response: Any, field: str) -> None:
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert any(e["field"] == field or e["field"].startswith(field + ".") for e in errors), errors


@pytest.fixture
def incident() -> Incident:
    return submit(at=BOYLE_HEIGHTS, description="Vans on Soto", place="Soto & 1st").incident


# The bugs the review found ------------------------------------------------------------------


@pytest.mark.parametrize("name", [LONE_SURROGATE, "rosa" + LONE_SURROGATE, NUL, "ro" + NUL + "sa"])
def test_a_responder_name_with_a_control_character_is_a_422_naming_responders(
    dani: User, rosa: User, incident: Incident, name: str
) -> None:
    response = Api(dani).post(f"/incidents/{incident.pk}/dispatch", {"responders": [name]})
    refused_naming(response, "responders")
    assert not Dispatch.objects.exists()


@pytest.mark.parametrize("notes", ["gone" + NUL, "vans\x07 left", LONE_SURROGATE])
def test_verification_notes_with_control_characters_are_a_422_naming_notes(
    dani: User, incident: Incident, notes: str
) -> None:
    response = Api(dani).post(
        f"/incidents/{incident.pk}/verify", {"outcome": "unconfirmed", "notes": notes}
    )
    refused_naming(response, "notes")
    assert not Verification.objects.exists()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW


def test_verification_notes_may_still_span_lines(dani: User, incident: Incident) -> None:
    response = Api(dani).post(
        f"/incidents/{incident.pk}/verify",
        {"outcome": "unconfirmed", "notes": "Nobody there.\r\n\tChecked 1st and Soto."},
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("channel", "address"),
    [
        ("email", "vecina@" + LONE_SURROGATE + ".org"),
        ("email", LONE_SURROGATE + "@example.org"),
        ("email", "vecina" + NUL + "@example.org"),
        ("email", "vecina\x1b@example.org"),
        ("sms", "+1213555" + NUL + "0100"),
    ],
)
def test_an_address_with_control_characters_is_a_422_naming_address(
    channel: str, address: str
) -> None:
    body = {"channel": channel, "address": address, "language": "es", "area": {"zip": "90033"}}
    refused_naming(Api().post("/subscriptions", body), "address")
    assert not Subscription.objects.exists()


# The sweep: every endpoint, hostile bodies, never a 500 -------------------------------------

HOSTILE_BODIES: list[tuple[str, bytes | str]] = [
    ("empty", b""),
    ("malformed", b'{"a": '),
    ("null", b"null"),
    ("a list", b"[]"),
    ("a number", b"42"),
    ("a string", b'"raid"'),
    ("duplicate keys", b'{"a": 1, "a": 2}'),
    ("invalid utf-8", b'{"a": "\xff\xfe"}'),
    ("deep nesting", b"[" * 5000 + b"]" * 5000),
    ("a 5000-digit integer", b'{"a": ' + b"9" * 5000 + b"}"),
    ("NaN", b'{"a": NaN}'),
    ("Infinity", b'{"a": -Infinity}'),
    ("1e400", b'{"a": 1e400}'),
    ("a lone surrogate", b'{"a": "\\ud800"}'),
    ("a NUL byte", b'{"a": "\\u0000"}'),
    ("nested junk", json.dumps({"a": [{"b": [{"c": {}}]}] * 50})),
    ("over 64 KiB", json.dumps({"a": "x" * 70_000})),
]
CONTENT_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/json; charset=latin-1",
    "",
]


def staff_posts(incident: Incident, other: Incident) -> list[tuple[str, dict[str, Any]]]:
    alert = uuid.uuid4()
    return [
        (f"/incidents/{incident.pk}/dispatch", {"responders": ["rosa"]}),
        (f"/incidents/{incident.pk}/verify", {"outcome": "unconfirmed"}),
        (f"/incidents/{incident.pk}/merge", {"into": str(other.pk)}),
        (f"/incidents/{incident.pk}/alerts", {"radius_km": 2}),
        (f"/alerts/{alert}/approve", {}),
        (f"/alerts/{alert}/retract", {"reason": "a mistake"}),
        (f"/alerts/{alert}/cancel", {}),
    ]


PUBLIC_POSTS: list[tuple[str, dict[str, Any]]] = [
    ("/reports", {"kind": "raid", "lat": BOYLE_HEIGHTS[0], "lng": BOYLE_HEIGHTS[1]}),
    (
        "/subscriptions",
        {"channel": "sms", "address": "+12135550100", "language": "es", "area": {"zip": "90033"}},
    ),
    (f"/subscriptions/{uuid.uuid4()}/confirm", {"code": "123456"}),
    ("/subscriptions/webpush/stop", {"endpoint": "https://push.example.org/send/abc"}),
]


def answered_in_json(response: Any) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)


def test_no_hostile_body_makes_any_endpoint_fail(
    dani: User, rosa: User, incident: Incident
) -> None:
    other = submit(at=(34.0124, -118.2546), kind="checkpoint").incident
    staff, public = Api(dani), Api()
    calls = [(staff, path, body) for path, body in staff_posts(incident, other)]
    calls += [(public, path, body) for path, body in PUBLIC_POSTS]
    for api, path, valid in calls:
        for name, raw in HOSTILE_BODIES:
            response = api.post(path, raw)
            assert response.status_code != 500, (path, name)
            if response.status_code >= 400:  # approve takes no body: it may ignore junk
                answered_in_json(response)
        for content_type in CONTENT_TYPES:
            response = api.post(path, json.dumps(valid), content_type=content_type)
            assert response.status_code != 500, (path, content_type)
            answered_in_json(response)
        for field in [*valid, "officer_name"]:
            for junk in [None, True, -1, 10**30, 1e308, "", "x" * 5000, [], {"a": [1]}, NUL]:
                response = api.post(path, {**valid, field: junk})
                assert response.status_code != 500, (path, field, junk)


@pytest.mark.parametrize(
    "bad_id",
    ["not-a-uuid", "0", "x" * 2000, "%00", "%ED%A0%80", "{12345678-1234-1234-1234-123456789abc}"],
)
def test_invalid_ids_in_paths_are_a_404_or_a_422_never_a_500(dani: User, bad_id: str) -> None:
    staff, public = Api(dani), Api()
    for path in [f"/incidents/{bad_id}", f"/alerts/{bad_id}", f"/alerts/{bad_id}/deliveries"]:
        response = staff.get(path)
        assert response.status_code == 404, (path, response.content)
    for path, body in [
        (f"/incidents/{bad_id}/verify", {"outcome": "false"}),
        (f"/alerts/{bad_id}/approve", {}),
    ]:
        response = staff.post(path, body)
        assert response.status_code == 404, (path, response.content)
    response = public.post(f"/subscriptions/{bad_id}/confirm", {"code": "123456"})
    assert response.status_code in (404, 422), response.content


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/incidents", "status=%ED%A0%80"),
        ("/incidents", "limit=99999999999999999999"),
        ("/incidents", "limit=NaN"),
        ("/incidents", "status=new&status=" + "x" * 3000),
        ("/alerts", "lang=%00"),
        ("/alerts", "lang=%FF%FE"),
        ("/alerts", "lang=" + "e" * 3000),
        ("/public/incidents", "bbox=%00&limit=-1"),
        ("/public/incidents.geojson", "format=%ED%A0%80"),
    ],
)
def test_odd_query_strings_are_answered_without_a_500(dani: User, path: str, query: str) -> None:
    response = Api(dani).get(path, QUERY_STRING=query)
    assert response.status_code in (200, 422), response.content
