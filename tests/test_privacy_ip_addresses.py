"""No IP address is stored or logged anywhere (docs/architecture.md, principle 1).

Requests come from a known address, directly and through a trusted proxy, to pages
that sign people in, switch languages, file reports and fail in various ways. Then
every log record, every row of every table (sessions decoded), the SQLite file
itself, the cache and the responses are searched for the address.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.test import Client

from tests.conftest import cache_contents, make_user
from vecinos.accounts.models import Role
from vecinos.committees.models import Committee

ADDRESS = "203.0.113.77"
SPOOFED = "198.51.100.23"  # written by the client into X-Forwarded-For
PROXY = "10.20.30.40"
CANARY = "192.0.2.201"  # planted on purpose, to prove the search finds addresses


class Capture(logging.Handler):
    """Keeps everything a record carries, before any filter or formatter touches it."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []

    def handle(self, record: logging.LogRecord) -> bool:  # bypass our own filters
        self.emit(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:
            message = repr((record.msg, record.args))
        parts = [message, repr(record.args), repr(vars(record))]
        if record.exc_info and record.exc_info[1] is not None:
            parts.append("".join(traceback.format_exception(record.exc_info[1])))
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "META"):
            parts.append(repr(request.META))
        self.texts.append(f"{record.name}: " + "\n".join(parts))


@pytest.fixture
def captured_logs() -> Iterator[Capture]:
    """A capturing handler first in line on the root logger and on every logger that
    does not propagate to it (django, django.server, huey, gunicorn...), at DEBUG."""
    capture = Capture()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and (not logger.propagate or logger.handlers)
    ]
    saved = [(logger, logger.level, list(logger.handlers)) for logger in loggers]
    every = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    saved_levels = [(logger, logger.level, logger.disabled) for logger in every]
    for logger in loggers:
        logger.handlers.insert(0, capture)
    for logger in [logging.getLogger(), *every]:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    try:
        yield capture
    finally:
        for logger, level, handlers in saved:
            logger.setLevel(level)
            logger.handlers[:] = handlers
        for logger, level, disabled in saved_levels:
            logger.setLevel(level)
            logger.disabled = disabled


def database_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every value of every row of every table, decoded sessions too."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = bytes(value)
                    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    yield table, text
    for session in Session.objects.all():
        yield "decoded session", json.dumps(session.get_decoded(), default=str)


def database_file_bytes() -> bytes:
    """The SQLite database and its WAL, as a forensic tool would read them."""
    if connection.vendor != "sqlite":
        return b""
    connection.close()  # let SQLite write everything out
    name = Path(str(connection.settings_dict["NAME"]))
    return b"".join(
        path.read_bytes()
        for path in [name, name.with_name(name.name + "-wal")]
        if path.exists() and path.is_file()
    )


def cache_texts() -> Iterator[str]:
    for key, value in cache_contents():
        yield key
        yield value


def places_holding(addresses: list[str], *, logs: Capture, responses: list[str]) -> list[str]:
    found: list[str] = []
    for address in addresses:
        found += [f"log {text[:200]!r}" for text in logs.texts if address in text]
        found += [f"table {where}" for where, text in database_texts() if address in text]
        if address.encode() in database_file_bytes():
            found.append("the SQLite database file")
        found += [f"cache {text[:120]!r}" for text in cache_texts() if address in text]
        found += [f"response {text[:120]!r}" for text in responses if address in text]
    return found


def visit_everything(client: Client, *, member: Any, extra: dict[str, str]) -> list[HttpResponse]:
    """Public pages, a wrong password, a language switch, the API, errors, a session."""
    json_post = {"content_type": "application/json", **extra}
    responses = [
        client.get("/", **extra),
        client.get("/healthz", **extra),
        client.get("/readyz", **extra),
        client.get("/accounts/login/", **extra),
        client.post("/accounts/login/", {"login": "mara", "password": "wrong " * 3}, **extra),
        client.post("/accounts/login/", {"login": "nobody", "password": "x" * 12}, **extra),
        client.post("/i18n/setlang/", {"language": "es", "next": "/"}, **extra),
        client.get("/api/v1/openapi.json", **extra),
        client.post(
            "/api/v1/reports",
            json.dumps({"kind": "raid", "lat": 34.0407, "lng": -118.2468}),
            **json_post,
        ),
        client.post("/api/v1/reports", "{not json", **json_post),
        client.post("/api/v1/reports", json.dumps({"kind": "raid", "ip": ADDRESS}), **json_post),
        client.get("/no-such-page/", **extra),  # 404: django.request logs a warning
        client.get("/", **{**extra, "HTTP_HOST": "evil.example"}),  # 400
    ]
    signed_in = Client()
    signed_in.force_login(member)
    responses += [
        signed_in.get("/account/", **extra),
        signed_in.post("/i18n/setlang/", {"language": "en", "next": "/account/"}, **extra),
    ]
    return responses


def response_texts(responses: list[HttpResponse]) -> list[str]:
    texts = []
    for response in responses:
        assert response.status_code < 500, (response.status_code, response.content[:300])
        body = b"" if getattr(response, "streaming", False) else response.content
        texts.append(body.decode("utf-8", "replace"))
        texts.append(repr(dict(response.headers.items())) + repr(response.cookies))
    return texts


CASES = {
    "a client talking to us directly, with a forged X-Forwarded-For": {
        "trusted": [],
        "extra": {
            "REMOTE_ADDR": ADDRESS,
            "HTTP_X_FORWARDED_FOR": SPOOFED,
            "HTTP_X_REAL_IP": SPOOFED,
        },
    },
    "a client behind our trusted proxy": {
        "trusted": ["10.0.0.0/8"],
        "extra": {
            "REMOTE_ADDR": PROXY,
            "HTTP_X_FORWARDED_FOR": f"{SPOOFED}, {ADDRESS}",
            "HTTP_X_REAL_IP": ADDRESS,
            "HTTP_FORWARDED": f'for="{ADDRESS}";proto=https',
        },
    },
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_visitors_address_appears_in_no_log_no_row_no_file_and_no_cache(
    case: str, transactional_db: None, settings: Any, captured_logs: Capture
) -> None:
    settings.VECINOS_TRUSTED_PROXIES = CASES[case]["trusted"]
    caches["default"].clear()
    member = make_user("mara", Role.MEMBER)
    client = Client()

    responses = visit_everything(client, member=member, extra=CASES[case]["extra"])

    texts = response_texts(responses)
    assert any(r.status_code == 201 for r in responses), "a report should have been stored"
    assert any(r.status_code == 404 for r in responses)
    assert any(r.status_code == 400 for r in responses)
    assert captured_logs.texts, "the requests should have logged something"
    assert any("Not Found" in text for text in captured_logs.texts)
    assert Session.objects.exists()
    found = places_holding([ADDRESS, SPOOFED], logs=captured_logs, responses=texts)
    assert not found, "the client's address was kept in:\n" + "\n".join(found)


def test_the_search_finds_an_address_that_was_stored(
    transactional_db: None, captured_logs: Capture
) -> None:
    """The search above can fail: an address planted in a row, a log record and the
    cache is found in each of them."""
    Committee.objects.create(name="Canary", slug="canary", kind="school", description=CANARY)
    logging.getLogger("vecinos.test").warning("planted %s", CANARY)
    caches["default"].set(f"planted:{CANARY}", 1)

    found = places_holding([CANARY], logs=captured_logs, responses=[])

    assert any(place.startswith("log") for place in found)
    assert any(place == "table committees_committee" for place in found)
    assert any(place.startswith("cache") for place in found)
    if connection.vendor == "sqlite":
        assert "the SQLite database file" in found
    Committee.objects.all().delete()
    caches["default"].clear()


def test_a_signed_in_session_is_found_when_it_holds_an_address(transactional_db: None) -> None:
    """Session data is encoded, not plain text: the search decodes it."""
    client = Client()
    client.force_login(make_user("rosa", Role.RESPONDER))
    session = Session.objects.get()
    store = session.get_decoded()
    store["planted"] = CANARY
    session.session_data = Session.objects.encode(store)
    session.save()

    assert any(where == "decoded session" and CANARY in text for where, text in database_texts())
